using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Symbolic.Kernels;

public static partial class MatrixProduct
{
    /// <summary>Rows of C one micro-kernel call updates (a register tile is this many rows by one panel width).</summary>
    internal const int TileRows = 6;

    /// <summary>Rows of A packed at a time (a multiple of <see cref="TileRows"/>; the packed block stays in L2).</summary>
    internal const int RowBlock = 96;

    /// <summary>Columns of B packed at a time (a multiple of every panel width; the packed block stays in L3).</summary>
    internal const int ColumnBlock = 2048;

    /// <summary>
    /// The depth (steps of k) packed at a time with 16-wide panels: a packed B panel of this depth (16 KB) stays in L1
    /// while the A panels stream past it. The 32-wide panels of the <c>Vector512</c> kernel use half this depth.
    /// </summary>
    internal const int DepthBlock = 256;

    /// <summary>The blocked, packed, register-tiled product (AVX2 + FMA; AVX-512 where accelerated).</summary>
    private static unsafe partial class Blocked
    {
        /// <summary>True where the vector kernels can run (AVX2 and FMA).</summary>
        public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

        /// <summary>True where the 32-wide <c>Vector512</c> micro-kernel can run.</summary>
        public static bool WideIsSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

        [ThreadStatic]
        private static float[]? s_packedA;

        [ThreadStatic]
        private static float[]? s_packedB;

        public static void Multiply(
            ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
            bool transposeA, bool transposeB, bool accumulate, int threads, bool wide)
        {
            int lda = transposeA ? m : k;
            int ldb = transposeB ? k : n;
            fixed (float* pa = a, pb = b, pc = c)
            {
                if (threads <= 1)
                {
                    Run(pa, lda, pb, ldb, pc, n, m, k, n, transposeA, transposeB, accumulate, wide);
                    return;
                }
                int rowsPerChunk = ((m + threads - 1) / threads + TileRows - 1) / TileRows * TileRows;
                int chunks = (m + rowsPerChunk - 1) / rowsPerChunk;
                var job = new RowJob((nint)pa, lda, (nint)pb, ldb, (nint)pc, m, k, n, transposeA, transposeB, accumulate, rowsPerChunk, wide);
                if (chunks <= 1 || !RowWorkers.TryRun(job, chunks))
                {
                    // Another product holds the workers: the same chunks, one after another, on this thread.
                    for (int chunk = 0; chunk < chunks; chunk++)
                    {
                        job.Execute(chunk);
                    }
                }
            }
        }

        /// <summary>C (m × n, row stride ldc) (+)= op(A) · op(B), on the calling thread.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void Run(
            float* a, int lda, float* b, int ldb, float* c, int ldc, int m, int k, int n,
            bool transposeA, bool transposeB, bool accumulate, bool wide)
        {
            // The Vector512 path is dead code, removed by the JIT, where Vector512 is not accelerated.
            wide &= Vector512.IsHardwareAccelerated;
            int width = wide ? 32 : 16;
            int depth = wide ? DepthBlock / 2 : DepthBlock;
            int columns = Math.Min(n, ColumnBlock);
            float[] packedA = Rent(ref s_packedA, Math.Min(m, RowBlock) * depth + (TileRows * depth));
            float[] packedB = Rent(ref s_packedB, ((columns + width - 1) / width) * width * depth);
            float* edge = stackalloc float[TileRows * 32];
            fixed (float* ap = packedA, bp = packedB)
            {
                for (int jc = 0; jc < n; jc += ColumnBlock)
                {
                    int nc = Math.Min(ColumnBlock, n - jc);
                    for (int pc = 0; pc < k; pc += depth)
                    {
                        int kc = Math.Min(depth, k - pc);
                        bool add = accumulate || pc > 0;
                        PackB(b, ldb, transposeB, pc, jc, kc, nc, width, bp);
                        for (int ic = 0; ic < m; ic += RowBlock)
                        {
                            int mc = Math.Min(RowBlock, m - ic);
                            PackA(a, lda, transposeA, ic, pc, mc, kc, ap);
                            for (int jr = 0; jr < nc; jr += width)
                            {
                                int cols = Math.Min(width, nc - jr);
                                float* bPanel = bp + ((long)jr * kc);
                                for (int ir = 0; ir < mc; ir += TileRows)
                                {
                                    int rows = Math.Min(TileRows, mc - ir);
                                    float* aPanel = ap + ((long)ir * kc);
                                    float* tile = c + ((long)(ic + ir) * ldc) + jc + jr;
                                    if (rows == TileRows && cols == width)
                                    {
                                        Tile(wide, kc, aPanel, bPanel, tile, ldc, add);
                                    }
                                    else
                                    {
                                        Tile(wide, kc, aPanel, bPanel, edge, width, add: false);
                                        MergeEdge(edge, width, tile, ldc, rows, cols, add);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        private static void Tile(bool wide, int kc, float* a, float* b, float* c, int ldc, bool add)
        {
            if (Vector512.IsHardwareAccelerated && wide)
            {
                Tile6x32(kc, a, b, c, ldc, add);
            }
            else
            {
                Tile6x16(kc, a, b, c, ldc, add);
            }
        }

        /// <summary>The valid rows × cols of a partial tile computed into <paramref name="edge"/>, stored or added into C.</summary>
        private static void MergeEdge(float* edge, int width, float* c, int ldc, int rows, int cols, bool add)
        {
            for (int r = 0; r < rows; r++)
            {
                float* source = edge + (r * width);
                float* target = c + ((long)r * ldc);
                for (int j = 0; j < cols; j++)
                {
                    target[j] = add ? target[j] + source[j] : source[j];
                }
            }
        }

        /// <summary>A thread's packing buffer, grown (never shrunk) to hold <paramref name="length"/> floats.</summary>
        private static float[] Rent(ref float[]? buffer, int length)
        {
            if (buffer is null || buffer.Length < length)
            {
                buffer = new float[length];
            }
            return buffer;
        }
    }
}
