using System;
using System.Linq;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;
using static Backprop.Symbolic.Tests.Kernels.ConvolutionReference;
using Reference = Backprop.Symbolic.Tests.Tensors.Reference;

namespace Backprop.Symbolic.Tests.Kernels;

/// <summary>
/// Conv2D (with and without a bias) and its backward kernel against the plain double-precision loops of
/// <see cref="ConvolutionReference"/> and against central differences, over strides, paddings, odd sizes, one and
/// several channels and samples; the shape and argument errors; no allocation in the steady state.
/// </summary>
public sealed class ConvolutionTests
{
    // input [N, C, H, W], kernel [K, C, kh, kw], stride, padding
    public static TheoryData<int[], int[], int, int> Cases => new()
    {
        { new[] { 1, 1, 7, 5 }, new[] { 2, 1, 3, 3 }, 1, 0 },
        { new[] { 2, 3, 7, 5 }, new[] { 4, 3, 3, 3 }, 1, 1 },
        { new[] { 2, 3, 7, 5 }, new[] { 3, 3, 2, 3 }, 2, 1 },
        { new[] { 1, 3, 7, 5 }, new[] { 2, 3, 2, 3 }, 1, 2 },
        { new[] { 2, 1, 5, 7 }, new[] { 3, 1, 3, 3 }, 2, 2 },
        { new[] { 2, 3, 7, 5 }, new[] { 2, 3, 3, 3 }, 2, 0 },
        { new[] { 2, 3, 6, 6 }, new[] { 5, 3, 1, 1 }, 1, 0 },
    };

    private static double[] D(Tensor t) => Reference.ToDouble(t.Span);

