using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Symbolic.Kernels;

public static partial class MatrixProduct
{
    private static unsafe partial class Blocked
    {
        /// <summary>
        /// Packs rows ic..ic+mc of op(A), depth pc..pc+kc, into panels of <see cref="TileRows"/> rows: panel r holds,
        /// for each step p, the <see cref="TileRows"/> values A[ic + r·6 + 0..5, pc + p] side by side (zeros past the last row).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void PackA(float* a, int lda, bool transposed, int ic, int pc, int mc, int kc, float* packed)
        {
            for (int ir = 0; ir < mc; ir += TileRows)
            {
                int rows = mc - ir < TileRows ? mc - ir : TileRows;
                float* panel = packed + ((long)ir * kc);
                if (transposed)
                {
                    // op(A)[i, p] = A[p, i]: the panel's values for one step are contiguous in A.
                    if (rows == TileRows)
                    {
                        for (int p = 0; p < kc; p++)
                        {
                            // Six floats as 16 + 8 bytes.
                            float* source = a + ((long)(pc + p) * lda) + ic + ir;
                            float* target = panel + (p * TileRows);
                            Vector128.Store(Vector128.Load(source), target);
                            *(long*)(target + 4) = *(long*)(source + 4);
                        }
                        continue;
                    }
                    for (int p = 0; p < kc; p++)
                    {
                        float* source = a + ((long)(pc + p) * lda) + ic + ir;
                        float* target = panel + (p * TileRows);
                        int r = 0;
                        for (; r < rows; r++)
                        {
                            target[r] = source[r];
                        }
                        for (; r < TileRows; r++)
                        {
                            target[r] = 0;
                        }
                    }
                }
                else
                {
                    int fullSteps = 0;
                    if (rows == TileRows && Avx.IsSupported)
                    {
                        fullSteps = kc & ~7;
                        float* source = a + ((long)(ic + ir) * lda) + pc;
                        for (int p = 0; p < fullSteps; p += 8)
                        {
                            PackRows6x8(source + p, lda, panel + (p * TileRows));
                        }
                    }
                    for (int r = 0; r < TileRows; r++)
                    {
                        float* target = panel + r;
                        if (r >= rows)
                        {
                            for (int p = 0; p < kc; p++)
                            {
                                target[p * TileRows] = 0;
                            }
                            continue;
                        }
                        float* source = a + ((long)(ic + ir + r) * lda) + pc;
                        for (int p = fullSteps; p < kc; p++)
                        {
                            target[p * TileRows] = source[p];
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Packs columns jc..jc+nc of op(B), depth pc..pc+kc, into panels <paramref name="width"/> columns wide: panel j
        /// holds, for each step p, the values B[pc + p, jc + j·width + 0..width−1] side by side (zeros past the last column).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void PackB(float* b, int ldb, bool transposed, int pc, int jc, int kc, int nc, int width, float* packed)
        {
            for (int jr = 0; jr < nc; jr += width)
            {
                int cols = nc - jr < width ? nc - jr : width;
                float* panel = packed + ((long)jr * kc);
                if (transposed)
                {
                    PackTransposedPanel(b, ldb, pc, jc + jr, kc, cols, width, panel);
                }
                else if (cols == width)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* source = b + ((long)(pc + p) * ldb) + jc + jr;
                        float* target = panel + (p * width);
                        for (int j = 0; j < width; j += 8)
                        {
                            Vector256.Store(Vector256.Load(source + j), target + j);
                        }
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* source = b + ((long)(pc + p) * ldb) + jc + jr;
                        float* target = panel + (p * width);
                        int j = 0;
                        for (; j < cols; j++)
                        {
                            target[j] = source[j];
                        }
                        for (; j < width; j++)
                        {
                            target[j] = 0;
                        }
                    }
                }
            }
        }

        /// <summary>
        /// One panel of a transposed B: op(B)[p, j] = B[j, p], so each panel column is a contiguous run of a row of B.
        /// Full 8 × 8 blocks are transposed in registers (eight row loads, eight column stores); the rest goes element by
        /// element, and columns past <paramref name="cols"/> are zero.
        /// </summary>
        private static void PackTransposedPanel(float* b, int ldb, int pc, int column, int kc, int cols, int width, float* panel)
        {
            int fullColumns = Avx.IsSupported ? cols & ~7 : 0;
            int fullSteps = Avx.IsSupported ? kc & ~7 : 0;
            for (int j = 0; j < fullColumns; j += 8)
            {
                float* source = b + ((long)(column + j) * ldb) + pc;
                for (int p = 0; p < fullSteps; p += 8)
                {
                    Transpose8x8(source + p, ldb, panel + (p * width) + j, width);
                }
                for (int p = fullSteps; p < kc; p++)
                {
                    for (int q = 0; q < 8; q++)
                    {
                        panel[(p * width) + j + q] = source[((long)q * ldb) + p];
                    }
                }
            }
            for (int j = fullColumns; j < width; j++)
            {
                float* target = panel + j;
                if (j >= cols)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        target[p * width] = 0;
                    }
                    continue;
                }
                float* source = b + ((long)(column + j) * ldb) + pc;
                for (int p = 0; p < kc; p++)
                {
                    target[p * width] = source[p];
                }
            }
        }

        /// <summary>Writes the transpose of the 8 × 8 block at <paramref name="source"/> (row stride <paramref name="sourceStride"/>) to <paramref name="target"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Transpose8x8(float* source, int sourceStride, float* target, int targetStride)
        {
            Vector256<float> r0 = Avx.LoadVector256(source);
            Vector256<float> r1 = Avx.LoadVector256(source + sourceStride);
            Vector256<float> r2 = Avx.LoadVector256(source + (2L * sourceStride));
            Vector256<float> r3 = Avx.LoadVector256(source + (3L * sourceStride));
            Vector256<float> r4 = Avx.LoadVector256(source + (4L * sourceStride));
            Vector256<float> r5 = Avx.LoadVector256(source + (5L * sourceStride));
            Vector256<float> r6 = Avx.LoadVector256(source + (6L * sourceStride));
            Vector256<float> r7 = Avx.LoadVector256(source + (7L * sourceStride));
            Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            Avx.Store(target, r0);
            Avx.Store(target + targetStride, r1);
            Avx.Store(target + (2L * targetStride), r2);
            Avx.Store(target + (3L * targetStride), r3);
            Avx.Store(target + (4L * targetStride), r4);
            Avx.Store(target + (5L * targetStride), r5);
            Avx.Store(target + (6L * targetStride), r6);
            Avx.Store(target + (7L * targetStride), r7);
        }

        /// <summary>
        /// Packs 8 steps of one full A panel from row-major A: rows <paramref name="source"/> + r · <paramref name="lda"/>
        /// (r &lt; 6), 8 values each, transposed in registers; each step's 6 values are stored as 4 + 2 so nothing past
        /// them is written.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PackRows6x8(float* source, int lda, float* target)
        {
            Vector256<float> r0 = Avx.LoadVector256(source);
            Vector256<float> r1 = Avx.LoadVector256(source + lda);
            Vector256<float> r2 = Avx.LoadVector256(source + (2L * lda));
            Vector256<float> r3 = Avx.LoadVector256(source + (3L * lda));
            Vector256<float> r4 = Avx.LoadVector256(source + (4L * lda));
            Vector256<float> r5 = Avx.LoadVector256(source + (5L * lda));
            Vector256<float> r6 = Vector256<float>.Zero;
            Vector256<float> r7 = Vector256<float>.Zero;
            Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            StoreSix(target, r0);
            StoreSix(target + TileRows, r1);
            StoreSix(target + (2 * TileRows), r2);
            StoreSix(target + (3 * TileRows), r3);
            StoreSix(target + (4 * TileRows), r4);
            StoreSix(target + (5 * TileRows), r5);
            StoreSix(target + (6 * TileRows), r6);
            StoreSix(target + (7 * TileRows), r7);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreSix(float* target, Vector256<float> values)
        {
            Sse.Store(target, values.GetLower());
            Sse.StoreLow(target + 4, values.GetUpper());
        }

        /// <summary>Transposes the 8 × 8 matrix whose rows are <paramref name="r0"/> … <paramref name="r7"/>, in place.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Transpose(
            ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
            ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
        {
            // Interleave pairs of rows, then pairs of pairs: each 128-bit half then holds a transposed 4 × 4 quarter.
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

            // Join the low halves (columns 0-3) and the high halves (columns 4-7) of the two row groups.
            r0 = Avx.Permute2x128(u0, u4, 0x20);
            r1 = Avx.Permute2x128(u1, u5, 0x20);
            r2 = Avx.Permute2x128(u2, u6, 0x20);
            r3 = Avx.Permute2x128(u3, u7, 0x20);
            r4 = Avx.Permute2x128(u0, u4, 0x31);
            r5 = Avx.Permute2x128(u1, u5, 0x31);
            r6 = Avx.Permute2x128(u2, u6, 0x31);
            r7 = Avx.Permute2x128(u3, u7, 0x31);
        }
    }
}
