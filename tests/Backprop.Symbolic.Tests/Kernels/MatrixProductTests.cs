using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tests.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Kernels;

/// <summary>
/// The blocked matrix-product kernel on sizes around its tile (6 × 16 or 6 × 32), block (96 rows, depth 128/256) and
/// threading boundaries, in every transpose combination, with and without accumulation, against a double product.
/// Each element must be within γ_k · Σ_p |a_ip b_pj| of the exact value (γ_k = 2 (k + 2) 2⁻²⁴, the worst case of any
/// summation order of k float products; see <see cref="MatMulTests.AssertProduct"/>).
/// </summary>
public sealed class MatrixProductTests
{
    private static readonly int[] Sizes = { 1, 3, 7, 17, 33, 65, 129 };

    /// <summary>The kernels this machine runs (the scalar one always; Vector256 with AVX2 + FMA; Vector512 where accelerated).</summary>
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (MatrixProduct.Kernel kernel in Enum.GetValues<MatrixProduct.Kernel>())
        {
            if (MatrixProduct.IsAvailable(kernel))
            {
                data.Add(kernel.ToString());
            }
        }
        return data;
    }

    public static TheoryData<string, int, bool, bool> Cases()
    {
        var data = new TheoryData<string, int, bool, bool>();
        foreach (string kernel in Kernels())
        {
            foreach (int m in Sizes)
            {
                foreach (bool transposeA in new[] { false, true })
                {
                    foreach (bool transposeB in new[] { false, true })
                    {
                        data.Add(kernel, m, transposeA, transposeB);
                    }
                }
            }
        }
        return data;
    }

    [Fact]
    public void The_vector_kernels_run_on_this_machine()
    {
        // The development and CI machines are x86-64-v3: without this the tests below would only cover the scalar loop.
        Assert.True(MatrixProduct.IsAvailable(MatrixProduct.Kernel.Vector256));
        Assert.NotEqual(MatrixProduct.Kernel.Scalar, MatrixProduct.BestKernel);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_size_and_transpose_combination_matches_a_double_product(string kernelName, int m, bool transposeA, bool transposeB)
    {
        var kernel = Enum.Parse<MatrixProduct.Kernel>(kernelName);
        // For each m, a spread of k and n: tile edges in both directions, depth blocks, and one large enough to thread.
        int seed = m * 4 + (transposeA ? 2 : 0) + (transposeB ? 1 : 0);
        foreach (int k in new[] { 1, 7, 33, 129, 300 })
        {
            foreach (int n in new[] { 1, 17, 65, 129 })
            {
                float[] a = Reference.Random(m * k, seed);
                float[] b = Reference.Random(k * n, seed + 1);
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] c = Reference.Random(m * n, seed + 2);
                    float[] start = (float[])c.Clone();
                    MatrixProduct.MultiplyWith(kernel, a, b, c, m, k, n, transposeA, transposeB, accumulate, maxDegreeOfParallelism: -1);
                    MatMulTests.AssertProduct(a, b, accumulate ? start : default, c, m, k, n, transposeA, transposeB,
                        $"{kernel} {m}×{k}×{n} tA={transposeA} tB={transposeB} acc={accumulate}");
                }
            }
        }
    }

    public static TheoryData<string, int, int, int, bool, bool> LargeCases()
    {
        var data = new TheoryData<string, int, int, int, bool, bool>();
        foreach (string kernel in Kernels())
        {
            if (kernel != nameof(MatrixProduct.Kernel.Scalar))
            {
                data.Add(kernel, 129, 300, 129, false, false);
                data.Add(kernel, 200, 257, 70, true, false);
                data.Add(kernel, 97, 129, 2100, false, true);
                data.Add(kernel, 130, 140, 150, true, true);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(LargeCases))]
    public void Threaded_products_equal_the_single_threaded_ones_bit_for_bit(string kernelName, int m, int k, int n, bool transposeA, bool transposeB)
    {
        var kernel = Enum.Parse<MatrixProduct.Kernel>(kernelName);
        Assert.True((long)m * k * n >= MatrixProduct.ParallelThreshold);
        float[] a = Reference.Random(m * k, 71);
        float[] b = Reference.Random(k * n, 72);
        float[] start = Reference.Random(m * n, 73);
        foreach (bool accumulate in new[] { false, true })
        {
            float[] threaded = (float[])start.Clone();
            float[] single = (float[])start.Clone();
            MatrixProduct.MultiplyWith(kernel, a, b, threaded, m, k, n, transposeA, transposeB, accumulate, maxDegreeOfParallelism: 4);
            MatrixProduct.MultiplyWith(kernel, a, b, single, m, k, n, transposeA, transposeB, accumulate, maxDegreeOfParallelism: 1);
            Assert.Equal(single, threaded);
            MatMulTests.AssertProduct(a, b, accumulate ? start : default, threaded, m, k, n, transposeA, transposeB, $"{m}×{k}×{n}");
        }
    }

    [Fact]
    public void A_threaded_product_allocates_nothing_once_its_worker_threads_exist()
    {
        const int m = 192, k = 160, n = 128;
        Assert.True((long)m * k * n >= MatrixProduct.ParallelThreshold);
        float[] a = Reference.Random(m * k, 81);
        float[] b = Reference.Random(k * n, 82);
        float[] c = new float[m * n];
        MatrixProduct.Multiply(a, b, c, m, k, n, false, false, false, maxDegreeOfParallelism: 2);
        long fewest = long.MaxValue;
        for (int round = 0; round < 3 && fewest != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                MatrixProduct.Multiply(a, b, c, m, k, n, false, false, false, maxDegreeOfParallelism: 2);
            }
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, fewest);
        MatMulTests.AssertProduct(a, b, default, c, m, k, n, false, false, $"{m}×{k}×{n}");
    }

    [Fact]
    public void Products_from_several_threads_at_once_are_each_right()
    {
        // Data-parallel workers each multiply at the same time: one gets the worker threads, the others run alone.
        const int m = 150, k = 120, n = 130;
        float[] a = Reference.Random(m * k, 91);
        float[] b = Reference.Random(k * n, 92);
        var results = new float[4][];
        var threads = new System.Threading.Thread[results.Length];
        for (int t = 0; t < threads.Length; t++)
        {
            int index = t;
            results[index] = new float[m * n];
            threads[t] = new System.Threading.Thread(() =>
            {
                for (int repeat = 0; repeat < 10; repeat++)
                {
                    MatrixProduct.Multiply(a, b, results[index], m, k, n, false, false, false, maxDegreeOfParallelism: -1);
                }
            });
            threads[t].Start();
        }
        foreach (System.Threading.Thread thread in threads)
        {
            thread.Join();
        }
        float[] single = new float[m * n];
        MatrixProduct.Multiply(a, b, single, m, k, n, false, false, false, maxDegreeOfParallelism: 1);
        foreach (float[] result in results)
        {
            Assert.Equal(single, result);
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Elements_outside_the_product_are_left_alone(string kernelName)
    {
        // C is a window of a larger span: nothing past m·n may be written, even by the partial edge tiles.
        const int m = 7, k = 9, n = 17;
        float[] a = Reference.Random(m * k, 74);
        float[] b = Reference.Random(k * n, 75);
        var c = new float[(m * n) + 40];
        Array.Fill(c, 12345f);
        MatrixProduct.MultiplyWith(Enum.Parse<MatrixProduct.Kernel>(kernelName), a, b, c, m, k, n, false, false, false, -1);
        for (int i = m * n; i < c.Length; i++)
        {
            Assert.Equal(12345f, c[i]);
        }
    }

    [Fact]
    public void A_zero_depth_product_clears_or_keeps_C()
    {
        float[] c = { 1, 2, 3, 4 };
        MatrixProduct.Multiply(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, c, 2, 0, 2, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, c);
        MatrixProduct.Multiply(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, c, 2, 0, 2);
        Assert.Equal(new float[4], c);
    }

    [Fact]
    public void An_invalid_degree_of_parallelism_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => MatrixProduct.Multiply(new float[4], new float[4], new float[4], 2, 2, 2, false, false, false, 0));
        Assert.Throws<ArgumentException>(() => MatrixProduct.Multiply(new float[4], new float[4], new float[4], 2, 2, 2, false, false, false, -2));
    }
}
