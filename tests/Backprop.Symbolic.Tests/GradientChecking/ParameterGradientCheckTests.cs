using System;
using Backprop.Symbolic.GradientChecking;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Xunit;

namespace Backprop.Symbolic.Tests.GradientChecking;

/// <summary>
/// The gradient check over a parameter set, on a small layer written by hand:
/// z = W·x + b (W [2, 3], b [2]), L = Σᵢ tanh(zᵢ)², whose gradient is
/// ∂L/∂zᵢ = 2·tanh(zᵢ)·(1 − tanh²(zᵢ)), ∂L/∂Wᵢⱼ = ∂L/∂zᵢ·xⱼ, ∂L/∂bᵢ = ∂L/∂zᵢ.
/// </summary>
public sealed class ParameterGradientCheckTests
{
    private static readonly double[] X = { 0.5, -1.25, 2.0 };

    private readonly ParameterSet _set = new();
    private readonly Parameter _w;
    private readonly Parameter _b;

    public ParameterGradientCheckTests()
    {
        _w = _set.Add("W", 2, 3);
        _b = _set.Add("b", 2);
        float[] w = { 0.3f, -0.2f, 0.1f, -0.4f, 0.25f, 0.15f };
        w.CopyTo(_w.Value.Span);
        _b.Value[0] = 0.05f;
        _b.Value[1] = -0.1f;
    }

    private double Z(int i)
    {
        double z = _b.Value[i];
        for (int j = 0; j < 3; j++)
        {
            z += _w.Value[i, j] * X[j];
        }
        return z;
    }

    private double Loss()
    {
        double loss = 0;
        for (int i = 0; i < 2; i++)
        {
            double t = Math.Tanh(Z(i));
            loss += t * t;
        }
        return loss;
    }

    private float LossInFloat()
    {
        float loss = 0;
        for (int i = 0; i < 2; i++)
        {
            float z = _b.Value[i];
            for (int j = 0; j < 3; j++)
            {
                z += _w.Value[i, j] * (float)X[j];
            }
            float t = MathF.Tanh(z);
            loss += t * t;
        }
        return loss;
    }

    private void Gradient(bool wrongIndex = false, bool missingFactor = false)
    {
        for (int i = 0; i < 2; i++)
        {
            double t = Math.Tanh(Z(i));
            double dz = (missingFactor ? 1 : 2) * t * (1 - (t * t));
            for (int j = 0; j < 3; j++)
            {
                // The deliberate bug: element [1, 2] reads x[1] instead of x[2].
                int column = wrongIndex && i == 1 && j == 2 ? 1 : j;
                _w.Gradient[i, j] = (float)(dz * X[column]);
            }
            _b.Gradient[i] = (float)dz;
        }
    }

    [Fact]
    public void A_correct_gradient_passes_with_a_small_worst_error()
    {
        GradientCheckReport report = GradientCheck.Check(_set, Loss, () => Gradient());
        Assert.True(report.Passed, report.ToString());
        Assert.True(report.Worst.RelativeError < 1e-3, report.ToString()); // O(h²) truncation at the default step
        Assert.Equal(8, report.ElementsChecked);
        Assert.Equal(new[] { "W", "b" }, new[] { report.PerTensor[0].Name, report.PerTensor[1].Name });
    }

