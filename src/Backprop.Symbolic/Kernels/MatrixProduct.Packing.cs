using System.Runtime.Intrinsics;

namespace Backprop.Symbolic.Kernels;

public static partial class MatrixProduct
{
    private static unsafe partial class Blocked
    {
        /// <summary>
        /// Packs rows ic..ic+mc of op(A), depth pc..pc+kc, into panels of <see cref="TileRows"/> rows: panel r holds,
        /// for each step p, the <see cref="TileRows"/> values A[ic + r·6 + 0..5, pc + p] side by side (zeros past the last row).
        /// </summary>
        private static void PackA(float* a, int lda, bool transposed, int ic, int pc, int mc, int kc, float* packed)
        {
            for (int ir = 0; ir < mc; ir += TileRows)
            {
                int rows = mc - ir < TileRows ? mc - ir : TileRows;
                float* panel = packed + ((long)ir * kc);
                if (transposed)
                {
                    // op(A)[i, p] = A[p, i]: the panel's values for one step are contiguous in A.
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
                        for (int p = 0; p < kc; p++)
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
        private static void PackB(float* b, int ldb, bool transposed, int pc, int jc, int kc, int nc, int width, float* packed)
        {
            for (int jr = 0; jr < nc; jr += width)
            {
                int cols = nc - jr < width ? nc - jr : width;
                float* panel = packed + ((long)jr * kc);
                if (transposed)
                {
                    // op(B)[p, j] = B[j, p]: one column of the panel is contiguous in B.
                    for (int j = 0; j < width; j++)
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
                        float* source = b + ((long)(jc + jr + j) * ldb) + pc;
                        for (int p = 0; p < kc; p++)
                        {
                            target[p * width] = source[p];
                        }
                    }
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
    }
}
