using System;
using System.Linq;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Tests.Kernels.ConvolutionReference;
using Reference = Backprop.Symbolic.Tests.Tensors.Reference;

namespace Backprop.Symbolic.Tests.Kernels;

/// <summary>MaxPool2D, AvgPool2D and Flatten against the plain double loops, their backward kernels against central differences.</summary>
public sealed class PoolingTests
{
    // input [N, C, H, W], size, stride
    public static TheoryData<int[], int, int> Cases => new()
    {
        { new[] { 1, 1, 4, 4 }, 2, 2 },
        { new[] { 2, 3, 7, 5 }, 2, 2 },
        { new[] { 2, 3, 7, 5 }, 3, 1 },
        { new[] { 1, 2, 7, 5 }, 3, 2 },
        { new[] { 2, 1, 5, 7 }, 2, 3 },
    };

    private static double[] D(Tensor t) => Reference.ToDouble(t.Span);

    private static void Near(double[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} but the reference gives {expected[i]}.");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pools_match_the_reference_and_their_backward_matches_central_differences(int[] xs, int size, int stride)
    {
        Tensor x = Reference.RandomTensor(31, xs);
        Tensor max = Tensor.MaxPool2D(x, size, stride);
        Tensor mean = Tensor.AvgPool2D(x, size, stride);
        int ho = ((xs[2] - size) / stride) + 1, wo = ((xs[3] - size) / stride) + 1;
        Assert.Equal(TensorShape.Of(xs[0], xs[1], ho, wo), max.Shape);
        Assert.Equal(max.Shape, mean.Shape);
        Near(Pool(D(x), xs, size, stride, max: true), max.Span, 1e-6, "MaxPool2D");
        Near(Pool(D(x), xs, size, stride, max: false), mean.Span, 1e-5, "AvgPool2D");

        Tensor dY = Reference.RandomTensor(32, max.Shape.ToArray());
        double[] weights = D(dY);
        Tensor dMax = Tensor.Zeros(x.Shape), dMean = Tensor.Zeros(x.Shape);
        dMax.Fill(0.25f);
        dMean.Fill(0.25f);
        TensorKernels.MaxPool2DBackward(x, dY, dMax, size, stride);
        TensorKernels.AvgPool2DBackward(dY, dMean, size, stride);
        Near(CentralDifferences(v => Pool(v, xs, size, stride, max: true), D(x), weights).Select(v => v + 0.25).ToArray(), dMax.Span, 1e-3, "dX of MaxPool2D");
        Near(CentralDifferences(v => Pool(v, xs, size, stride, max: false), D(x), weights).Select(v => v + 0.25).ToArray(), dMean.Span, 1e-3, "dX of AvgPool2D");

        // Forward mode: the max pool's tangent is the tangent at each window's largest element.
        Tensor tX = Reference.RandomTensor(33, xs);
        Tensor tY = Tensor.Zeros(max.Shape);
        TensorKernels.MaxPool2DTangent(x, tX, tY, size, stride);
        for (int o = 0; o < max.Length; o++)
        {
            var unit = new double[max.Length];
            unit[o] = 1;
            double directional = Dot(CentralDifferences(v => Pool(v, xs, size, stride, max: true), D(x), unit), D(tX));
            Assert.True(Math.Abs(directional - tY.Span[o]) < 1e-3, $"tangent[{o}]: {tY.Span[o]} but differences give {directional}.");
        }
    }

    [Fact]
    public void Max_pool_routes_a_tie_to_the_first_largest_element()
    {
        Tensor x = Tensor.FromArray(new[] { 1f, 3f, 3f, 0f }, 1, 1, 2, 2);
        Tensor dX = Tensor.Zeros(x.Shape);
        TensorKernels.MaxPool2DBackward(x, Tensor.FromArray(new[] { 2f }, 1, 1, 1, 1), dX, 2, 2);
        Assert.Equal(new[] { 0f, 2f, 0f, 0f }, dX.ToArray());
    }

    [Fact]
    public void Flatten_is_a_view_keeping_the_batch_dimension()
    {
        Tensor x = Reference.RandomTensor(34, 2, 3, 4, 5);
        Tensor flat = Tensor.Flatten(x);
        Assert.Equal(TensorShape.Of(2, 60), flat.Shape);
        Assert.Same(x.Array, flat.Array);
        flat[1, 59] = 42f;
        Assert.Equal(42f, x[1, 2, 3, 4]);
        Assert.Equal(TensorShape.Of(3, 4), Tensor.Flatten(Tensor.Zeros(3, 4)).Shape);
    }
}