    [Fact]
    public void A_double_loss_with_a_small_step_gives_a_sharp_check()
    {
        var sharp = new GradientCheckOptions { RelativeStep = 1e-3, Tolerance = 1e-5 };
        GradientCheckReport report = GradientCheck.Check(_set, Loss, () => Gradient(), sharp);
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void A_loss_computed_in_float_passes_with_the_defaults()
    {
        GradientCheckReport report = GradientCheck.Check(_set, () => LossInFloat(), () => Gradient());
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void A_wrong_index_is_caught_and_named()
    {
        GradientCheckReport report = GradientCheck.Check(_set, Loss, () => Gradient(wrongIndex: true));

        Assert.False(report.Passed);
        Assert.Equal("W", report.Worst.Name);
        Assert.Equal(new[] { 1, 2 }, report.Worst.Index);
        Assert.Equal("W[1, 2]", report.Worst.Location);
        // analytic = ∂L/∂z₁·x₁, numeric ≈ ∂L/∂z₁·x₂: the error is |x₁ − x₂| / max(|x₁|, |x₂|) = 3.25 / 2.
        Assert.Equal(3.25 / 2, report.Worst.RelativeError, 3);
        Assert.Equal(report.Worst.Numeric * (-1.25 / 2.0), report.Worst.Analytic, 4);
        Assert.True(report.PerTensor[1].Passed, "the bias gradient is right");
        Assert.Contains("FAILED: worst W[1, 2]: analytic", report.ToString());
        var error = Assert.Throws<InvalidOperationException>(report.ThrowIfFailed);
        Assert.Contains("W[1, 2]", error.Message);
    }

    [Fact]
    public void A_missing_factor_is_caught_in_every_tensor_it_touches()
    {
        GradientCheckReport report = GradientCheck.Check(_set, Loss, () => Gradient(missingFactor: true));
        Assert.False(report.Passed);
        Assert.False(report.PerTensor[0].Passed);
        Assert.False(report.PerTensor[1].Passed);
        Assert.Equal(0.5, report.PerTensor[1].RelativeError, 3); // half the true derivative
    }

    [Fact]
    public void The_values_are_restored_bit_for_bit()
    {
        float[] before = _set.Values.ToArray();
        GradientCheck.Check(_set, Loss, () => Gradient());
        Assert.Equal(before, _set.Values.ToArray());
    }

    [Fact]
    public void The_values_are_restored_when_the_loss_throws()
    {
        float[] before = _set.Values.ToArray();
        int calls = 0;
        Assert.Throws<InvalidOperationException>(() => GradientCheck.Check(_set,
            () => ++calls == 3 ? throw new InvalidOperationException("boom") : Loss(), () => Gradient()));
        Assert.Equal(before, _set.Values.ToArray());
    }

    [Fact]
    public void A_cap_on_elements_checks_evenly_spaced_ones_including_both_ends()
    {
        var options = new GradientCheckOptions { MaxElementsPerTensor = 2 };
        GradientCheckReport report = GradientCheck.Check(_set, Loss, () => Gradient(wrongIndex: true), options);
        // W's elements 0 and 5 ([0, 0] and [1, 2]) are checked, so the bug at [1, 2] is still found.
        Assert.Equal(4, report.ElementsChecked);
        Assert.Equal("W[1, 2]", report.Worst.Location);
    }

    [Fact]
    public void Named_arrays_can_be_checked_without_a_parameter_set()
    {
        // L = a₀²·a₁ + 3·c₀: ∂L/∂a = (2a₀a₁, a₀²), ∂L/∂c = (3).
        float[] a = { 1.5f, -2f };
        float[] c = { 0.7f };
        float[] da = new float[2];
        float[] dc = new float[1];
        var tensors = new[]
        {
            new CheckedTensor("a", Tensor.FromArray(a), Tensor.FromArray(da)),
            new CheckedTensor("c", Tensor.FromArray(c), Tensor.FromArray(dc)),
        };
        GradientCheckReport report = GradientCheck.Check(tensors,
            () => ((double)a[0] * a[0] * a[1]) + (3.0 * c[0]),
            () =>
            {
                da[0] = 2 * a[0] * a[1];
                da[1] = a[0] * a[0];
                dc[0] = 3;
            });
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(new[] { -6f, 2.25f }, da);
        Assert.Equal(3.0, report.PerTensor[1].Numeric, 4);
    }

    [Fact]
    public void Bad_input_is_rejected_saying_what_is_wrong()
    {
        float[] v = new float[2];
        Action nothing = () => { };
        var twice = new[]
        {
            new CheckedTensor("v", Tensor.FromArray(v), Tensor.Zeros(2)),
            new CheckedTensor("v", Tensor.FromArray(v), Tensor.Zeros(2)),
        };
        Assert.Contains("Two tensors are named 'v'", Assert.Throws<ArgumentException>(() => GradientCheck.Check(twice, () => 0, nothing)).Message);
        var shapes = new[] { new CheckedTensor("v", Tensor.FromArray(v), Tensor.Zeros(3)) };
        Assert.Contains("[2] and [3]", Assert.Throws<ArgumentException>(() => GradientCheck.Check(shapes, () => 0, nothing)).Message);
        Assert.Throws<ArgumentException>(() => GradientCheck.Check(Array.Empty<CheckedTensor>(), () => 0, nothing));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientCheckOptions { Tolerance = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientCheckOptions { MaxElementsPerTensor = 0 });
    }
}
