using System;
using Backprop.Symbolic.Instruments;
using Xunit;

namespace Backprop.Symbolic.Tests.Instruments;

public sealed class ActivationStatisticsTests
{
    public static TheoryData<ActivationKind, int> Cases()
    {
        var data = new TheoryData<ActivationKind, int>();
        foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
        {
            // lengths below, at and around the vector width, and long ones with a tail
            foreach (int n in new[] { 1, 7, 8, 9, 31, 1000, 4099 })
            {
                data.Add(kind, n);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mean_variance_and_saturation_equal_the_element_by_element_figures(ActivationKind kind, int n)
    {
        var random = new Random(n * 31 + (int)kind);
        Func<double, double> f = kind switch
        {
            ActivationKind.Tanh => Math.Tanh,
            ActivationKind.Sigmoid => x => 1 / (1 + Math.Exp(-x)),
            ActivationKind.Relu => x => Math.Max(x, 0),
            _ => x => x,
        };
        float[] values = Naive.Draw(random, n, f, scale: 4);
        (double mean, double variance, double saturated) = Naive.Statistics(values, kind);

        ActivationStatistics s = ActivationStatistics.Compute(values, kind);

        Assert.Equal(n, s.Count);
        Assert.Equal(mean, s.Mean, 5e-6);
        Assert.Equal(variance, s.Variance, Math.Max(1e-6 * variance, 1e-9));
        Assert.Equal(saturated, s.SaturatedFraction, 1e-6);
        if (kind != ActivationKind.None && n >= 1000)
        {
            // inputs spread over [-4, 4] saturate a fair share of tanh, sigmoid and relu units: the figure is not trivially 0
            Assert.InRange(s.SaturatedFraction, 0.05, 0.95);
        }
    }

    [Fact]
    public void Thresholds_are_strict_tanh_and_sigmoid_outside_the_band_relu_exactly_zero()
    {
        float above = MathF.BitIncrement(0.97f);
        Assert.Equal(4.0 / 6, ActivationStatistics.Compute(new[] { 0.97f, -0.97f, above, -above, 1f, -1f }, ActivationKind.Tanh).SaturatedFraction, 1e-6);
        Assert.Equal(0.5, ActivationStatistics.Compute(new[] { 0.03f, 0.97f, MathF.BitDecrement(0.03f), above }, ActivationKind.Sigmoid).SaturatedFraction, 1e-6);
        Assert.Equal(0.5, ActivationStatistics.Compute(new[] { 0f, -0f, float.Epsilon, 1f }, ActivationKind.Relu).SaturatedFraction, 1e-6);
        Assert.Equal(0.0, ActivationStatistics.Compute(new[] { 0f, 1f, -5f }, ActivationKind.None).SaturatedFraction);
    }

    [Fact]
    public void A_variance_far_below_the_squared_mean_keeps_its_digits()
    {
        // sigmoid outputs of a collapsed deep layer: all near 0.5, spread 1e-4
        var random = new Random(3);
        float[] values = Naive.Draw(random, 10_000, x => 0.5 + (1e-4 * x), scale: 1);
        (_, double variance, _) = Naive.Statistics(values, ActivationKind.Sigmoid);
        Assert.Equal(variance, ActivationStatistics.Compute(values, ActivationKind.Sigmoid).Variance, 1e-3 * variance);
    }

    [Fact]
    public void Activations_near_floats_limit_keep_a_finite_mean_and_variance()
    {
        // relu units of an exploding stack: each value finite (up to 1e38), their float sum and their variance beyond float's range
        float[] values = Naive.Draw(new Random(9), 4096, x => Math.Max(x, 0) * 1e37, scale: 10);
        (double mean, double variance, double saturated) = Naive.Statistics(values, ActivationKind.Relu);
        ActivationStatistics s = ActivationStatistics.Compute(values, ActivationKind.Relu);
        Assert.True(double.IsFinite(s.Variance) && variance > float.MaxValue);
        Assert.Equal(mean, s.Mean, 1e-5 * mean);
        Assert.Equal(variance, s.Variance, 1e-5 * variance);
        Assert.Equal(saturated, s.SaturatedFraction, 1e-9);
    }

    [Fact]
    public void No_values_is_an_error_that_says_so()
    {
        var e = Assert.Throws<ArgumentException>(() => ActivationStatistics.Compute(ReadOnlySpan<float>.Empty, ActivationKind.Tanh));
        Assert.Contains("at least one value", e.Message);
    }
}
