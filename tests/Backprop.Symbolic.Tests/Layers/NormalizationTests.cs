using System;
using System.Linq;
using Backprop.Symbolic.Layers;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;
using static Backprop.Symbolic.Tests.Tensors.Reference;

namespace Backprop.Symbolic.Tests.Layers;

/// <summary>
/// <see cref="Normalization.LayerNorm"/> and its hand-written derivatives against a double-precision reference written
/// here from the definition: the value, the pullback against central differences of ⟨r, LayerNorm⟩, the tangent against
/// central differences along a direction; default adjoints and tangents, shape errors, and no allocation once warm.
/// </summary>
public sealed class NormalizationTests
{
    private const int Rows = 3, Columns = 5;

    private static (Tensor X, Tensor Gain, Tensor Bias) Inputs() =>
        (RandomTensor(1, Rows, Columns), RandomTensor(2, Columns), RandomTensor(3, Columns));

    private static double[] D(Tensor t) => ToDouble(t.Span);

    [Fact]
    public void Value_matches_the_definition_and_normalizes_each_row()
    {
        (Tensor x, Tensor gain, Tensor bias) = Inputs();
        float[] y = Normalization.LayerNorm(x, gain, bias).ToArray();
        double[] expected = NormalizationReference.LayerNorm(D(x), D(gain), D(bias));
        for (int i = 0; i < y.Length; i++)
        {
            Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"y[{i}] = {y[i]}, expected {expected[i]}");
        }

