using System;

namespace Backprop.Symbolic.Kernels;

/// <summary>
/// The matrix-product kernel: C = op(A) · op(B), or C += op(A) · op(B), over row-major float spans, where op(X) is X
/// or its transpose read in place (the transpose is never materialized). Generated gradients call it for
/// <c>MatMul</c> and for the two transposed products its backward sweep needs (dA = dC · Bᵀ, dB = Aᵀ · dC).
/// </summary>
/// <remarks>
/// <para>The product is cache-blocked: B is packed, a block of depth 256 (128 for 32-wide panels) × 2048 columns at a
/// time, into column panels as wide as the micro-kernel, and A, a block of 96 rows at a time, into row panels of
/// <see cref="TileRows"/> rows. Packing reads the transposed operands in place (8 × 8 blocks are transposed in
/// registers), so op(X) is never materialized. A register-tiled micro-kernel then keeps a 6 × 16 tile of C in twelve
/// <c>Vector256</c> registers (6 × 32 in <c>Vector512</c> registers where
/// <see cref="System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated"/> and n exceeds 16) and updates it with one
/// fused multiply-add per register per step of k. Partial tiles at the edges go through a small stack tile, so any m,
/// k and n work. The packing buffers are per thread and reused: once a thread has seen its largest blocks, a
/// single-threaded call allocates nothing.</para>
/// <para>Products of at least <see cref="ParallelThreshold"/> multiply-adds are split over row blocks across up to
/// <see cref="Environment.ProcessorCount"/> threads; smaller ones run on the calling thread. Without AVX2 and FMA the
/// kernel falls back to a plain scalar loop.</para>
/// </remarks>
public static partial class MatrixProduct
{
    /// <summary>m · k · n from which a product is split across threads (2²¹, a 128 × 128 × 128 product).</summary>
    public const long ParallelThreshold = 1L << 21;

    /// <summary>
    /// C (m × n) = op(A) (m × k) · op(B) (k × n); with <paramref name="accumulate"/>, C += op(A) · op(B).
    /// A is stored m × k, or k × m when <paramref name="transposeA"/>; B is stored k × n, or n × k when
    /// <paramref name="transposeB"/>. C must not overlap A or B. Large products use all cores.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix or a size is negative.</exception>
    public static void Multiply(
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        Span<float> c,
        int m,
        int k,
        int n,
        bool transposeA = false,
        bool transposeB = false,
        bool accumulate = false) =>
        Multiply(a, b, c, m, k, n, transposeA, transposeB, accumulate, maxDegreeOfParallelism: -1);

    /// <summary>
    /// As <see cref="Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool, bool, bool)"/>,
    /// using at most <paramref name="maxDegreeOfParallelism"/> threads (1: the calling thread only; -1: every core).
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix, a size is negative, or the degree is 0 or below -1.</exception>
    public static void Multiply(
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        Span<float> c,
        int m,
        int k,
        int n,
        bool transposeA,
        bool transposeB,
        bool accumulate,
        int maxDegreeOfParallelism) =>
        MultiplyWith(BestKernel, a, b, c, m, k, n, transposeA, transposeB, accumulate, maxDegreeOfParallelism);

    /// <summary>The implementations of the product; the best one the machine supports is <see cref="BestKernel"/>.</summary>
    internal enum Kernel
    {
        /// <summary>The plain triple loop.</summary>
        Scalar,

        /// <summary>Packed blocks, 6 × 16 register tiles of <c>Vector256</c> FMAs (AVX2 + FMA).</summary>
        Vector256,

        /// <summary>Packed blocks, 6 × 32 register tiles of <c>Vector512</c> FMAs (AVX-512F, where accelerated).</summary>
        Vector512,
    }

    /// <summary>The fastest kernel this machine runs.</summary>
    internal static Kernel BestKernel =>
        !Blocked.IsSupported ? Kernel.Scalar : Blocked.WideIsSupported ? Kernel.Vector512 : Kernel.Vector256;

    /// <summary>True when <paramref name="kernel"/> can run on this machine.</summary>
    internal static bool IsAvailable(Kernel kernel) => kernel switch
    {
        Kernel.Scalar => true,
        Kernel.Vector256 => Blocked.IsSupported,
        _ => Blocked.IsSupported && Blocked.WideIsSupported,
    };

    /// <summary>The product through a chosen kernel (tests run every available one).</summary>
    internal static void MultiplyWith(
        Kernel kernel,
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        Span<float> c,
        int m,
        int k,
        int n,
        bool transposeA,
        bool transposeB,
        bool accumulate,
        int maxDegreeOfParallelism)
    {
        if (m < 0 || k < 0 || n < 0)
        {
            throw new ArgumentException($"Matrix sizes must not be negative (m = {m}, k = {k}, n = {n}).");
        }
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
        {
            throw new ArgumentException(
                $"A product of ({m} × {k}) by ({k} × {n}) needs {(long)m * k}, {(long)k * n} and {(long)m * n} elements; the spans hold {a.Length}, {b.Length} and {c.Length}.");
        }
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentException(
                $"The degree of parallelism must be -1 (every core) or at least 1; {maxDegreeOfParallelism} was given.", nameof(maxDegreeOfParallelism));
        }
        if (!IsAvailable(kernel))
        {
            throw new PlatformNotSupportedException($"The {kernel} matrix-product kernel does not run on this machine.");
        }
        if (m == 0 || n == 0)
        {
            return;
        }
        if (k == 0)
        {
            if (!accumulate)
            {
                SpanKernels.Zero(c.Slice(0, m * n));
            }
            return;
        }
        if (kernel == Kernel.Scalar)
        {
            MultiplyScalar(a, b, c, m, k, n, transposeA, transposeB, accumulate);
            return;
        }
        int threads = maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        threads = (long)m * k * n < ParallelThreshold || t_withinParallelWork ? 1 : Math.Min(threads, (m + TileRows - 1) / TileRows);
        // Products of at most 16 columns waste less of the 16-wide Vector256 tiles than of the 32-wide Vector512 ones.
        Blocked.Multiply(a, b, c, m, k, n, transposeA, transposeB, accumulate, threads, wide: kernel == Kernel.Vector512 && n > 16);
    }

    [ThreadStatic]
    private static bool t_withinParallelWork;

    /// <summary>
    /// True while this thread computes one share of work already split across the cores (a data-parallel worker's
    /// slice of a minibatch): its products then run on this thread alone instead of splitting again and
    /// oversubscribing the cores. Returns the previous value, to restore.
    /// </summary>
    internal static bool EnterParallelWork(bool within)
    {
        bool previous = t_withinParallelWork;
        t_withinParallelWork = within;
        return previous;
    }

    /// <summary>The plain triple loop: the fallback where AVX2 and FMA are missing.</summary>
    private static void MultiplyScalar(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate)
    {
        if (!accumulate)
        {
            SpanKernels.Zero(c.Slice(0, m * n));
        }
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                float aip = transposeA ? a[(p * m) + i] : a[(i * k) + p];
                for (int j = 0; j < n; j++)
                {
                    row[j] += aip * (transposeB ? b[(j * k) + p] : b[(p * n) + j]);
                }
            }
        }
    }
}
