using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;
using Naive = Backprop.Symbolic.Tests.Kernels.ConvolutionReference;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Conv2D (input, kernel and bias), MaxPool2D, AvgPool2D and Flatten in [Differentiable] methods: every adjoint against
/// central differences of a loss written with the plain double loops of <see cref="Naive"/>, the adjoints of a linear
/// read-out against the naive backward loops, forward mode against the gradient, over strides 1 and 2, paddings 0 to 2,
/// 7 × 5 images, 3 × 3 and 2 × 3 kernels, one and three channels, one and two samples; and a small CNN of layers.
/// </summary>
public sealed class ConvolutionTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace Convolutions;

        public static partial class Ops
        {
            [Differentiable(nameof(x), nameof(k))]
            public static float Linear(Tensor x, Tensor k, Tensor w, int stride, int padding) => Sum(Conv2D(x, k, stride, padding) * w);

            [Differentiable(nameof(x), nameof(k), nameof(b))]
            public static float Biased(Tensor x, Tensor k, Tensor b, Tensor w, int stride, int padding) => Sum(Tanh(Conv2D(x, k, b, stride, padding)) * w);

            [Differentiable(nameof(x), nameof(k), nameof(b))]
            public static float BiasedLinear(Tensor x, Tensor k, Tensor b, Tensor w, int stride, int padding) => Sum(Conv2D(x, k, b, stride, padding) * w);

            [Differentiable(nameof(b))]
            public static float BiasOnly(Tensor x, Tensor k, Tensor b, Tensor w) => Sum(Square(Conv2D(x, k, b, 1, 1)) * w);

            [Differentiable(nameof(x))]
            public static float MaxPooled(Tensor x, Tensor w, int size, int stride) => Sum(MaxPool2D(Square(x), size, stride) * w);

            [Differentiable(nameof(x))]
            public static float AvgPooled(Tensor x, Tensor w, int size, int stride) => Sum(Exp(AvgPool2D(x, size, stride)) * w);

            [Differentiable(nameof(x))]
            public static float PooledBySize(Tensor x, Tensor w) => Sum(MaxPool2D(x, 2) * w) + Sum(Square(AvgPool2D(x, 2)));

            // The flattened tensor has another use, reversed after (FlattenedFirst) or before (FlattenedShared) the Flatten.
            [Differentiable(nameof(x))]
            public static float FlattenedFirst(Tensor x, Tensor w, Tensor v)
            {
                Tensor h = Tanh(x);
                return Sum(Square(h) * v) + Sum(MatMul(Flatten(h), w));
            }

            [Differentiable(nameof(x))]
            public static float FlattenedShared(Tensor x, Tensor w, Tensor v)
            {
                Tensor h = Tanh(x);
                return Sum(MatMul(Flatten(h), w)) + Sum(Square(h) * v);
            }

            [Differentiable]
            public static Tensor Features(Tensor x, Tensor k1, Tensor b1, Tensor k2) =>
                Flatten(Relu(Conv2D(MaxPool2D(Relu(Conv2D(x, k1, b1, 1, 1)), 2), k2, 1, 0)));

            [Differentiable(nameof(k1), nameof(b1), nameof(k2), nameof(w), nameof(c))]
            public static float Cnn(Tensor x, ReadOnlySpan<int> labels, Tensor k1, Tensor b1, Tensor k2, Tensor w, Tensor c) =>
                SoftmaxCrossEntropy(MatMul(Features(x, k1, b1, k2), w) + c, labels);

            public static float CnnArraysGradient(Tensor x, int[] labels, Tensor k1, Tensor b1, Tensor k2, Tensor w, Tensor c,
                Tensor dK1, Tensor dB1, Tensor dK2, Tensor dW, Tensor dC) => CnnGradient(x, labels, k1, b1, k2, w, c, dK1, dB1, dK2, dW, dC);

            public static float CnnArraysDerivative(Tensor x, int[] labels, Tensor k1, Tensor b1, Tensor k2, Tensor w, Tensor c,
                Tensor dK1, Tensor dB1, Tensor dK2, Tensor dW, Tensor dC, out float derivative) =>
                CnnDerivative(x, labels, k1, b1, k2, w, c, dK1, dB1, dK2, dW, dC, out derivative);

            /// <summary>The fewest bytes, over up to three rounds, that <paramref name="calls"/> gradient and derivative calls allocate on this thread once warm.</summary>
            public static long CnnAllocations(Tensor x, int[] labels, Tensor k1, Tensor b1, Tensor k2, Tensor w, Tensor c, int calls)
            {
                Tensor dK1 = Zeros(k1.Shape), dB1 = Zeros(b1.Shape), dK2 = Zeros(k2.Shape), dW = Zeros(w.Shape), dC = Zeros(c.Shape);
                float sink = 0;
                for (int i = 0; i < 20; i++)
                {
                    sink += CnnGradient(x, labels, k1, b1, k2, w, c, dK1, dB1, dK2, dW, dC);
                    sink += CnnDerivative(x, labels, k1, b1, k2, w, c, dK1, dB1, dK2, dW, dC, out float d);
                }
                long fewest = long.MaxValue;
                for (int round = 0; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < calls; i++)
                    {
                        sink += CnnGradient(x, labels, k1, b1, k2, w, c, dK1, dB1, dK2, dW, dC);
                        sink += CnnDerivative(x, labels, k1, b1, k2, w, c, dK1, dB1, dK2, dW, dC, out float d);
                    }
                    fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                }
                return float.IsNaN(sink) ? -1 : fewest;
            }
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Ops => Program.Type("Convolutions.Ops");

    // input [N, C, H, W], kernel [K, C, kh, kw], stride, padding
    public static TheoryData<int[], int[], int, int> Cases => new()
    {
        { new[] { 1, 1, 7, 5 }, new[] { 2, 1, 3, 3 }, 1, 0 },
        { new[] { 2, 3, 7, 5 }, new[] { 2, 3, 3, 3 }, 1, 1 },
        { new[] { 2, 3, 7, 5 }, new[] { 3, 3, 2, 3 }, 2, 1 },
        { new[] { 1, 3, 7, 5 }, new[] { 2, 3, 2, 3 }, 1, 2 },
        { new[] { 2, 1, 7, 5 }, new[] { 2, 1, 3, 3 }, 2, 2 },
        { new[] { 2, 3, 7, 5 }, new[] { 2, 3, 3, 3 }, 2, 0 },
    };

    private static int[] OutputShape(int[] xs, int[] ks, int stride, int padding)
    {
        (int h, int w) = Naive.OutputSize(xs[2], xs[3], ks[2], ks[3], stride, padding);
        return new[] { xs[0], ks[0], h, w };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv2D_adjoints_of_input_kernel_and_bias_match_differences_the_naive_backward_and_forward_mode(int[] xs, int[] ks, int stride, int padding)
    {
        Tensor x = Random(1, -1, 1, xs);
        Tensor k = Random(2, -1, 1, ks);
        Tensor b = Random(3, -1, 1, ks[0]);
        int[] ys = OutputShape(xs, ks, stride, padding);
        Tensor w = Random(4, -1, 1, ys);

        double[][] linear = Matches(Ops, "LinearGradient", new object[] { x, k, w, stride, padding },
            v => Naive.Dot(Naive.Conv2D(v[0], xs, v[1], ks, null, stride, padding), v[2]));
        double[][] biasedLinear = Matches(Ops, "BiasedLinearGradient", new object[] { x, k, b, w, stride, padding },
            v => Naive.Dot(Naive.Conv2D(v[0], xs, v[1], ks, v[2], stride, padding), v[3]));
        Matches(Ops, "BiasedGradient", new object[] { x, k, b, w, stride, padding },
            v => Naive.Dot(Naive.Conv2D(v[0], xs, v[1], ks, v[2], stride, padding).Select(Math.Tanh).ToArray(), v[3]));

        // Σ w ⊙ conv(x, k) + b is linear: its adjoints are the naive backward loops with w as the result's adjoint.
        (double[] dx, double[] dk, double[] db) = Naive.Conv2DBackward(D(x), xs, D(k), ks, D(w), stride, padding);
        Near(dx, linear[0], "dX");
        Near(dk, linear[1], "dK");
        Near(dx, biasedLinear[0], "dX with a bias");
        Near(dk, biasedLinear[1], "dK with a bias");
        Near(db, biasedLinear[2], "dB");

        DerivativeMatchesGradient(Ops, "LinearGradient", "LinearDerivative", new object[] { x, k, w, stride, padding });
        DerivativeMatchesGradient(Ops, "BiasedGradient", "BiasedDerivative", new object[] { x, k, b, w, stride, padding });
    }

    [Fact]
    public void The_bias_alone_is_differentiated_in_both_modes()
    {
        int[] xs = { 2, 3, 7, 5 }, ks = { 4, 3, 3, 3 };
        Tensor x = Random(5, -1, 1, xs);
        Tensor k = Random(6, -1, 1, ks);
        Tensor b = Random(7, -1, 1, 4);
        Tensor w = Random(8, -1, 1, OutputShape(xs, ks, 1, 1));
        object[] args = { x, k, b, w };
        Matches(Ops, "BiasOnlyGradient", args, v => Naive.Dot(Naive.Conv2D(v[0], xs, v[1], ks, v[2], 1, 1).Select(t => t * t).ToArray(), v[3]));
        DerivativeMatchesGradient(Ops, "BiasOnlyGradient", "BiasOnlyDerivative", args);
    }

    [Theory]
    [InlineData(new[] { 1, 1, 7, 5 }, 2, 2)]
    [InlineData(new[] { 2, 3, 7, 5 }, 3, 1)]
    [InlineData(new[] { 2, 3, 7, 5 }, 2, 1)]
    [InlineData(new[] { 2, 1, 7, 5 }, 3, 2)]
    public void Pooling_adjoints_match_differences_of_the_naive_pools_and_forward_mode(int[] xs, int size, int stride)
    {
        Tensor x = Random(9, -2, 2, xs);
        int[] ys = { xs[0], xs[1], ((xs[2] - size) / stride) + 1, ((xs[3] - size) / stride) + 1 };
        Tensor w = Random(10, -1, 1, ys);
        object[] args = { x, w, size, stride };
        Matches(Ops, "MaxPooledGradient", args, v => Naive.Dot(Naive.Pool(v[0].Select(t => t * t).ToArray(), xs, size, stride, max: true), v[1]));
        Matches(Ops, "AvgPooledGradient", args, v => Naive.Dot(Naive.Pool(v[0], xs, size, stride, max: false).Select(Math.Exp).ToArray(), v[1]));
        DerivativeMatchesGradient(Ops, "MaxPooledGradient", "MaxPooledDerivative", args);
        DerivativeMatchesGradient(Ops, "AvgPooledGradient", "AvgPooledDerivative", args);
    }

    [Fact]
    public void A_pool_written_with_its_size_alone_strides_by_its_size()
    {
        int[] xs = { 2, 3, 7, 5 };
        Tensor x = Random(11, -2, 2, xs);
        Tensor w = Random(12, -1, 1, 2, 3, 3, 2);
        object[] args = { x, w };
        Matches(Ops, "PooledBySizeGradient", args, v =>
            Naive.Dot(Naive.Pool(v[0], xs, 2, 2, max: true), v[1]) + Naive.Pool(v[0], xs, 2, 2, max: false).Sum(t => t * t));
        DerivativeMatchesGradient(Ops, "PooledBySizeGradient", "PooledBySizeDerivative", args);
    }

    [Fact]
    public void A_small_cnn_of_layers_matches_differences_of_the_naive_network_in_both_modes()
    {
        // x [2, 1, 8, 6] → conv 3 × 3 pad 1 → [2, 3, 8, 6] → relu, pool 2 → [2, 3, 4, 3] → conv 2 × 2 → [2, 2, 3, 2] → relu → [2, 12] → dense → [2, 4].
        int[] xs = { 2, 1, 8, 6 }, k1s = { 3, 1, 3, 3 }, k2s = { 2, 3, 2, 2 };
        Tensor x = Random(13, -1, 1, xs);
        Tensor k1 = Random(14, -1, 1, k1s);
        Tensor b1 = Random(15, -0.5, 0.5, 3);
        Tensor k2 = Random(16, -1, 1, k2s);
        Tensor w = Random(17, -1, 1, 12, 4);
        Tensor c = Random(18, -0.5, 0.5, 4);
        int[] labels = { 3, 1 };
        object[] args = { x, labels, k1, b1, k2, w, c };
        Matches(Ops, "CnnArraysGradient", args, v =>
        {
            double[] h1 = Naive.Conv2D(v[0], xs, v[2], k1s, v[3], 1, 1).Select(t => Math.Max(t, 0)).ToArray();
            double[] p1 = Naive.Pool(h1, new[] { 2, 3, 8, 6 }, 2, 2, max: true);
            double[] h2 = Naive.Conv2D(p1, new[] { 2, 3, 4, 3 }, v[4], k2s, null, 1, 0).Select(t => Math.Max(t, 0)).ToArray();
            double[] logits = Reference.Zip(Reference.MatMul(h2, v[5], 2, 12, 4), v[6], (p, q) => p + q);
            return Reference.SoftmaxCrossEntropy(logits, v[1], 4);
        });
        DerivativeMatchesGradient(Ops, "CnnArraysGradient", "CnnArraysDerivative", args);
    }

    [Theory]
    [InlineData("FlattenedFirst", ".Reshape(h.Shape)")]
    [InlineData("FlattenedShared", "AddScaled(")]
    public void Flatten_passes_its_adjoint_back_whichever_use_of_its_input_is_reversed_first(string method, string how)
    {
        // Reversed first, the Flatten hands its adjoint on as a view; after another use, it adds it.
        Assert.Contains(how, GeneratorHarness.Run(Program.Source).GeneratedSource("Ops." + method + ".g.cs"));

        int[] xs = { 2, 3, 2, 2 };
        Tensor x = Random(23, -1, 1, xs);
        Tensor w = Random(24, -1, 1, 12, 5);
        Tensor v = Random(25, -1, 1, xs);
        object[] args = { x, w, v };
        Matches(Ops, method + "Gradient", args, q =>
        {
            double[] h = q[0].Select(Math.Tanh).ToArray();
            return Reference.Sum(Reference.MatMul(h, q[1], 2, 12, 5)) + Reference.Sum(Reference.Zip(h.Select(t => t * t).ToArray(), q[2], (p, r) => p * r));
        });
        DerivativeMatchesGradient(Ops, method + "Gradient", method + "Derivative", args);
    }

    [Fact]
    public void A_cnn_gradient_and_derivative_allocate_nothing_in_steady_state()
    {
        object[] args =
        {
            Random(26, -1, 1, 4, 1, 8, 6), new[] { 0, 3, 1, 2 }, Random(27, -1, 1, 3, 1, 3, 3), Random(28, -0.5, 0.5, 3),
            Random(29, -1, 1, 2, 3, 2, 2), Random(30, -1, 1, 12, 4), Random(31, -0.5, 0.5, 4), 50,
        };
        Assert.Equal(0L, (long)Ops.GetMethod("CnnAllocations")!.Invoke(null, args)!);
    }

    [Fact]
    public void A_bad_stride_or_shape_in_a_generated_gradient_says_what_is_wrong_and_what_is_allowed()
    {
        Tensor x = Random(19, -1, 1, 1, 1, 7, 5);
        Tensor k = Random(20, -1, 1, 2, 1, 3, 3);
        Tensor w = Random(21, -1, 1, 1, 2, 5, 3);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Call(Ops, "LinearGradient", x, k, w, 0, 0));
        Assert.Contains("stride must be 1 or more", error.Message);
        var pool = Assert.Throws<ArgumentOutOfRangeException>(() => Call(Ops, "MaxPooledGradient", x, Random(32, -1, 1, 1, 1, 3, 2), 2, 0));
        Assert.StartsWith("MaxPool2D: the stride must be 1 or more", pool.Message);
        var shape = Assert.Throws<ArgumentException>(() => Call(Ops, "LinearGradient", x, Random(22, -1, 1, 2, 3, 3, 3), w, 1, 0));
        Assert.Contains("[1, 1, 7, 5]", shape.Message);
        Assert.Contains("[2, 3, 3, 3]", shape.Message);
    }

    private static double[] D(Tensor t) => t.ToArray().Select(v => (double)v).ToArray();

    private static void Near(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Close(actual[i], expected[i], 1e-4), $"{what}[{i}] is {actual[i]} but the naive backward gives {expected[i]}.");
        }
    }
}
