using System;
using Backprop.Symbolic.Training;
using Xunit;

namespace Backprop.Symbolic.Tests.Training;

public sealed class GradientClippingTests
{
    [Fact]
    public void A_norm_above_the_maximum_is_scaled_down_to_it()
    {
        // ‖(3, 4, 0, 12)‖ = 13; max 6.5 ⇒ scale 0.5.
        float[] g = { 3f, 4f, 0f, 12f };
        float norm = GradientClipping.ClipByGlobalNorm(g, 6.5f);
        Assert.Equal(13f, norm);
        Assert.Equal(new[] { 1.5f, 2f, 0f, 6f }, g);
        Assert.Equal(6.5f, GradientClipping.GlobalNorm(g), 5);
    }

    [Fact]
    public void A_norm_at_or_below_the_maximum_leaves_the_gradients_alone()
    {
        float[] g = { 3f, 4f };
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm(g, 5f));
        Assert.Equal(new[] { 3f, 4f }, g);
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm(g, 100f));
        Assert.Equal(new[] { 3f, 4f }, g);
    }

    [Fact]
    public void The_norm_is_global_over_every_parameter_of_a_set()
    {
        var set = new ParameterSet();
        var a = set.Add("a", 2);
        var b = set.Add("b", 1, 1);
        a.Gradient[0] = 2f;
        a.Gradient[1] = 4f;
        b.Gradient[0, 0] = 4f; // ‖(2, 4, 4)‖ = 6
        float norm = GradientClipping.ClipByGlobalNorm(set, 3f);
        Assert.Equal(6f, norm);
        Assert.Equal(new[] { 1f, 2f, 2f }, set.Gradients.ToArray());
    }

    [Fact]
    public void A_long_buffer_keeps_float_precision()
    {
        // 3,000,001 elements of 0.001: ‖g‖ = 0.001·√3000001, computed in double; the float result is within float rounding of it.
        var g = new float[3_000_001];
        g.AsSpan().Fill(0.001f);
        double expected = 0.001f * Math.Sqrt(g.Length);
        Assert.Equal(expected, GradientClipping.GlobalNorm(g), 6);
    }

    [Fact]
    public void A_non_finite_norm_is_returned_and_nothing_is_scaled()
    {
        float[] g = { 1f, float.NaN, 3f };
        Assert.True(float.IsNaN(GradientClipping.ClipByGlobalNorm(g, 1f)));
        Assert.Equal(1f, g[0]);
        Assert.Equal(3f, g[2]);
    }

    [Fact]
    public void The_maximum_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new float[2], 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new float[2], float.NaN));
    }
}
