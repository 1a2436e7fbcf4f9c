using System;
using Backprop.Symbolic.Layers;

namespace Backprop.Symbolic.Tests.Layers;

/// <summary>
/// <see cref="Normalization.LayerNorm"/> in double precision, written from the definition: the reference of the
/// runtime's tests and of the generator's tests of losses that call it.
/// </summary>
internal static class NormalizationReference
{
    /// <summary>LayerNorm in double, row by row: (x − μ)/√(σ² + ε) ⊙ g + b.</summary>
    public static double[] LayerNorm(double[] x, double[] g, double[] b)
    {
        var y = new double[x.Length];
        for (int start = 0; start < x.Length; start += g.Length)
        {
            double mean = 0, variance = 0;
            for (int j = 0; j < g.Length; j++)
            {
                mean += x[start + j] / g.Length;
            }
            for (int j = 0; j < g.Length; j++)
            {
                variance += (x[start + j] - mean) * (x[start + j] - mean) / g.Length;
            }
            for (int j = 0; j < g.Length; j++)
            {
                y[start + j] = (x[start + j] - mean) / Math.Sqrt(variance + Normalization.Epsilon) * g[j] + b[j];
            }
        }
        return y;
    }
}
