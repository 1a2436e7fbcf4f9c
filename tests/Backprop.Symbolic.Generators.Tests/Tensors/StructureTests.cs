using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Softmax and log-softmax over the last axis, sums and means along an axis, Concat and Gather: the gradient against
/// central differences of a double-precision reference, and forward mode against the gradient.
/// </summary>
public sealed class StructureTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace TensorStructure;

        public static partial class Ops
        {
            [Differentiable(nameof(x))] public static float SoftmaxOf(Tensor x, Tensor w) => Sum(Square(Softmax(x)) * w);
            [Differentiable(nameof(x))] public static float LogSoftmaxOf(Tensor x, Tensor w) => Sum(LogSoftmax(x) * w);
            [Differentiable] public static float SumAlong(Tensor x, int axis) => Sum(Square(Sum(x, axis)));
            [Differentiable] public static float MeanAlong(Tensor x, int axis) => Sum(Exp(Mean(x, axis)));
            [Differentiable] public static float Joined(Tensor a, Tensor b, int axis, Tensor w) => Sum(Square(Concat(axis, a, b)) * w);
            [Differentiable(nameof(table))] public static float Embedded(Tensor table, ReadOnlySpan<int> rows, Tensor w) => Sum(Tanh(Gather(table, rows)) * w);

            public static float EmbeddedArraysGradient(Tensor table, int[] rows, Tensor w, Tensor dTable) => EmbeddedGradient(table, rows, w, dTable);
            public static float EmbeddedArraysDerivative(Tensor table, int[] rows, Tensor w, Tensor dTable, out float derivative) => EmbeddedDerivative(table, rows, w, dTable, out derivative);
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Ops => Program.Type("TensorStructure.Ops");

    private static double[] SoftmaxRows(double[] x, int columns, bool log)
    {
        var r = new double[x.Length];
        for (int start = 0; start < x.Length; start += columns)
        {
            double max = x.Skip(start).Take(columns).Max();
            double z = Enumerable.Range(start, columns).Sum(i => Math.Exp(x[i] - max));
            for (int i = start; i < start + columns; i++)
            {
                r[i] = log ? x[i] - max - Math.Log(z) : Math.Exp(x[i] - max) / z;
            }
        }
        return r;
    }

    /// <summary>The sums of a row-major tensor of <paramref name="shape"/> along <paramref name="axis"/>.</summary>
    private static double[] SumAxis(double[] x, int[] shape, int axis)
    {
        int outer = shape.Take(axis).Aggregate(1, (p, d) => p * d), size = shape[axis], inner = shape.Skip(axis + 1).Aggregate(1, (p, d) => p * d);
        var r = new double[outer * inner];
        for (int o = 0; o < outer; o++)
        {
            for (int s = 0; s < size; s++)
            {
                for (int i = 0; i < inner; i++)
                {
                    r[o * inner + i] += x[(o * size + s) * inner + i];
                }
            }
        }
        return r;
    }

    [Fact]
    public void Softmax_and_log_softmax_over_rows()
    {
        Tensor x = Random(1, -2, 2, 3, 4);
        Tensor w = Random(2, -1, 1, 3, 4);
        object[] args = { x, w };
        Matches(Ops, "SoftmaxOfGradient", args, v => Reference.Sum(Reference.Zip(Reference.Map(SoftmaxRows(v[0], 4, log: false), t => t * t), v[1], (p, q) => p * q)));
        Matches(Ops, "LogSoftmaxOfGradient", args, v => Reference.Sum(Reference.Zip(SoftmaxRows(v[0], 4, log: true), v[1], (p, q) => p * q)));
        DerivativeMatchesGradient(Ops, "SoftmaxOfGradient", "SoftmaxOfDerivative", args);
        DerivativeMatchesGradient(Ops, "LogSoftmaxOfGradient", "LogSoftmaxOfDerivative", args);
    }

    [Theory]
    [InlineData(new[] { 3, 4 }, 0)]
    [InlineData(new[] { 3, 4 }, 1)]
    [InlineData(new[] { 2, 3, 4 }, 1)]
    [InlineData(new[] { 5 }, 0)]
    public void Sum_and_mean_along_an_axis(int[] shape, int axis)
    {
        Tensor x = Random(shape.Length + axis, -1, 1, shape);
        object[] args = { x, axis };
        Matches(Ops, "SumAlongGradient", args, v => Reference.Sum(Reference.Map(SumAxis(v[0], shape, axis), t => t * t)));
        Matches(Ops, "MeanAlongGradient", args, v => Reference.Sum(Reference.Map(SumAxis(v[0], shape, axis), t => Math.Exp(t / shape[axis]))));
        DerivativeMatchesGradient(Ops, "SumAlongGradient", "SumAlongDerivative", args);
        DerivativeMatchesGradient(Ops, "MeanAlongGradient", "MeanAlongDerivative", args);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Concat_along_either_axis(int axis)
    {
        Tensor a = Random(3, -1, 1, 2, 3);
        Tensor b = axis == 0 ? Random(4, -1, 1, 1, 3) : Random(4, -1, 1, 2, 2);
        int rows = axis == 0 ? 3 : 2, columns = axis == 0 ? 3 : 5;
        Tensor w = Random(5, -1, 1, rows, columns);
        object[] args = { a, b, axis, w };
        Matches(Ops, "JoinedGradient", args, v =>
        {
            var joined = new double[rows * columns];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++)
                {
                    joined[i * columns + j] = axis == 0
                        ? (i < 2 ? v[0][i * 3 + j] : v[1][(i - 2) * 3 + j])
                        : (j < 3 ? v[0][i * 3 + j] : v[1][i * 2 + j - 3]);
                }
            }
            return Reference.Sum(Reference.Zip(Reference.Map(joined, t => t * t), v[3], (p, q) => p * q));
        });
        DerivativeMatchesGradient(Ops, "JoinedGradient", "JoinedDerivative", args);
    }

    [Fact]
    public void Gather_scatters_the_adjoint_back_to_repeated_rows()
    {
        Tensor table = Random(6, -1, 1, 4, 3);
        int[] rows = { 2, 0, 2, 3 };
        Tensor w = Random(7, -1, 1, 4, 3);
        object[] args = { table, rows, w };
        double[][] adjoints = Matches(Ops, "EmbeddedArraysGradient", args, v => Reference.Sum(Reference.Zip(
            Reference.Map(Enumerable.Range(0, 12).Select(k => v[0][(int)v[1][k / 3] * 3 + k % 3]).ToArray(), Math.Tanh), v[2], (p, q) => p * q)));
        Assert.All(adjoints[0].Skip(3).Take(3), d => Assert.Equal(0, d)); // row 1 is never gathered
        DerivativeMatchesGradient(Ops, "EmbeddedArraysGradient", "EmbeddedArraysDerivative", args);
    }
}
