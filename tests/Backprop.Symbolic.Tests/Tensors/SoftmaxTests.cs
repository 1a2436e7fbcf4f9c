using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>Softmax and log-softmax over the last axis, and their backward kernels.</summary>
public sealed class SoftmaxTests
{
    public static TheoryData<int[]> Shapes => new() { new[] { 7 }, new[] { 3, 5 }, new[] { 2, 2, 4 }, new[] { 2, 300 }, new[] { 4, 1 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Softmax_and_LogSoftmax_match_double(int[] shape)
    {
        Tensor x = Reference.RandomTensor(31, shape);
        int n = shape[^1];
        double[] xd = Reference.ToDouble(x.Span);
        Tensor y = Tensor.Softmax(x);
        Assert.Equal(x.Shape, y.Shape);
        Reference.AssertClose(Reference.Softmax(xd, n), y.Span, 2e-6, "softmax");
        Tensor logY = Tensor.LogSoftmax(x);
        Reference.AssertClose(Reference.LogSoftmax(xd, n), logY.Span, 2e-6, "log-softmax");
    }

    [Fact]
    public void Large_logits_do_not_overflow()
    {
        Tensor x = Tensor.FromArray(new float[] { 1000f, 1001f, 999f, -1000f }, 1, 4);
        double[] expected = Reference.Softmax(Reference.ToDouble(x.Span), 4);
        Reference.AssertClose(expected, Tensor.Softmax(x).Span, 1e-6);
        Reference.AssertClose(Reference.LogSoftmax(Reference.ToDouble(x.Span), 4), Tensor.LogSoftmax(x).Span, 1e-6);
    }

    [Fact]
    public void The_kernels_may_write_over_their_input()
    {
        Tensor x = Reference.RandomTensor(32, 3, 6);
        double[] xd = Reference.ToDouble(x.Span);
        Tensor copy = x.Clone();
        TensorKernels.Softmax(x, x);
        Reference.AssertClose(Reference.Softmax(xd, 6), x.Span, 2e-6);
        TensorKernels.LogSoftmax(copy, copy);
        Reference.AssertClose(Reference.LogSoftmax(xd, 6), copy.Span, 2e-6);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SoftmaxBackward_matches_finite_differences_and_the_formula(int[] shape)
    {
        // L(x) = Σ w ⊙ softmax(x), so dL/dx is the backward applied to dY = w.
        int n = shape[^1];
        Tensor x = Reference.RandomTensor(33, shape);
        Tensor w = Reference.RandomTensor(34, shape);
        double[] wd = Reference.ToDouble(w.Span);
        double[] fd = Reference.FiniteDifferences(v => Reference.Dot(wd, Reference.Softmax(v, n)), Reference.ToDouble(x.Span));
        double[] yd = Reference.Softmax(Reference.ToDouble(x.Span), n);
        var analytic = new double[x.Length];
        for (int start = 0; start < x.Length; start += n)
        {
            double dot = 0;
            for (int j = 0; j < n; j++)
            {
                dot += wd[start + j] * yd[start + j];
            }
            for (int j = 0; j < n; j++)
            {
                analytic[start + j] = yd[start + j] * (wd[start + j] - dot);
            }
        }
        Reference.AssertClose(fd, analytic, 1e-6, "formula against finite differences"); // FD rounding: ~1e-16 · |L| / h, |L| up to ~10³ for 300-wide rows

        Tensor dX = Tensor.FromArray(Reference.Random(x.Length, 35), shape);
        double[] before = Reference.ToDouble(dX.Span);
        TensorKernels.SoftmaxBackward(Tensor.Softmax(x), w, dX);
        Reference.AssertClose(Add(before, fd), dX.Span, 1e-5, "kernel (accumulated)");

        // The float forward kernel, differenced directly.
        double[] floatFd = Reference.FiniteDifferences(
            v => Reference.Dot(wd, Reference.ToDouble(Tensor.Softmax(Tensor.FromArray(ToFloat(v), shape)).Span)), Reference.ToDouble(x.Span), h: 1e-2);
        Reference.AssertClose(fd, floatFd, 2e-3, "float forward differenced");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LogSoftmaxBackward_matches_finite_differences_and_the_formula(int[] shape)
    {
        int n = shape[^1];
        Tensor x = Reference.RandomTensor(36, shape);
        Tensor w = Reference.RandomTensor(37, shape);
        double[] wd = Reference.ToDouble(w.Span);
        double[] fd = Reference.FiniteDifferences(v => Reference.Dot(wd, Reference.LogSoftmax(v, n)), Reference.ToDouble(x.Span));
        double[] pd = Reference.Softmax(Reference.ToDouble(x.Span), n);
        var analytic = new double[x.Length];
        for (int start = 0; start < x.Length; start += n)
        {
            double total = 0;
            for (int j = 0; j < n; j++)
            {
                total += wd[start + j];
            }
            for (int j = 0; j < n; j++)
            {
                analytic[start + j] = wd[start + j] - (pd[start + j] * total);
            }
        }
        Reference.AssertClose(fd, analytic, 1e-6, "formula against finite differences"); // FD rounding: ~1e-16 · |L| / h, |L| up to ~10³ for 300-wide rows

        Tensor dX = Tensor.FromArray(Reference.Random(x.Length, 38), shape);
        double[] before = Reference.ToDouble(dX.Span);
        TensorKernels.LogSoftmaxBackward(Tensor.LogSoftmax(x), w, dX);
        Reference.AssertClose(Add(before, fd), dX.Span, 1e-5, "kernel (accumulated)");
    }

    [Fact]
    public void Mismatched_shapes_and_aliased_adjoints_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => TensorKernels.Softmax(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("[3, 2]", error.Message);
        Tensor y = Tensor.Zeros(2, 3);
        Tensor dY = Tensor.Zeros(2, 3);
        Assert.Throws<ArgumentException>(() => TensorKernels.SoftmaxBackward(y, dY, Tensor.Zeros(2, 4)));
        Assert.Throws<ArgumentException>(() => TensorKernels.LogSoftmaxBackward(y, dY, dY));
    }

    internal static double[] Add(double[] a, double[] b)
    {
        var sum = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            sum[i] = a[i] + b[i];
        }
        return sum;
    }

    internal static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);
}
