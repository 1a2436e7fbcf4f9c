using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// <c>x.Reshape(d0, …)</c> in [Differentiable] code: the network that applies one function to each word and concatenates
/// (or averages) the results over a window of positions, a reshaped parameter read twice, a layer returning a reshape;
/// gradients against central differences of a double-precision reference and against their analytic value, forward
/// mode against reverse mode, no allocation per call, and the shape error of a reshape that does not fit.
/// </summary>
public sealed class ReshapeTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace TensorReshape;

        public static partial class Words
        {
            [Differentiable(nameof(embedding), nameof(a), nameof(b), nameof(c), nameof(d))]
            public static float Concatenated(Tensor embedding, ReadOnlySpan<int> tokens, ReadOnlySpan<int> labels, int window, int hidden,
                Tensor a, Tensor b, Tensor c, Tensor d)
            {
                Tensor words = Gather(embedding, tokens);
                Tensor perWord = Tanh(MatMul(words, a) + b);
                Tensor sentence = perWord.Reshape(labels.Length, window * hidden);
                return SoftmaxCrossEntropy(MatMul(sentence, c) + d, labels);
            }

            [Differentiable(nameof(embedding), nameof(a), nameof(b), nameof(c), nameof(d))]
            public static float Pooled(Tensor embedding, ReadOnlySpan<int> tokens, ReadOnlySpan<int> labels, int window, int hidden,
                Tensor a, Tensor b, Tensor c, Tensor d)
            {
                Tensor perWord = Tanh(MatMul(Gather(embedding, tokens), a) + b);
                Tensor pooled = Mean(perWord.Reshape(labels.Length, window, hidden), 1);
                return SoftmaxCrossEntropy(MatMul(pooled, c) + d, labels);
            }

            [Differentiable]
            public static Tensor PerWord(ReadOnlySpan<int> tokens, ReadOnlySpan<int> ngrams, Tensor words, Tensor grams, Tensor a, Tensor b)
            {
                Tensor vectors = Gather(words, tokens) + Mean(Gather(grams, ngrams).Reshape(tokens.Length, ngrams.Length / tokens.Length, -1), 1);
                return Tanh(MatMul(vectors, a) + b);
            }

            [Differentiable]
            public static Tensor Scores(ReadOnlySpan<int> tokens, ReadOnlySpan<int> ngrams, int window, Tensor words, Tensor grams, Tensor a, Tensor b, Tensor c, Tensor d) =>
                MatMul(PerWord(tokens, ngrams, words, grams, a, b).Reshape(tokens.Length / window, -1), c) + d;

            [Differentiable(nameof(words), nameof(grams), nameof(a), nameof(b), nameof(c), nameof(d))]
            public static float Layered(ReadOnlySpan<int> tokens, ReadOnlySpan<int> ngrams, ReadOnlySpan<int> labels, int window,
                Tensor words, Tensor grams, Tensor a, Tensor b, Tensor c, Tensor d) =>
                SoftmaxCrossEntropy(Scores(tokens, ngrams, window, words, grams, a, b, c, d), labels);

            public static float LayeredArraysGradient(int[] tokens, int[] ngrams, int[] labels, int window, Tensor words, Tensor grams, Tensor a, Tensor b, Tensor c, Tensor d,
                Tensor dWords, Tensor dGrams, Tensor dA, Tensor dB, Tensor dC, Tensor dD) =>
                LayeredGradient(tokens, ngrams, labels, window, words, grams, a, b, c, d, dWords, dGrams, dA, dB, dC, dD);

            public static float LayeredArraysDerivative(int[] tokens, int[] ngrams, int[] labels, int window, Tensor words, Tensor grams, Tensor a, Tensor b, Tensor c, Tensor d,
                Tensor dWords, Tensor dGrams, Tensor dA, Tensor dB, Tensor dC, Tensor dD, out float derivative) =>
                LayeredDerivative(tokens, ngrams, labels, window, words, grams, a, b, c, d, dWords, dGrams, dA, dB, dC, dD, out derivative);

            public static long LayeredAllocations(int[] tokens, int[] ngrams, int[] labels, int window, Tensor words, Tensor grams, Tensor a, Tensor b, Tensor c, Tensor d, int calls)
            {
                Tensor dW = Zeros(words.Shape), dG = Zeros(grams.Shape), dA = Zeros(a.Shape), dB = Zeros(b.Shape), dC = Zeros(c.Shape), dD = Zeros(d.Shape);
                long fewest = long.MaxValue;
                for (int round = -1; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < (round < 0 ? 20 : calls); i++)
                    {
                        LayeredGradient(tokens, ngrams, labels, window, words, grams, a, b, c, d, dW, dG, dA, dB, dC, dD);
                    }
                    if (round >= 0)
                    {
                        fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                    }
                }
                return fewest;
            }

            [Differentiable(nameof(x))]
            public static float Squares(Tensor x, Tensor w) => Sum(Square(x.Reshape(2, -1)) * w);

            [Differentiable]
            public static float ProductFirst(Tensor x, Tensor v, Tensor w) => Sum(x * v) + Sum(MatMul(x.Reshape(2, 6), w));

            [Differentiable]
            public static float ProductLast(Tensor x, Tensor v, Tensor w) => Sum(MatMul(x.Reshape(2, 6), w)) + Sum(x * v);

            [Differentiable]
            public static float Fitted(Tensor x, int rows, int columns) => Sum(Square(x.Reshape(rows, columns)));

            [Differentiable]
            public static Tensor Flatten(Tensor x, Tensor a) => Tanh(MatMul(x, a)).Reshape(-1);

            [Differentiable]
            public static Tensor Flat(Tensor x) => x.Reshape(-1);

            [Differentiable(nameof(x), nameof(a))]
            public static float ThroughLayers(Tensor x, Tensor a, Tensor w) => Sum(Square(Flatten(x, a)) * w) + Sum(Exp(Flat(x)) * w);

            public static float ConcatenatedArrays(Tensor embedding, int[] tokens, int[] labels, int window, int hidden, Tensor a, Tensor b, Tensor c, Tensor d) =>
                Concatenated(embedding, tokens, labels, window, hidden, a, b, c, d);

            public static float ConcatenatedArraysGradient(Tensor embedding, int[] tokens, int[] labels, int window, int hidden, Tensor a, Tensor b, Tensor c, Tensor d,
                Tensor dEmbedding, Tensor dA, Tensor dB, Tensor dC, Tensor dD) =>
                ConcatenatedGradient(embedding, tokens, labels, window, hidden, a, b, c, d, dEmbedding, dA, dB, dC, dD);

            public static float ConcatenatedArraysDerivative(Tensor embedding, int[] tokens, int[] labels, int window, int hidden, Tensor a, Tensor b, Tensor c, Tensor d,
                Tensor dEmbedding, Tensor dA, Tensor dB, Tensor dC, Tensor dD, out float derivative) =>
                ConcatenatedDerivative(embedding, tokens, labels, window, hidden, a, b, c, d, dEmbedding, dA, dB, dC, dD, out derivative);

            public static float PooledArraysGradient(Tensor embedding, int[] tokens, int[] labels, int window, int hidden, Tensor a, Tensor b, Tensor c, Tensor d,
                Tensor dEmbedding, Tensor dA, Tensor dB, Tensor dC, Tensor dD) =>
                PooledGradient(embedding, tokens, labels, window, hidden, a, b, c, d, dEmbedding, dA, dB, dC, dD);

            public static float PooledArraysDerivative(Tensor embedding, int[] tokens, int[] labels, int window, int hidden, Tensor a, Tensor b, Tensor c, Tensor d,
                Tensor dEmbedding, Tensor dA, Tensor dB, Tensor dC, Tensor dD, out float derivative) =>
                PooledDerivative(embedding, tokens, labels, window, hidden, a, b, c, d, dEmbedding, dA, dB, dC, dD, out derivative);

            /// <summary>The fewest bytes <paramref name="calls"/> warmed-up gradient calls allocate on this thread, over up to three rounds.</summary>
            public static long Allocations(Tensor embedding, int[] tokens, int[] labels, int window, int hidden, Tensor a, Tensor b, Tensor c, Tensor d, bool pooled, int calls)
            {
                Tensor dE = Zeros(embedding.Shape), dA = Zeros(a.Shape), dB = Zeros(b.Shape), dC = Zeros(c.Shape), dD = Zeros(d.Shape);
                long fewest = long.MaxValue;
                for (int round = -1; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < (round < 0 ? 20 : calls); i++)
                    {
                        if (pooled)
                        {
                            PooledGradient(embedding, tokens, labels, window, hidden, a, b, c, d, dE, dA, dB, dC, dD);
                        }
                        else
                        {
                            ConcatenatedGradient(embedding, tokens, labels, window, hidden, a, b, c, d, dE, dA, dB, dC, dD);
                        }
                    }
                    if (round >= 0)
                    {
                        fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                    }
                }
                return fewest;
            }
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Words => Program.Type("TensorReshape.Words");

    private const int Batch = 3, Window = 4, EmbeddingWidth = 3, Hidden = 2, Classes = 3, Vocabulary = 7;

    /// <summary>Embedding [7, 3], 12 tokens (3 sentences of 4, repeated tokens, row 6 unused), labels, sizes, a [3, 2], b [2], c, d.</summary>
    private static object[] Arguments(bool pooled) => new object[]
    {
        Random(1, -1, 1, Vocabulary, EmbeddingWidth),
        new[] { 0, 2, 2, 5, 1, 0, 3, 3, 4, 2, 1, 0 },
        new[] { 2, 0, 1 },
        Window,
        Hidden,
        Random(2, -1, 1, EmbeddingWidth, Hidden),
        Random(3, -0.5, 0.5, Hidden),
        Random(4, -1, 1, pooled ? Hidden : Window * Hidden, Classes),
        Random(5, -0.5, 0.5, Classes),
    };

    /// <summary>tanh(E[token]·A + b) for every token: [Batch·Window, Hidden], row-major.</summary>
    private static double[] PerWord(double[][] v)
    {
        double[] words = v[1].SelectMany(t => v[0].Skip((int)t * EmbeddingWidth).Take(EmbeddingWidth)).ToArray();
        return Reference.Map(Reference.Zip(Reference.MatMul(words, v[5], Batch * Window, EmbeddingWidth, Hidden), Tile(v[6], Batch * Window), (p, q) => p + q), Math.Tanh);
    }

    private static double[] Tile(double[] row, int times) => Enumerable.Repeat(row, times).SelectMany(r => r).ToArray();

    /// <summary>The concatenation is the per-word results read row after row: sentence s holds words s·W … s·W + W − 1.</summary>
    private static double ConcatenatedReference(double[][] v) =>
        Reference.SoftmaxCrossEntropy(
            Reference.Zip(Reference.MatMul(PerWord(v), v[7], Batch, Window * Hidden, Classes), Tile(v[8], Batch), (p, q) => p + q), v[2], Classes);

    /// <summary>The mean over the window of each sentence's per-word results, computed position by position.</summary>
    private static double PooledReference(double[][] v)
    {
        double[] perWord = PerWord(v);
        var pooled = new double[Batch * Hidden];
        for (int s = 0; s < Batch; s++)
        {
            for (int h = 0; h < Hidden; h++)
            {
                for (int p = 0; p < Window; p++)
                {
                    pooled[s * Hidden + h] += perWord[(s * Window + p) * Hidden + h] / Window;
                }
            }
        }
        return Reference.SoftmaxCrossEntropy(
            Reference.Zip(Reference.MatMul(pooled, v[7], Batch, Hidden, Classes), Tile(v[8], Batch), (p, q) => p + q), v[2], Classes);
    }

    [Fact]
    public void Per_word_results_concatenated_over_the_window()
    {
        object[] args = Arguments(pooled: false);
        double[][] adjoints = Matches(Words, "ConcatenatedArraysGradient", args, ConcatenatedReference);
        // The row of the embedding no token reads gets no gradient; the others do.
        Assert.All(adjoints[0].Skip(EmbeddingWidth * 6), d => Assert.Equal(0, d));
        Assert.Contains(adjoints[0].Take(EmbeddingWidth * 6), d => d != 0);
        DerivativeMatchesGradient(Words, "ConcatenatedArraysGradient", "ConcatenatedArraysDerivative", args);
        float primal = (float)Words.GetMethod("ConcatenatedArrays")!.Invoke(null, args)!;
        Assert.True(Close(Call(Words, "ConcatenatedArraysGradient", args).Value, primal, 1e-5));
    }

    [Fact]
    public void Per_word_results_averaged_over_the_window_a_mean_along_axis_1_of_a_rank_3_view()
    {
        object[] args = Arguments(pooled: true);
        Matches(Words, "PooledArraysGradient", args, PooledReference);
        DerivativeMatchesGradient(Words, "PooledArraysGradient", "PooledArraysDerivative", args);
    }

    [Fact]
    public void Layers_with_character_n_grams_averaged_over_a_rank_3_view()
    {
        // The sample's network: 12 tokens, 3 n-gram slots each (0 = the padding row), an n-gram table of 5 rows.
        int[] tokens = { 0, 2, 2, 5, 1, 0, 3, 3, 4, 2, 1, 0 };
        int[] ngrams = Enumerable.Range(0, 36).Select(k => (k * 7 + k / 5) % 5).ToArray();
        object[] args =
        {
            tokens, ngrams, new[] { 2, 0, 1 }, Window, Random(51, -1, 1, Vocabulary, EmbeddingWidth), Random(52, -1, 1, 5, EmbeddingWidth),
            Random(53, -1, 1, EmbeddingWidth, Hidden), Random(54, -0.5, 0.5, Hidden), Random(55, -1, 1, Window * Hidden, Classes), Random(56, -0.5, 0.5, Classes),
        };
        Matches(Words, "LayeredArraysGradient", args, v =>
        {
            // v: tokens, ngrams, labels, window, words, grams, a, b, c, d; each word's vector: its row plus the mean of its 3 n-gram rows.
            double[] vectors = new double[Batch * Window * EmbeddingWidth];
            for (int t = 0; t < Batch * Window; t++)
            {
                for (int e = 0; e < EmbeddingWidth; e++)
                {
                    double mean = Enumerable.Range(0, 3).Average(k => v[5][(int)v[1][t * 3 + k] * EmbeddingWidth + e]);
                    vectors[t * EmbeddingWidth + e] = v[4][(int)v[0][t] * EmbeddingWidth + e] + mean;
                }
            }
            double[] perWord = Reference.Map(Reference.Zip(Reference.MatMul(vectors, v[6], Batch * Window, EmbeddingWidth, Hidden), Tile(v[7], Batch * Window), (p, q) => p + q), Math.Tanh);
            return Reference.SoftmaxCrossEntropy(
                Reference.Zip(Reference.MatMul(perWord, v[8], Batch, Window * Hidden, Classes), Tile(v[9], Batch), (p, q) => p + q), v[2], Classes);
        });
        DerivativeMatchesGradient(Words, "LayeredArraysGradient", "LayeredArraysDerivative", args);
        Assert.Equal(0L, (long)Words.GetMethod("LayeredAllocations")!.Invoke(null, args.Append(50).ToArray())!);
    }

    [Fact]
    public void Reshaped_parameter_has_the_analytic_gradient()
    {
        // Σ (x reshaped)² · w over the same flat positions: ∂/∂x_k = 2 x_k w_k.
        Tensor x = Random(11, -1, 1, 3, 4);
        Tensor w = Random(12, -1, 1, 2, 6);
        object[] args = { x, w };
        double[][] adjoints = Matches(Words, "SquaresGradient", args, v => Reference.Sum(Reference.Zip(Reference.Map(v[0], t => t * t), v[1], (p, q) => p * q)));
        float[] xs = x.ToArray(), ws = w.ToArray();
        for (int k = 0; k < xs.Length; k++)
        {
            Assert.Equal(2.0 * xs[k] * ws[k], adjoints[0][k], 5);
        }
        DerivativeMatchesGradient(Words, "SquaresGradient", "SquaresDerivative", args);
    }

    [Theory]
    [InlineData("ProductFirst")]
    [InlineData("ProductLast")]
    public void Parameter_read_directly_and_through_a_reshape(string name)
    {
        // Σ x ⊙ v + Σ (x as [2, 6])·w: ∂/∂x = v + (the row sums of w, as x's [3, 4] layout).
        Tensor x = Random(21, -1, 1, 3, 4), v = Random(22, -1, 1, 3, 4), w = Random(23, -1, 1, 6, 2);
        object[] args = { x, v, w };
        double[][] adjoints = Matches(Words, name + "Gradient", args, r =>
            Reference.Sum(Reference.Zip(r[0], r[1], (p, q) => p * q)) + Reference.Sum(Reference.MatMul(r[0], r[2], 2, 6, 2)));
        float[] vs = v.ToArray(), ws = w.ToArray();
        for (int k = 0; k < 12; k++)
        {
            Assert.Equal(vs[k] + ws[(k % 6) * 2] + ws[(k % 6) * 2 + 1], adjoints[0][k], 5);
        }
        DerivativeMatchesGradient(Words, name + "Gradient", name + "Derivative", args);
    }

    [Fact]
    public void Layers_returning_a_reshape_leave_the_callers_adjoint_alone()
    {
        Tensor x = Random(31, -1, 1, 2, 3), a = Random(32, -1, 1, 3, 3), w = Random(33, -1, 1, 6);
        object[] args = { x, a, w };
        Matches(Words, "ThroughLayersGradient", args, v =>
            Reference.Sum(Reference.Zip(Reference.Map(Reference.MatMul(v[0], v[1], 2, 3, 3), t => Math.Tanh(t) * Math.Tanh(t)), v[2], (p, q) => p * q))
            + Reference.Sum(Reference.Zip(Reference.Map(v[0], Math.Exp), v[2], (p, q) => p * q)));
        DerivativeMatchesGradient(Words, "ThroughLayersGradient", "ThroughLayersDerivative", args);

        // The pullback adds to the adjoint it is given and reads dResult without writing into it.
        Tensor dResult = Random(34, -1, 1, 6), dX = Random(35, -1, 1, 2, 3);
        float[] resultBefore = dResult.ToArray(), xBefore = dX.ToArray();
        Words.GetMethod("FlatPullback")!.Invoke(null, new object[] { x, dResult, dX });
        Assert.Equal(resultBefore, dResult.ToArray());
        Assert.Equal(xBefore.Zip(resultBefore, (p, q) => p + q).ToArray(), dX.ToArray());
    }

    [Fact]
    public void Steady_state_gradient_calls_allocate_nothing()
    {
        foreach (bool pooled in new[] { false, true })
        {
            object[] args = Arguments(pooled).Append(pooled).Append(50).ToArray();
            Assert.Equal(0L, (long)Words.GetMethod("Allocations")!.Invoke(null, args)!);
        }
    }

    [Fact]
    public void Reshape_to_another_element_count_names_both_shapes()
    {
        Tensor x = Random(41, -1, 1, 3, 4);
        var error = Assert.Throws<ArgumentException>(() => Call(Words, "FittedGradient", x, 5, 5));
        Assert.Contains("[3, 4] (12 elements)", error.Message);
        Assert.Contains("[5, 5] (25 elements)", error.Message);
        (double value, double[][] adjoints) = Call(Words, "FittedGradient", x, 6, 2);
        Assert.Equal(x.ToArray().Sum(t => (double)t * t), value, 4);
        Assert.Equal(x.ToArray().Select(t => 2.0 * t), adjoints[0], new ToleranceComparer(1e-6));
    }

    [Fact]
    public void Sentence_network_snapshot()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;

            namespace Samples;

            public static partial class Sentences
            {
                [Differentiable(nameof(embedding), nameof(a), nameof(b), nameof(c), nameof(d))]
                public static float Loss(Tensor embedding, ReadOnlySpan<int> tokens, ReadOnlySpan<int> labels, int window, int hidden,
                    Tensor a, Tensor b, Tensor c, Tensor d)
                {
                    Tensor words = Gather(embedding, tokens);
                    Tensor perWord = Tanh(MatMul(words, a) + b);
                    Tensor sentence = perWord.Reshape(labels.Length, window * hidden);
                    return SoftmaxCrossEntropy(MatMul(sentence, c) + d, labels);
                }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Sentences.Loss.g.cs"), "SentenceNetwork");
    }

    [Fact]
    public void BPS0018_a_shape_that_is_not_a_list_of_int_dimensions()
    {
        DiagnosticAssert.Reports("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static float F(Tensor x) => Sum([|x.Reshape(TensorShape.Of(2, 6))|]);
            }
            """,
            "BPS0018",
            "'x.Reshape(TensorShape.Of(2, 6))' cannot be differentiated: the shape is not a list of int dimensions in a [Differentiable] method with tensors; "
            + "give the new shape as 1 to 4 int dimensions, x.Reshape(rows, columns), one of them -1 to infer it");
    }

    [Fact]
    public void BPS0018_more_than_four_dimensions()
    {
        DiagnosticAssert.Reports("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static float F(Tensor x, int n) => Sum([|x.Reshape(1, 1, 1, n, -1)|]);
            }
            """,
            "BPS0018",
            "'x.Reshape(1, 1, 1, n, -1)' gives 5 dimensions, but a tensor has 1 to 4 in a [Differentiable] method with tensors; "
            + "give the new shape as 1 to 4 int dimensions, x.Reshape(rows, columns), one of them -1 to infer it");
    }

    private sealed class ToleranceComparer(double tolerance) : System.Collections.Generic.IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(y));

        public int GetHashCode(double obj) => 0;
    }
}
