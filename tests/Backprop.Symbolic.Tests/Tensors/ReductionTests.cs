using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>Sums and means (whole tensor and along an axis), <see cref="TensorKernels.SumRows"/> and their adjoint <see cref="TensorKernels.AddBroadcast"/>.</summary>
public sealed class ReductionTests
{
    public static TheoryData<int[], int> ShapesAndAxes => new()
    {
        { new[] { 6 }, 0 },
        { new[] { 4, 5 }, 0 },
        { new[] { 4, 5 }, 1 },
        { new[] { 2, 3, 4 }, 0 },
        { new[] { 2, 3, 4 }, 1 },
        { new[] { 2, 3, 4 }, 2 },
        { new[] { 2, 3, 1, 5 }, 3 },
        { new[] { 2, 3, 2, 5 }, 1 },
        { new[] { 3, 0 }, 1 },
    };

    /// <summary>The reduced shape and Σ along the axis, in double, by explicit index arithmetic.</summary>
    private static (int[] Shape, double[] Sums) SumAlong(Tensor x, int axis)
    {
        int[] dims = x.Shape.ToArray();
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < axis; d++)
        {
            outer *= dims[d];
        }
        for (int d = axis + 1; d < dims.Length; d++)
        {
            inner *= dims[d];
        }
        var sums = new double[outer * inner];
        for (int o = 0; o < outer; o++)
        {
            for (int s = 0; s < dims[axis]; s++)
            {
                for (int i = 0; i < inner; i++)
                {
                    sums[(o * inner) + i] += x.Span[(((o * dims[axis]) + s) * inner) + i];
                }
            }
        }
        int[] shape = dims.Length == 1 ? new[] { 1 } : Array.ConvertAll(RangeExcept(dims.Length, axis), d => dims[d]);
        return (shape, sums);
    }

    private static int[] RangeExcept(int count, int skip)
    {
        var result = new int[count - 1];
        for (int d = 0, r = 0; d < count; d++)
        {
            if (d != skip)
            {
                result[r++] = d;
            }
        }
        return result;
    }

    [Fact]
    public void Sum_and_Mean_of_all_elements_match_double()
    {
        Tensor x = Reference.RandomTensor(21, 13, 17);
        double sum = 0;
        foreach (float v in x.Span)
        {
            sum += v;
        }
        Reference.AssertClose(sum, Tensor.Sum(x), 1e-5);
        Reference.AssertClose(sum / x.Length, Tensor.Mean(x), 1e-5);
        Assert.Equal(0f, Tensor.Sum(Tensor.Zeros(0)));
        Assert.Throws<ArgumentException>(() => Tensor.Mean(Tensor.Zeros(0, 3)));
    }

    [Theory]
    [MemberData(nameof(ShapesAndAxes))]
    public void Sum_and_Mean_along_an_axis_remove_it(int[] shape, int axis)
    {
        Tensor x = Reference.RandomTensor(22, shape);
        (int[] reducedShape, double[] sums) = SumAlong(x, axis);
        Tensor sum = Tensor.Sum(x, axis);
        Assert.Equal(new TensorShape(reducedShape), sum.Shape);
        Reference.AssertClose(sums, sum.Span, 1e-5);
        if (shape[axis] == 0)
        {
            Assert.Throws<ArgumentException>(() => Tensor.Mean(x, axis));
            return;
        }
        Tensor mean = Tensor.Mean(x, axis);
        Assert.Equal(sum.Shape, mean.Shape);
        var means = Array.ConvertAll(sums, s => s / shape[axis]);
        Reference.AssertClose(means, mean.Span, 1e-5);
    }

    [Fact]
    public void The_sum_kernel_accumulates_when_asked()
    {
        Tensor x = Reference.RandomTensor(23, 3, 4);
        Tensor result = Tensor.FromArray(new float[] { 10, 20, 30 });
        TensorKernels.Sum(x, 1, result, accumulate: true);
        (_, double[] sums) = SumAlong(x, 1);
        Reference.AssertClose(new[] { 10 + sums[0], 20 + sums[1], 30 + sums[2] }, result.Span, 1e-6);
        TensorKernels.Sum(x, 1, result);
        Reference.AssertClose(sums, result.Span, 1e-6);
    }

    [Fact]
    public void Sum_along_an_axis_rejects_a_missing_axis_and_a_wrong_result_shape()
    {
        Tensor x = Tensor.Zeros(3, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Sum(x, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Mean(x, -1));
        var error = Assert.Throws<ArgumentException>(() => TensorKernels.Sum(x, 0, Tensor.Zeros(3)));
        Assert.Contains("[3]", error.Message);
        Assert.Contains("[4]", error.Message);
    }

    [Theory]
    [InlineData(new[] { 5, 3 })]
    [InlineData(new[] { 2, 4, 3 })]
    [InlineData(new[] { 1, 3 })]
    public void SumRows_sums_over_every_leading_index(int[] shape)
    {
        Tensor x = Reference.RandomTensor(24, shape);
        var expected = new double[] { 1, 1, 1 };
        for (int i = 0; i < x.Length; i++)
        {
            expected[i % 3] += x.Span[i];
        }
        Tensor result = Tensor.FromArray(new float[] { 1, 1, 1 });
        TensorKernels.SumRows(x, result, accumulate: true);
        Reference.AssertClose(expected, result.Span, 1e-5);
        var error = Assert.Throws<ArgumentException>(() => TensorKernels.SumRows(x, Tensor.Zeros(4)));
        Assert.Contains("[4]", error.Message);
        Assert.Contains("[3]", error.Message);
    }

    [Fact]
    public void SumRows_is_the_adjoint_of_a_bias_broadcast_over_rows()
    {
        // L(b) = Σ_ij w[i,j] · (x[i,j] + b[j]); dL/db = Σ_i w[i,:].
        Tensor x = Reference.RandomTensor(25, 4, 3);
        Tensor w = Reference.RandomTensor(26, 4, 3);
        double[] b = { 0.3, -0.2, 0.5 };
        double[] fd = Reference.FiniteDifferences(
            v =>
            {
                double total = 0;
                for (int i = 0; i < 12; i++)
                {
                    total += w.Span[i] * (x.Span[i] + v[i % 3]);
                }
                return total;
            },
            b);
        Tensor db = Tensor.Zeros(3);
        TensorKernels.SumRows(w, db);
        Reference.AssertClose(fd, db.Span, 1e-6);
    }

    [Theory]
    [MemberData(nameof(ShapesAndAxes))]
    public void AddBroadcast_is_the_adjoint_of_Sum_along_the_axis(int[] shape, int axis)
    {
        // L(x) = Σ w ⊙ Sum(x, axis): dL/dx = w broadcast along the axis (finite differences of the double reference,
        // and the analytic value w[reduced index]).
        Tensor x = Reference.RandomTensor(27, shape);
        (int[] reducedShape, _) = SumAlong(x, axis);
        Tensor w = Reference.RandomTensor(28, reducedShape);
        double[] wd = Reference.ToDouble(w.Span);
        double[] fd = Reference.FiniteDifferences(
            v => Reference.Dot(wd, SumAlong(Tensor.FromArray(Array.ConvertAll(v, e => (float)e), shape), axis).Sums),
            Reference.ToDouble(x.Span),
            h: 1e-2);
        Tensor dX = Tensor.FromArray(Reference.Random(x.Length, 29), shape);
        double[] start = Reference.ToDouble(dX.Span);
        TensorKernels.AddBroadcast(w, axis, 1f, dX);
        var expectedFd = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            expectedFd[i] = start[i] + fd[i];
        }
        Reference.AssertClose(expectedFd, dX.Span, 1e-5, "against finite differences");

        // Analytic: element (o, s, i) receives w[o, i] · scale; here with the mean's scale.
        Tensor dMean = Tensor.Zeros(shape);
        float scale = shape[axis] == 0 ? 1f : 1f / shape[axis];
        TensorKernels.AddBroadcast(w, axis, scale, dMean);
        int inner = 1;
        for (int d = axis + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }
        var analytic = new double[x.Length];
        for (int e = 0; e < x.Length; e++)
        {
            int o = e / (inner * shape[axis]);
            int i = e % inner;
            analytic[e] = wd[(o * inner) + i] * scale;
        }
        Reference.AssertClose(analytic, dMean.Span, 1e-6, "analytic");
    }

    [Fact]
    public void AddBroadcast_rejects_a_source_of_the_wrong_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => TensorKernels.AddBroadcast(Tensor.Zeros(4), 0, 1f, Tensor.Zeros(3, 4, 2)));
        Assert.Contains("[4]", error.Message);
        Assert.Contains("[4, 2]", error.Message);
    }
}
