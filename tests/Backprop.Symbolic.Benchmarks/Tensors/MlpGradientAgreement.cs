using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Benchmarks.Tensors;

/// <summary>
/// The tensor part of <c>--verify</c>: the benchmark MLP's gradients (float32) against central differences of a
/// double-precision reference of the same loss, written here with plain loops.
/// </summary>
internal static class MlpGradientAgreement
{
    /// <summary>float32 gradient vs double differences: relative to max(1e-2, |values|), float rounding over the sums.</summary>
    private const double Tolerance = 2e-3;

    public static (int Checks, int Failures) Run()
    {
        int checks = 0, failures = 0;
        foreach (string size in new[] { "6-5-4x3", "64-128-10x32" })
        {
            MlpProblem p = MlpProblem.Create(size, seed: 7);
            MlpProblem g = MlpProblem.Create(size, seed: 7);
            float generated = TensorObjectives.MlpGradient(g.X, g.Labels, g.A, g.B, g.C, g.D, g.DA, g.DB, g.DC, g.DD);
            float loss = MlpHandWritten.LossGradient(p.X, p.Labels, p.A, p.B, p.C, p.D, p.DA, p.DB, p.DC, p.DD);
            double reference = Reference(p);
            Check(size, "loss: hand-written vs double reference", loss, reference, 1e-5);
            Check(size, "loss: generated vs double reference", generated, reference, 1e-5);
            foreach ((string name, Tensor hand, Tensor gen) in new[] { ("dA", p.DA, g.DA), ("dB", p.DB, g.DB), ("dC", p.DC, g.DC), ("dD", p.DD, g.DD) })
            {
                // Same kernels, same order of operations up to the fusion: equal to float rounding.
                for (int i = 0; i < hand.Length; i++)
                {
                    Check(size, $"{name}[{i}]: generated vs hand-written", gen.Span[i], hand.Span[i], 1e-4);
                }
            }
            foreach ((string name, Tensor parameter, Tensor gradient) in new[] { ("dA", p.A, p.DA), ("dB", p.B, p.DB), ("dC", p.C, p.DC), ("dD", p.D, p.DD) })
            {
                Span<float> values = parameter.Span;
                // Every element of the small net; a stride through the larger one keeps --verify quick.
                int stride = values.Length > 200 ? 37 : 1;
                for (int i = 0; i < values.Length; i += stride)
                {
                    float saved = values[i];
                    double step = 1e-3 * Math.Max(1.0, Math.Abs(saved));
                    values[i] = (float)(saved + step);
                    double up = Reference(p);
                    values[i] = (float)(saved - step);
                    double down = Reference(p);
                    values[i] = saved;
                    // The perturbed values are rounded to float: divide by the step actually taken.
                    double taken = (double)(float)(saved + step) - (double)(float)(saved - step);
                    Check(size, $"{name}[{i}]: hand-written vs finite differences", gradient.Span[i], (up - down) / taken, Tolerance);
                }
            }
            Console.WriteLine($"Mlp({size})".PadRight(49) + $"value {loss,12:G8}");
        }
        return (checks, failures);

        void Check(string at, string what, double actual, double expected, double tolerance)
        {
            checks++;
            double error = Math.Abs(actual - expected) / Math.Max(1e-2, Math.Max(Math.Abs(actual), Math.Abs(expected)));
            if (!(error <= tolerance))
            {
                failures++;
                Console.WriteLine($"MISMATCH at Mlp({at}), {what}: {actual:R} vs {expected:R} (relative error {error:E2} > {tolerance:0e0})");
            }
        }
    }

    /// <summary>CE(softmax(tanh(x·A + b)·C + d), y), mean over rows, in double.</summary>
    private static double Reference(MlpProblem p)
    {
        int rows = p.X.Shape[0], inputs = p.X.Shape[1], hidden = p.A.Shape[1], classes = p.C.Shape[1];
        double total = 0.0;
        var h = new double[hidden];
        var z = new double[classes];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double s = p.B[j];
                for (int k = 0; k < inputs; k++)
                {
                    s += (double)p.X[r, k] * p.A[k, j];
                }
                h[j] = Math.Tanh(s);
            }
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double s = p.D[c];
                for (int j = 0; j < hidden; j++)
                {
                    s += h[j] * p.C[j, c];
                }
                z[c] = s;
                max = Math.Max(max, s);
            }
            double sum = 0.0;
            for (int c = 0; c < classes; c++)
            {
                sum += Math.Exp(z[c] - max);
            }
            total += max + Math.Log(sum) - z[p.Labels[r]];
        }
        return total / rows;
    }
}
