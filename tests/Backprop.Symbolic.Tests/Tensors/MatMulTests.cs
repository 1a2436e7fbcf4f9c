using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;
using CsCheck;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>
/// The tensor contractions (<see cref="Tensor.MatMul"/>, <see cref="TensorKernels.MatMul"/> and its transposed
/// variants) against a double product, their use as MatMul's backward, and their shape errors.
/// </summary>
public sealed class MatMulTests
{
    /// <summary>
    /// Asserts each element of a float product is within the classic bound of its double reference:
    /// |ĉ − c| ≤ γ · Σ_p |a_ip| |b_pj| (+ |c₀| for an accumulated start), γ = (k + 2) · 2⁻²⁴ · 2, which any
    /// summation order of k float products satisfies (the factor 2 covers the final rounding and the start value).
    /// </summary>
    internal static void AssertProduct(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> start, ReadOnlySpan<float> c,
        int m, int k, int n, bool transposeA, bool transposeB, string what)
    {
        double[] exact = Reference.MatMul(a, b, m, k, n, transposeA, transposeB);
        double gamma = (k + 2) * Math.Pow(2, -24) * 2;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    magnitude += Math.Abs(transposeA ? a[(p * m) + i] : a[(i * k) + p]) * Math.Abs(transposeB ? b[(j * k) + p] : b[(p * n) + j]);
                }
                double s = start.IsEmpty ? 0 : start[(i * n) + j];
                double expected = s + exact[(i * n) + j];
                double bound = (gamma * (magnitude + Math.Abs(s))) + 1e-30;
                double error = Math.Abs(expected - c[(i * n) + j]);
                if (!(error <= bound))
                {
                    Assert.Fail($"{what}: C[{i}, {j}] = {c[(i * n) + j]:R}, expected {expected:R} (error {error:E2} above the bound {bound:E2}).");
                }
            }
        }
    }

    [Fact]
    public void MatMul_of_small_matrices_is_the_textbook_product()
    {
        Tensor a = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Tensor b = Tensor.FromArray(new float[] { 7, 8, 9, 10, 11, 12 }, 3, 2);
        Tensor c = Tensor.MatMul(a, b);
        Assert.Equal(TensorShape.Of(2, 2), c.Shape);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.ToArray());
    }

    public static TheoryData<int, int, int> Sizes => new()
    {
        { 1, 1, 1 }, { 3, 7, 17 }, { 17, 3, 7 }, { 33, 65, 9 }, { 65, 33, 129 }, { 0, 4, 3 }, { 4, 0, 3 }, { 5, 6, 0 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_variant_matches_a_double_product_with_and_without_accumulation(int m, int k, int n)
    {
        foreach (bool transposeA in new[] { false, true })
        {
            foreach (bool transposeB in new[] { false, true })
            {
                Tensor a = Reference.RandomTensor(61, transposeA ? new[] { k, m } : new[] { m, k });
                Tensor b = Reference.RandomTensor(62, transposeB ? new[] { n, k } : new[] { k, n });
                foreach (bool accumulate in new[] { false, true })
                {
                    Tensor c = Tensor.FromArray(Reference.Random(m * n, 63), m, n);
                    float[] start = c.ToArray();
                    switch (transposeA, transposeB)
                    {
                        case (false, false): TensorKernels.MatMul(a, b, c, accumulate); break;
                        case (true, false): TensorKernels.MatMulTransposeA(a, b, c, accumulate); break;
                        case (false, true): TensorKernels.MatMulTransposeB(a, b, c, accumulate); break;
                        default:
                            MatrixProduct.Multiply(a.Span, b.Span, c.Span, m, k, n, transposeA: true, transposeB: true, accumulate);
                            break;
                    }
                    AssertProduct(a.Span, b.Span, accumulate ? start : default, c.Span, m, k, n, transposeA, transposeB,
                        $"{m}×{k}×{n} tA={transposeA} tB={transposeB} acc={accumulate}");
                }
            }
        }
    }

    [Fact]
    public void The_transposed_products_are_MatMuls_backward()
    {
        // L(A, B) = Σ W ⊙ (A · B): dA = W · Bᵀ and dB = Aᵀ · W.
        const int m = 4, k = 5, n = 3;
        Tensor a = Reference.RandomTensor(64, m, k);
        Tensor b = Reference.RandomTensor(65, k, n);
        Tensor w = Reference.RandomTensor(66, m, n);
        double[] wd = Reference.ToDouble(w.Span);
        double[] fdA = Reference.FiniteDifferences(v => Reference.Dot(wd, Reference.MatMul(SoftmaxTests.ToFloat(v), b.Span, m, k, n, false, false)), Reference.ToDouble(a.Span), h: 1e-2);
        double[] fdB = Reference.FiniteDifferences(v => Reference.Dot(wd, Reference.MatMul(a.Span, SoftmaxTests.ToFloat(v), m, k, n, false, false)), Reference.ToDouble(b.Span), h: 1e-2);
        double[] analyticA = Reference.MatMul(w.Span, b.Span, m, n, k, false, true);
        double[] analyticB = Reference.MatMul(a.Span, w.Span, k, m, n, true, false);
        Reference.AssertClose(analyticA, fdA, 1e-5, "dA formula");
        Reference.AssertClose(analyticB, fdB, 1e-5, "dB formula");

        Tensor dA = Tensor.FromArray(Reference.Random(m * k, 67), m, k);
        Tensor dB = Tensor.FromArray(Reference.Random(k * n, 68), k, n);
        double[] beforeA = Reference.ToDouble(dA.Span);
        double[] beforeB = Reference.ToDouble(dB.Span);
        TensorKernels.MatMulTransposeB(w, b, dA, accumulate: true);
        TensorKernels.MatMulTransposeA(a, w, dB, accumulate: true);
        Reference.AssertClose(SoftmaxTests.Add(beforeA, fdA), dA.Span, 1e-5, "dA");
        Reference.AssertClose(SoftmaxTests.Add(beforeB, fdB), dB.Span, 1e-5, "dB");
    }

    [Fact]
    public void Random_sizes_and_variants_match_a_double_product()
    {
        Gen.Select(Gen.Int[0, 40], Gen.Int[0, 40], Gen.Int[0, 40], Gen.Int[0, 7], Gen.Int)
            .Sample((m, k, n, flags, seed) =>
            {
                bool transposeA = (flags & 1) != 0, transposeB = (flags & 2) != 0, accumulate = (flags & 4) != 0;
                float[] a = Reference.Random(m * k, seed);
                float[] b = Reference.Random(k * n, seed + 1);
                float[] c = Reference.Random(m * n, seed + 2);
                float[] start = (float[])c.Clone();
                MatrixProduct.Multiply(a, b, c, m, k, n, transposeA, transposeB, accumulate);
                AssertProduct(a, b, accumulate ? start : default, c, m, k, n, transposeA, transposeB, $"{m}×{k}×{n} flags {flags}");
            }, iter: 300);
    }

    [Fact]
    public void Mismatched_inner_sizes_name_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Contains("MatMul", error.Message);
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("[4, 5]", error.Message);
        var transposed = Assert.Throws<ArgumentException>(() => TensorKernels.MatMulTransposeA(Tensor.Zeros(3, 2), Tensor.Zeros(4, 5), Tensor.Zeros(2, 5)));
        Assert.Contains("[3, 2]", transposed.Message);
        Assert.Contains("[4, 5]", transposed.Message);
        Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(2, 3, 1), Tensor.Zeros(3, 5)));
    }

    [Fact]
    public void A_result_of_the_wrong_shape_or_sharing_an_operands_memory_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => TensorKernels.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(3, 5), Tensor.Zeros(5, 2)));
        Assert.Contains("[5, 2]", error.Message);
        Assert.Contains("[2, 5]", error.Message);
        Tensor square = Tensor.Zeros(3, 3);
        Assert.Throws<ArgumentException>(() => TensorKernels.MatMul(square, Tensor.Zeros(3, 3), square));
    }

    [Fact]
    public void The_span_kernel_reports_short_spans_and_negative_sizes()
    {
        Assert.Throws<ArgumentException>(() => MatrixProduct.Multiply(new float[5], new float[6], new float[4], 2, 3, 2));
        Assert.Throws<ArgumentException>(() => MatrixProduct.Multiply(new float[6], new float[6], new float[4], 2, -3, 2));
    }
}
