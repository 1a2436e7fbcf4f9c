using System;
using Backprop.Symbolic.Training;
using CsCheck;
using Xunit;

namespace Backprop.Symbolic.Tests.Training;

/// <summary>
/// Properties over random sizes and values. CsCheck picks a random seed per run and prints the seed of a
/// (shrunk) failure; pass it as <c>seed:</c> to <c>Sample</c> to reproduce.
/// </summary>
public sealed class TrainingPropertyTests
{
    [Fact]
    public void Data_parallel_sums_equal_the_whole_batch_for_any_rows_and_workers()
    {
        // A loss whose per-row gradient is known exactly: row r contributes ℓ_r = r + 1 and gradient g_r[i] = (r + 1)·(i + 1),
        // so the mean over all rows is (R + 1)/2 and the mean gradient (R + 1)/2·(i + 1), whatever the split.
        Gen.Select(Gen.Int[1, 61], Gen.Int[1, 4]).Sample((rows, workers) =>
        {
            var set = new ParameterSet();
            set.Add("p", 7);
            using var parallel = new DataParallel(set, workers);
            float loss = parallel.ComputeGradients(rows, (start, count, g) =>
            {
                double sum = 0;
                for (int r = start; r < start + count; r++)
                {
                    sum += r + 1;
                }
                float mean = (float)(sum / count);
                for (int i = 0; i < g.Span.Length; i++)
                {
                    g.Span[i] = mean * (i + 1);
                }
                return mean;
            });
            float expected = (rows + 1) / 2f;
            Assert.Equal(expected, loss, expected * 1e-6f);
            for (int i = 0; i < 7; i++)
            {
                Assert.Equal(expected * (i + 1), set.Gradients[i], expected * (i + 1) * 1e-6f);
            }
        }, iter: 40);
    }

    [Fact]
    public void Clipping_keeps_the_direction_and_caps_the_norm()
    {
        Gen.Select(Gen.Float[-100f, 100f].Array[1, 300], Gen.Float[0.01f, 50f]).Sample((values, maxNorm) =>
        {
            float[] g = (float[])values.Clone();
            float norm = GradientClipping.ClipByGlobalNorm(g, maxNorm);
            double exact = 0;
            foreach (float v in values)
            {
                exact += (double)v * v;
            }
            exact = Math.Sqrt(exact);
            Assert.Equal(exact, norm, exact * 1e-6 + 1e-30);
            float after = GradientClipping.GlobalNorm(g);
            Assert.True(after <= Math.Max(maxNorm, norm) * (1 + 1e-5), $"norm {after} after clipping to {maxNorm}");
            double scale = norm > maxNorm ? maxNorm / norm : 1;
            for (int i = 0; i < g.Length; i++)
            {
                Assert.Equal(values[i] * scale, g[i], Math.Abs(values[i] * scale) * 1e-6 + 1e-30);
            }
        }, iter: 200);
    }
}