    private static void Near(double[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} but the reference gives {expected[i]}.");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_the_reference_with_and_without_a_bias(int[] xs, int[] ks, int stride, int padding)
    {
        Tensor x = Reference.RandomTensor(1, xs);
        Tensor k = Reference.RandomTensor(2, ks);
        Tensor b = Reference.RandomTensor(3, ks[0]);
        (int ho, int wo) = OutputSize(xs[2], xs[3], ks[2], ks[3], stride, padding);

        Tensor plain = Tensor.Conv2D(x, k, stride, padding);
        Assert.Equal(TensorShape.Of(xs[0], ks[0], ho, wo), plain.Shape);
        Near(Conv2D(D(x), xs, D(k), ks, null, stride, padding), plain.Span, 1e-5, "Conv2D");

        Tensor biased = Tensor.Conv2D(x, k, b, stride, padding);
        Near(Conv2D(D(x), xs, D(k), ks, D(b), stride, padding), biased.Span, 1e-5, "Conv2D with bias");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_the_reference_and_central_differences_and_accumulates(int[] xs, int[] ks, int stride, int padding)
    {
        Tensor x = Reference.RandomTensor(4, xs);
        Tensor k = Reference.RandomTensor(5, ks);
        Tensor b = Reference.RandomTensor(6, ks[0]);
        (int ho, int wo) = OutputSize(xs[2], xs[3], ks[2], ks[3], stride, padding);
        Tensor dY = Reference.RandomTensor(7, xs[0], ks[0], ho, wo);

        // The adjoints start at 0.5 everywhere: the kernel adds to them.
        Tensor dX = Tensor.Zeros(x.Shape), dK = Tensor.Zeros(k.Shape), dB = Tensor.Zeros(b.Shape);
        dX.Fill(0.5f);
        dK.Fill(0.5f);
        dB.Fill(0.5f);
        TensorKernels.Conv2DBackward(x, k, dY, dX, dK, dB, stride, padding);

        (double[] rx, double[] rk, double[] rb) = Conv2DBackward(D(x), xs, D(k), ks, D(dY), stride, padding);
        Near(rx.Select(v => v + 0.5).ToArray(), dX.Span, 1e-4, "dInput");
        Near(rk.Select(v => v + 0.5).ToArray(), dK.Span, 1e-4, "dKernel");
        Near(rb.Select(v => v + 0.5).ToArray(), dB.Span, 1e-4, "dBias");

        // The reference's adjoints are the derivatives of Σ dY ⊙ conv: central differences of the forward reference.
        double[] weights = D(dY);
        Near(CentralDifferences(v => Conv2D(v, xs, D(k), ks, D(b), stride, padding), D(x), weights), dX.Span.ToArray().Select(v => v - 0.5f).ToArray(), 1e-3, "dInput vs differences");
        Near(CentralDifferences(v => Conv2D(D(x), xs, v, ks, D(b), stride, padding), D(k), weights), dK.Span.ToArray().Select(v => v - 0.5f).ToArray(), 1e-3, "dKernel vs differences");
        Near(CentralDifferences(v => Conv2D(D(x), xs, D(k), ks, v, stride, padding), D(b), weights), dB.Span.ToArray().Select(v => v - 0.5f).ToArray(), 1e-3, "dBias vs differences");
    }

    [Fact]
    public void Backward_skips_default_adjoints()
    {
        Tensor x = Reference.RandomTensor(8, 2, 3, 7, 5);
        Tensor k = Reference.RandomTensor(9, 4, 3, 3, 3);
        Tensor dY = Reference.RandomTensor(10, 2, 4, 7, 5);
        Tensor dK = Tensor.Zeros(k.Shape);
        TensorKernels.Conv2DBackward(x, k, dY, default, dK, default, 1, 1);
        (_, double[] rk, _) = Conv2DBackward(D(x), new[] { 2, 3, 7, 5 }, D(k), new[] { 4, 3, 3, 3 }, D(dY), 1, 1);
        Near(rk, dK.Span, 1e-4, "dKernel");
    }

    [Fact]
    public void A_batch_larger_than_the_scratch_is_convolved_a_group_of_samples_at_a_time()
    {
        // 16 channels of 32 × 32 with 3 × 3 filters unfold to 144 × 1024 per sample: 27 samples need two groups.
        int[] xs = { 27, 16, 32, 32 }, ks = { 16, 16, 3, 3 };
        Tensor x = Reference.RandomTensor(11, xs);
        Tensor k = Reference.RandomTensor(12, ks);
        Tensor b = Reference.RandomTensor(13, 16);
        Tensor y = Tensor.Conv2D(x, k, b, 1, 1);
        Near(Conv2D(D(x), xs, D(k), ks, D(b), 1, 1), y.Span, 1e-4, "Conv2D");

        Tensor dY = Reference.RandomTensor(14, y.Shape.ToArray());
        Tensor dX = Tensor.Zeros(x.Shape), dK = Tensor.Zeros(k.Shape);
        TensorKernels.Conv2DBackward(x, k, dY, dX, dK, default, 1, 1);
        (double[] rx, double[] rk, _) = Conv2DBackward(D(x), xs, D(k), ks, D(dY), 1, 1);
        Near(rx, dX.Span, 1e-4, "dInput");
        Near(rk, dK.Span, 1e-3, "dKernel");
    }

    [Fact]
    public void Forward_accumulates_when_asked()
    {
        Tensor x = Reference.RandomTensor(15, 2, 3, 7, 5);
        Tensor k = Reference.RandomTensor(16, 2, 3, 2, 3);
        Tensor y = Tensor.Zeros(2, 2, 4, 3);
        y.Fill(1f);
        TensorKernels.Conv2D(x, k, default, y, 2, 1, accumulate: true);
        Near(Conv2D(D(x), new[] { 2, 3, 7, 5 }, D(k), new[] { 2, 3, 2, 3 }, null, 2, 1).Select(v => v + 1).ToArray(), y.Span, 1e-5, "accumulated");
    }

    [Fact]
    public void AddChannelBias_adds_bias_k_to_every_position_of_channel_k()
    {
        Tensor y = Tensor.Zeros(2, 3, 2, 2);
        Tensor b = Tensor.FromArray(new[] { 1f, 2f, 3f });
        TensorKernels.AddChannelBias(b, y);
        for (int e = 0; e < y.Length; e++)
        {
            Assert.Equal(1 + (e / 4 % 3), y.Span[e]);
        }
    }

    [Fact]
    public void Bad_shapes_say_what_is_wrong()
    {
        Tensor x = Tensor.Zeros(2, 3, 7, 5);
        var channels = Assert.Throws<ArgumentException>(() => Tensor.Conv2D(x, Tensor.Zeros(4, 2, 3, 3)));
        Assert.Contains("[2, 3, 7, 5]", channels.Message);
        Assert.Contains("[4, 2, 3, 3]", channels.Message);
        Assert.Contains("channels", channels.Message);

        var rank = Assert.Throws<ArgumentException>(() => Tensor.Conv2D(Tensor.Zeros(3, 7, 5), Tensor.Zeros(4, 3, 3, 3)));
        Assert.Contains("[3, 7, 5]", rank.Message);
        Assert.Contains("rank 4", rank.Message);

        var window = Assert.Throws<ArgumentException>(() => Tensor.Conv2D(x, Tensor.Zeros(4, 3, 9, 3)));
        Assert.Contains("fit", window.Message);
        Assert.Contains("[4, 3, 9, 3]", window.Message);

        var bias = Assert.Throws<ArgumentException>(() => Tensor.Conv2D(x, Tensor.Zeros(4, 3, 3, 3), Tensor.Zeros(3)));
        Assert.Contains("[3]", bias.Message);
        Assert.Contains("[4, 3, 3, 3]", bias.Message);

        var result = Assert.Throws<ArgumentException>(() => TensorKernels.Conv2D(x, Tensor.Zeros(4, 3, 3, 3), default, Tensor.Zeros(2, 4, 5, 5)));
        Assert.Contains("[2, 4, 5, 3]", result.Message);
        Assert.Contains("[2, 4, 5, 5]", result.Message);

        var pool = Assert.Throws<ArgumentException>(() => Tensor.MaxPool2D(x, 6));
        Assert.Contains("6 × 6", pool.Message);
        Assert.Contains("[2, 3, 7, 5]", pool.Message);
        Assert.Throws<ArgumentException>(() => Tensor.AvgPool2D(Tensor.Zeros(4, 4), 2));
        var flat = Assert.Throws<ArgumentException>(() => Tensor.Flatten(Tensor.Zeros(4)));
        Assert.Contains("[4]", flat.Message);
    }

    [Fact]
    public void Bad_strides_paddings_and_sizes_say_what_is_allowed()
    {
        Tensor x = Tensor.Zeros(1, 1, 4, 4);
        Tensor k = Tensor.Zeros(1, 1, 2, 2);
        var stride = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Conv2D(x, k, stride: 0));
        Assert.Equal("stride", stride.ParamName);
        Assert.Contains("1 or more", stride.Message);
        var padding = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Conv2D(x, k, padding: -1));
        Assert.Equal("padding", padding.ParamName);
        Assert.Contains("0 or more", padding.Message);
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.MaxPool2D(x, 0));
        Assert.Equal("size", size.ParamName);
        Assert.Contains("1 or more", size.Message);
        var poolStride = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.AvgPool2D(x, 2, -1));
        Assert.Equal("stride", poolStride.ParamName);
    }

    [Fact]
    public void Convolution_and_pooling_kernels_allocate_nothing_in_steady_state()
    {
        Tensor x = Reference.RandomTensor(17, 8, 3, 9, 7);
        Tensor k = Reference.RandomTensor(18, 4, 3, 3, 3);
        Tensor b = Reference.RandomTensor(19, 4);
        Tensor y = Tensor.Zeros(8, 4, 5, 4);
        Tensor dY = Reference.RandomTensor(20, 8, 4, 5, 4);
        Tensor dX = Tensor.Zeros(x.Shape), dK = Tensor.Zeros(k.Shape), dB = Tensor.Zeros(b.Shape);
        Tensor pooled = Tensor.Zeros(8, 3, 4, 3);
        Tensor dPooled = Reference.RandomTensor(21, 8, 3, 4, 3);

        void Run()
        {
            TensorKernels.Conv2D(x, k, b, y, 2, 1);
            TensorKernels.Conv2DBackward(x, k, dY, dX, dK, dB, 2, 1);
            TensorKernels.AddChannelBias(b, y);
            TensorKernels.MaxPool2D(x, pooled, 2, 2);
            TensorKernels.MaxPool2DBackward(x, dPooled, dX, 2, 2);
            TensorKernels.MaxPool2DTangent(x, dX, pooled, 2, 2);
            TensorKernels.AvgPool2D(x, pooled, 2, 2);
            TensorKernels.AvgPool2DBackward(dPooled, dX, 2, 2);
        }

        Run();
        Assert.Equal(0, Allocations.Fewest(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                Run();
            }
        }));
    }
}
