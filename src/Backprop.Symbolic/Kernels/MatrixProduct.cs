using System;

namespace Backprop.Symbolic.Kernels;

/// <summary>
/// The matrix-product kernel: C = op(A) · op(B), or C += op(A) · op(B), over row-major float spans, where op(X) is X
/// or its transpose read in place (the transpose is never materialized). Generated gradients call it for
/// <c>MatMul</c> and for the two transposed products its backward sweep needs (dA = dC · Bᵀ, dB = Aᵀ · dC).
/// </summary>
public static class MatrixProduct
{
    /// <summary>
    /// C (m × n) = op(A) (m × k) · op(B) (k × n); with <paramref name="accumulate"/>, C += op(A) · op(B).
    /// A is stored m × k, or k × m when <paramref name="transposeA"/>; B is stored k × n, or n × k when
    /// <paramref name="transposeB"/>. C must not overlap A or B.
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
        bool accumulate = false)
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
        if (!accumulate)
        {
            c.Slice(0, m * n).Clear();
        }
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                float aip = transposeA ? a[(p * m) + i] : a[(i * k) + p];
                if (transposeB)
                {
                    for (int j = 0; j < n; j++)
                    {
                        row[j] += aip * b[(j * k) + p];
                    }
                }
                else
                {
                    ReadOnlySpan<float> bRow = b.Slice(p * n, n);
                    for (int j = 0; j < n; j++)
                    {
                        row[j] += aip * bRow[j];
                    }
                }
            }
        }
    }
}
