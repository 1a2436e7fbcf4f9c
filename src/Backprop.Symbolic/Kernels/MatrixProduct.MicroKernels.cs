using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Symbolic.Kernels;

public static partial class MatrixProduct
{
    private static unsafe partial class Blocked
    {
        /// <summary>
        /// C[0..6, 0..16] (+)= Σ_p a[p]ᵀ b[p] over packed panels: twelve <c>Vector256</c> accumulators (6 rows × 2
        /// vectors), two B loads and six broadcasts of A per step, twelve fused multiply-adds.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Tile6x16(int kc, float* a, float* b, float* c, int ldc, bool add)
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++)
            {
                Vector256<float> b0 = Vector256.Load(b);
                Vector256<float> b1 = Vector256.Load(b + 8);
                Vector256<float> ar = Vector256.Create(a[0]);
                c00 = Fma.MultiplyAdd(ar, b0, c00);
                c01 = Fma.MultiplyAdd(ar, b1, c01);
                ar = Vector256.Create(a[1]);
                c10 = Fma.MultiplyAdd(ar, b0, c10);
                c11 = Fma.MultiplyAdd(ar, b1, c11);
                ar = Vector256.Create(a[2]);
                c20 = Fma.MultiplyAdd(ar, b0, c20);
                c21 = Fma.MultiplyAdd(ar, b1, c21);
                ar = Vector256.Create(a[3]);
                c30 = Fma.MultiplyAdd(ar, b0, c30);
                c31 = Fma.MultiplyAdd(ar, b1, c31);
                ar = Vector256.Create(a[4]);
                c40 = Fma.MultiplyAdd(ar, b0, c40);
                c41 = Fma.MultiplyAdd(ar, b1, c41);
                ar = Vector256.Create(a[5]);
                c50 = Fma.MultiplyAdd(ar, b0, c50);
                c51 = Fma.MultiplyAdd(ar, b1, c51);
                a += TileRows;
                b += 16;
            }
            Put(c, add, c00, c01);
            Put(c + ldc, add, c10, c11);
            Put(c + (2 * ldc), add, c20, c21);
            Put(c + (3 * ldc), add, c30, c31);
            Put(c + (4 * ldc), add, c40, c41);
            Put(c + (5 * ldc), add, c50, c51);
        }

        /// <summary>As <see cref="Tile6x16"/> with 32 columns: twelve <c>Vector512</c> accumulators.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Tile6x32(int kc, float* a, float* b, float* c, int ldc, bool add)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++)
            {
                Vector512<float> b0 = Vector512.Load(b);
                Vector512<float> b1 = Vector512.Load(b + 16);
                Vector512<float> ar = Vector512.Create(a[0]);
                c00 = Avx512F.FusedMultiplyAdd(ar, b0, c00);
                c01 = Avx512F.FusedMultiplyAdd(ar, b1, c01);
                ar = Vector512.Create(a[1]);
                c10 = Avx512F.FusedMultiplyAdd(ar, b0, c10);
                c11 = Avx512F.FusedMultiplyAdd(ar, b1, c11);
                ar = Vector512.Create(a[2]);
                c20 = Avx512F.FusedMultiplyAdd(ar, b0, c20);
                c21 = Avx512F.FusedMultiplyAdd(ar, b1, c21);
                ar = Vector512.Create(a[3]);
                c30 = Avx512F.FusedMultiplyAdd(ar, b0, c30);
                c31 = Avx512F.FusedMultiplyAdd(ar, b1, c31);
                ar = Vector512.Create(a[4]);
                c40 = Avx512F.FusedMultiplyAdd(ar, b0, c40);
                c41 = Avx512F.FusedMultiplyAdd(ar, b1, c41);
                ar = Vector512.Create(a[5]);
                c50 = Avx512F.FusedMultiplyAdd(ar, b0, c50);
                c51 = Avx512F.FusedMultiplyAdd(ar, b1, c51);
                a += TileRows;
                b += 32;
            }
            Put(c, add, c00, c01);
            Put(c + ldc, add, c10, c11);
            Put(c + (2 * ldc), add, c20, c21);
            Put(c + (3 * ldc), add, c30, c31);
            Put(c + (4 * ldc), add, c40, c41);
            Put(c + (5 * ldc), add, c50, c51);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Put(float* c, bool add, Vector256<float> low, Vector256<float> high)
        {
            if (add)
            {
                low += Vector256.Load(c);
                high += Vector256.Load(c + 8);
            }
            Vector256.Store(low, c);
            Vector256.Store(high, c + 8);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Put(float* c, bool add, Vector512<float> low, Vector512<float> high)
        {
            if (add)
            {
                low += Vector512.Load(c);
                high += Vector512.Load(c + 16);
            }
            Vector512.Store(low, c);
            Vector512.Store(high, c + 16);
        }
    }
}