        // With a unit gain and no bias every row has mean 0 and variance σ²/(σ² + ε), 1 to five digits here.
        float[] normalized = Normalization.LayerNorm(x, Tensor.FromArray(Enumerable.Repeat(1f, Columns).ToArray(), Columns), Tensor.Zeros(Columns)).ToArray();
        for (int r = 0; r < Rows; r++)
        {
            double[] row = normalized.Skip(r * Columns).Take(Columns).Select(v => (double)v).ToArray();
            Assert.True(Math.Abs(row.Average()) < 1e-6, $"row {r} has mean {row.Average()}");
            Assert.True(Math.Abs(row.Select(v => v * v).Average() - 1) < 1e-4, $"row {r} has variance {row.Select(v => v * v).Average()}");
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(float.NaN)]
    [InlineData(3e38f)]
    public void Value_in_the_workspace_equals_the_eager_value_whatever_the_workspace_held(float poison)
    {
        (Tensor x, Tensor gain, Tensor bias) = Inputs();
        float[] eager = Normalization.LayerNorm(x, gain, bias).ToArray();
        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            // The value is rented uncleared (every element is written): fill what the rents will hand out first.
            Tape.Mark poisoned = tape.GetMark();
            tape.RentTensorUninitialized(new TensorShape(4 * Rows * Columns)).Span.Fill(poison);
            tape.Release(poisoned);
            Assert.Equal(eager, Normalization.LayerNormValue(x, gain, bias).ToArray());
            tape.Release(poisoned);
            tape.RentTensorUninitialized(new TensorShape(4 * Rows * Columns)).Span.Fill(poison);
            tape.Release(poisoned);
            Assert.Equal(eager, Normalization.LayerNormDerivative(x, gain, bias, default, default, default, out Tensor zero).ToArray());
            Assert.All(zero.ToArray(), v => Assert.Equal(0f, v));
        }
        finally
        {
            tape.Release(mark);
        }
    }

    [Fact]
    public void Pullback_adds_the_vector_Jacobian_product_against_central_differences()
    {
        (Tensor x, Tensor gain, Tensor bias) = Inputs();
        Tensor r = RandomTensor(4, Rows, Columns);
        Tensor dX = RandomTensor(5, Rows, Columns), dGain = RandomTensor(6, Columns), dBias = RandomTensor(7, Columns);
        float[][] before = { dX.ToArray(), dGain.ToArray(), dBias.ToArray() };
        Normalization.LayerNormPullback(x, gain, bias, r, dX, dGain, dBias);

        double[][] inputs = { D(x), D(gain), D(bias) };
        double[] rs = D(r);
        double Product(double[][] v) => NormalizationReference.LayerNorm(v[0], v[1], v[2]).Zip(rs, (p, q) => p * q).Sum();
        Tensor[] adjoints = { dX, dGain, dBias };
        for (int input = 0; input < 3; input++)
        {
            float[] after = adjoints[input].ToArray();
            int which = input;
            double[] numeric = FiniteDifferences(v => Product(inputs.Select((a, i) => i == which ? v : a).ToArray()), inputs[input]);
            for (int k = 0; k < numeric.Length; k++)
            {
                double added = after[k] - before[input][k];
                Assert.True(Math.Abs(added - numeric[k]) <= 1e-3 * Math.Max(1, Math.Abs(numeric[k])), $"input {input}[{k}]: added {added}, central differences {numeric[k]}");
            }
        }
    }

    [Fact]
    public void Derivative_is_the_directional_derivative_against_central_differences()
    {
        (Tensor x, Tensor gain, Tensor bias) = Inputs();
        Tensor vX = RandomTensor(8, Rows, Columns), vGain = RandomTensor(9, Columns), vBias = RandomTensor(10, Columns);
        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            Tensor value = Normalization.LayerNormDerivative(x, gain, bias, vX, vGain, vBias, out Tensor derivative);
            Assert.Equal(Normalization.LayerNorm(x, gain, bias).ToArray(), value.ToArray());
            double h = 1e-5;
            double[] Shifted(double sign) => NormalizationReference.LayerNorm(
                D(x).Zip(D(vX), (p, q) => p + sign * h * q).ToArray(),
                D(gain).Zip(D(vGain), (p, q) => p + sign * h * q).ToArray(),
                D(bias).Zip(D(vBias), (p, q) => p + sign * h * q).ToArray());
            double[] up = Shifted(1), down = Shifted(-1);
            float[] tangent = derivative.ToArray();
            for (int i = 0; i < tangent.Length; i++)
            {
                double numeric = (up[i] - down[i]) / (2 * h);
                Assert.True(Math.Abs(tangent[i] - numeric) <= 1e-3 * Math.Max(1, Math.Abs(numeric)), $"derivative[{i}] = {tangent[i]}, central differences {numeric}");
            }

            // Default tangents are the zero direction.
            Normalization.LayerNormDerivative(x, gain, bias, default, default, default, out Tensor zero);
            Assert.All(zero.ToArray(), v => Assert.Equal(0f, v));
        }
        finally
        {
            tape.Release(mark);
        }
    }

    [Fact]
    public void Pullback_skips_default_adjoints()
    {
        (Tensor x, Tensor gain, Tensor bias) = Inputs();
        Tensor r = RandomTensor(11, Rows, Columns);
        Tensor allGain = Tensor.Zeros(Columns), onlyGain = Tensor.Zeros(Columns);
        Normalization.LayerNormPullback(x, gain, bias, r, Tensor.Zeros(Rows, Columns), allGain, Tensor.Zeros(Columns));
        Normalization.LayerNormPullback(x, gain, bias, r, default, onlyGain, default);
        Assert.Equal(allGain.ToArray(), onlyGain.ToArray());
        Assert.Contains(onlyGain.ToArray(), v => v != 0);
    }

    [Fact]
    public void Wrong_shapes_throw_naming_the_argument()
    {
        (Tensor x, Tensor gain, Tensor bias) = Inputs();
        Assert.Equal("gain", Assert.Throws<ArgumentException>(() => Normalization.LayerNorm(x, Tensor.Zeros(Columns + 1), bias)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Normalization.LayerNorm(x, gain, Tensor.Zeros(1, Columns))).ParamName);
        Assert.Equal("dResult", Assert.Throws<ArgumentException>(() =>
            Normalization.LayerNormPullback(x, gain, bias, Tensor.Zeros(Columns, Rows), default, default, default)).ParamName);
        Assert.Equal("dGain", Assert.Throws<ArgumentException>(() =>
            Normalization.LayerNormPullback(x, gain, bias, Tensor.Zeros(Rows, Columns), default, Tensor.Zeros(Rows), default)).ParamName);
        Assert.Equal("dX", Assert.Throws<ArgumentException>(() =>
            Normalization.LayerNormDerivative(x, gain, bias, Tensor.Zeros(Columns), default, default, out _)).ParamName);
    }

    [Fact]
    public void Workspace_value_pullback_and_derivative_allocate_nothing_once_warm()
    {
        (Tensor x, Tensor gain, Tensor bias) = Inputs();
        Tensor r = RandomTensor(12, Rows, Columns), dX = Tensor.Zeros(Rows, Columns), dGain = Tensor.Zeros(Columns), dBias = Tensor.Zeros(Columns);
        void Round()
        {
            Tape tape = Tape.Current;
            for (int i = 0; i < 50; i++)
            {
                Tape.Mark mark = tape.GetMark();
                Normalization.LayerNormValue(x, gain, bias);
                Normalization.LayerNormPullback(x, gain, bias, r, dX, dGain, dBias);
                Normalization.LayerNormDerivative(x, gain, bias, dX, dGain, dBias, out _);
                tape.Release(mark);
            }
        }
        Round();
        Assert.Equal(0L, Allocations.Fewest(Round));
    }
}
