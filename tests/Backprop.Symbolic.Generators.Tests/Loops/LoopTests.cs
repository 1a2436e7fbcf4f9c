using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// Loops over span and array parameters: <c>for</c>, <c>while</c>, <c>do/while</c>, <c>foreach</c>; sums and products
/// (whose running value is overwritten every iteration); nested loops; <c>break</c>, <c>continue</c> and
/// <c>return</c> inside a loop; a counter decremented in the condition; a bound held in a local; a recurrence;
/// log-sum-exp with a <c>Math.Max</c> shift; an arg-max; float versions. Every gradient is checked against a formula
/// worked out in the test, against finite differences, and forward mode against reverse mode.
/// </summary>
public sealed class LoopTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Loops;

        public static partial class Iteration
        {
            [Differentiable]
            public static double ForWeightedSquares(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    s += w[i] * x[i] * x[i];
                }
                return s;
            }

            [Differentiable]
            public static double WhileSumOfExp(ReadOnlySpan<double> x)
            {
                double s = 0;
                int i = 0;
                while (i < x.Length)
                {
                    s += Math.Exp(x[i]);
                    i++;
                }
                return s;
            }

            [Differentiable]
            public static double DoWhileWeightedSquares(ReadOnlySpan<double> x)
            {
                double s = 0;
                int i = 0;
                do
                {
                    s += (i + 1) * x[i] * x[i];
                    i++;
                }
                while (i < x.Length);
                return s;
            }

            [Differentiable]
            public static double ForeachOverSpan(ReadOnlySpan<double> x)
            {
                double s = 0;
                foreach (double v in x)
                {
                    s += Math.Sin(v) * v;
                }
                return s;
            }

            [Differentiable]
            public static double ForeachOverArray(double[] x)
            {
                double s = 0;
                foreach (double v in x)
                {
                    s += v * v * v;
                }
                return s;
            }

            [Differentiable]
            public static double Product(ReadOnlySpan<double> x)
            {
                double p = 1;
                for (int i = 0; i < x.Length; i++)
                {
                    p *= x[i];
                }
                return p;
            }

            [Differentiable]
            public static double QuadraticForm(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
            {
                int n = x.Length;
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        s += x[i] * x[j] * w[i * n + j];
                    }
                }
                return s;
            }

            [Differentiable]
            public static double SumUntilThreshold(ReadOnlySpan<double> x, double threshold)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    s += x[i] * x[i];
                    if (s > threshold)
                    {
                        break;
                    }
                }
                return s;
            }

            [Differentiable]
            public static double SkipNegatives(ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    if (x[i] < 0)
                    {
                        continue;
                    }
                    s += Math.Log(1 + x[i]) * (i + 1);
                }
                return s;
            }

            [Differentiable]
            public static double FirstAboveOne(ReadOnlySpan<double> x, double scale)
            {
                for (int i = 0; i < x.Length; i++)
                {
                    if (x[i] > 1.0)
                    {
                        return x[i] * x[i] * scale;
                    }
                }
                return -scale;
            }

            [Differentiable]
            public static double CountDown(ReadOnlySpan<double> x, int n)
            {
                double s = 0;
                while (n-- > 0)
                {
                    s = s * 0.5 + x[n] * x[n];
                }
                return s;
            }

            [Differentiable]
            public static double BoundFromLocal(ReadOnlySpan<double> x)
            {
                int half = x.Length / 2;
                double s = 0;
                for (int i = 0; i < half; i++)
                {
                    s += x[i] * x[half + i];
                }
                return s;
            }

            [Differentiable]
            public static double Recurrence(ReadOnlySpan<double> x, double w, double h0)
            {
                double h = h0;
                for (int t = 0; t < x.Length; t++)
                {
                    h = Math.Tanh(w * h + x[t]);
                }
                return h;
            }

            [Differentiable]
            public static double LogSumExp(ReadOnlySpan<double> x)
            {
                double m = x[0];
                for (int i = 1; i < x.Length; i++)
                {
                    m = Math.Max(m, x[i]);
                }
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    s += Math.Exp(x[i] - m);
                }
                return m + Math.Log(s);
            }

            [Differentiable]
            public static double BestSquared(ReadOnlySpan<double> x)
            {
                double best = x[0];
                int at = 0;
                for (int i = 1; i < x.Length; i++)
                {
                    if (x[i] > best)
                    {
                        best = x[i];
                        at = i;
                    }
                }
                return best * best + at;
            }

            [Differentiable]
            public static double ClippedTimesSelf(ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    s += Math.Min(Math.Max(x[i], 0.0), 1.0) * x[i];
                }
                return s;
            }

            [Differentiable]
            public static float ForWeightedSquaresF(ReadOnlySpan<float> x, ReadOnlySpan<float> w)
            {
                float s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    s += w[i] * x[i] * x[i];
                }
                return s;
            }

            [Differentiable]
            public static float RecurrenceF(float[] x, float w, float h0)
            {
                float h = h0;
                for (int t = 0; t < x.Length; t++)
                {
                    h = MathF.Tanh(w * h + x[t]);
                }
                return h;
            }

            // A [Differentiable] callee that records on the tape itself, called in every iteration.
            [Differentiable]
            public static double PowerSum(double x, int n)
            {
                double s = 0;
                double p = 1;
                for (int k = 0; k < n; k++)
                {
                    p *= x;
                    s += p;
                }
                return s;
            }

            [Differentiable]
            public static double CallsARecordingCalleeInALoop(ReadOnlySpan<double> x)
            {
                double t = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    double v = x[i];
                    t += PowerSum(v, 3) * v;
                }
                return t;
            }
        }
        """;

    private const string TypeName = "Loops.Iteration";

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[][] expected)
    {
        ArrayGradientAssert.Matches(Code, TypeName, method, args, expected);
        ArrayGradientAssert.ForwardMatchesReverse(Code, TypeName, method, args);
    }

    [Fact]
    public void Callee_that_records_on_the_tape_called_in_every_iteration()
    {
        // Σ (x + x² + x³) x: ∂/∂x_i = 2x + 3x² + 4x³.
        double[] x = [0.5, -1.25, 2.0, 0.3];
        ArrayGradientAssert.Matches(Code, TypeName, "CallsARecordingCalleeInALoop", [x], x.Select(v => 2 * v + 3 * v * v + 4 * v * v * v).ToArray());
        ArrayGradientAssert.ForwardMatchesReverse(Code, TypeName, "CallsARecordingCalleeInALoop", x);
    }

    [Fact]
    public void For_loop_weighted_sum_of_squares()
    {
        double[] x = [0.5, -1.25, 2.0, 0.75];
        double[] w = [1.5, 0.25, -0.5, 2.0];
        Check("ForWeightedSquares", [x, w],
            x.Select((v, i) => 2 * w[i] * v).ToArray(),
            x.Select(v => v * v).ToArray());
    }

    [Fact]
    public void For_loop_over_an_empty_span_has_empty_adjoints() =>
        Check("ForWeightedSquares", [Array.Empty<double>(), Array.Empty<double>()], [], []);

    [Fact]
    public void While_loop_sum_of_exponentials()
    {
        double[] x = [0.5, -1.25, 2.0, 0.75, -0.1];
        Check("WhileSumOfExp", [x], x.Select(Math.Exp).ToArray());
    }

    [Theory]
    [InlineData(new[] { 0.5, -1.25, 2.0 })]
    [InlineData(new[] { -0.75 })]
    public void Do_while_loop_runs_its_body_first(double[] x) =>
        Check("DoWhileWeightedSquares", [x], x.Select((v, i) => 2 * (i + 1) * v).ToArray());

    [Fact]
    public void Foreach_over_a_span_parameter()
    {
        double[] x = [0.5, -1.25, 2.0, 0.75];
        Check("ForeachOverSpan", [x], x.Select(v => Math.Cos(v) * v + Math.Sin(v)).ToArray());
    }

    [Fact]
    public void Foreach_over_an_array_parameter()
    {
        double[] x = [0.5, -1.25, 2.0, 0.75];
        Check("ForeachOverArray", [x], x.Select(v => 3 * v * v).ToArray());
    }

    [Theory]
    [InlineData(new[] { 1.5, -0.5, 2.0, 0.75, -1.25 })]
    [InlineData(new[] { 2.0, 0.0, 3.0 })]          // a zero factor: the product's adjoint cannot be recovered by dividing
    [InlineData(new[] { 0.0, 0.0, 3.0, 0.5 })]
    public void Product_of_elements_keeps_every_overwritten_partial_product(double[] x)
    {
        // ∂/∂x[i] Π x[j] = Π_{j ≠ i} x[j], multiplied out directly.
        double[] expected = x.Select((_, i) => x.Where((_, j) => j != i).Aggregate(1.0, (p, v) => p * v)).ToArray();
        Check("Product", [x], expected);
    }

    [Fact]
    public void Nested_loops_quadratic_form()
    {
        double[] x = [0.5, -1.25, 2.0];
        double[] w = [1.0, -0.5, 0.25, 2.0, 0.75, -1.5, 0.3, 0.6, -0.9];
        int n = x.Length;
        // s = Σ_i Σ_j x_i x_j w[i n + j]: ∂s/∂x_k = Σ_j x_j w[k n + j] + Σ_i x_i w[i n + k]; ∂s/∂w[i n + j] = x_i x_j.
        double[] dX = Enumerable.Range(0, n)
            .Select(k => Enumerable.Range(0, n).Sum(j => x[j] * w[k * n + j]) + Enumerable.Range(0, n).Sum(i => x[i] * w[i * n + k]))
            .ToArray();
        double[] dW = Enumerable.Range(0, n * n).Select(ij => x[ij / n] * x[ij % n]).ToArray();
        Check("QuadraticForm", [x, w], dX, dW);
    }

    [Theory]
    [InlineData(2.0, 2)]   // 0.25, 1.25, then 3.5 > 2: stops after the third element
    [InlineData(0.1, 0)]   // 0.25 > 0.1: stops after the first
    [InlineData(100.0, 4)] // never exceeds: reads all five
    public void Break_when_a_partial_sum_exceeds_a_threshold(double threshold, int last)
    {
        double[] x = [0.5, -1.0, 1.5, 0.25, 2.0];
        double[] dX = x.Select((v, i) => i <= last ? 2 * v : 0.0).ToArray();
        Check("SumUntilThreshold", [x, threshold], dX, [0.0]);
    }

    [Fact]
    public void Continue_skips_negative_elements()
    {
        double[] x = [0.5, -1.0, 1.5, -0.25, 2.0];
        Check("SkipNegatives", [x], x.Select((v, i) => v < 0 ? 0.0 : (i + 1) / (1 + v)).ToArray());
    }

    [Fact]
    public void Return_from_inside_a_loop_at_the_first_element_above_one()
    {
        double[] x = [0.5, -1.0, 1.5, 3.0];
        const double scale = 0.75;
        // Returns x[2]² · scale.
        Check("FirstAboveOne", [x, scale], [0, 0, 2 * x[2] * scale, 0], [x[2] * x[2]]);
    }

    [Fact]
    public void Return_after_a_loop_that_found_nothing()
    {
        double[] x = [0.5, -1.0, 0.75];
        Check("FirstAboveOne", [x, 0.75], [0, 0, 0], [-1.0]);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    [InlineData(0)]
    public void Counter_decremented_in_the_while_condition(int n)
    {
        double[] x = [0.5, -1.0, 1.5, -0.25, 2.0];
        // s visits x[n−1], …, x[0], halving before each: s = Σ_{k<n} 0.5^k x_k², so ∂s/∂x_k = 2 · 0.5^k · x_k.
        Check("CountDown", [x, n], x.Select((v, k) => k < n ? 2 * Math.Pow(0.5, k) * v : 0.0).ToArray());
    }

    [Theory]
    [InlineData(new[] { 0.5, -1.0, 1.5, -0.25 })]
    [InlineData(new[] { 0.5, -1.0, 1.5, -0.25, 2.0 })] // odd: the last element is not read
    public void Loop_bound_held_in_a_local(double[] x)
    {
        int half = x.Length / 2;
        double[] expected = new double[x.Length];
        for (int i = 0; i < half; i++)
        {
            expected[i] = x[half + i];
            expected[half + i] = x[i];
        }
        Check("BoundFromLocal", [x], expected);
    }

    [Fact]
    public void Recurrence_over_a_span()
    {
        double[] x = [0.5, -1.0, 1.5, -0.25, 0.8, 0.1];
        const double w = 0.9, h0 = -0.3;
        (_, double[] dX, double dW, double dH0) = RecurrenceByForwardTangents(x, w, h0);
        Check("Recurrence", [x, w, h0], dX, [dW], [dH0]);
    }

    [Fact]
    public void Log_sum_exp_with_a_max_shift()
    {
        double[] x = [0.5, -1.0, 1.5, -0.25, 1.2];
        double total = x.Sum(Math.Exp);
        Check("LogSumExp", [x], x.Select(v => Math.Exp(v) / total).ToArray());
    }

    [Fact]
    public void Log_sum_exp_with_the_maximum_first()
    {
        double[] x = [3.0, -1.0, 1.5];
        double total = x.Sum(Math.Exp);
        Check("LogSumExp", [x], x.Select(v => Math.Exp(v) / total).ToArray());
    }

    [Theory]
    [InlineData(new[] { 0.5, -1.0, 1.5, -0.25, 1.2 }, 2)]
    [InlineData(new[] { 2.5, -1.0, 1.5 }, 0)]
    [InlineData(new[] { -2.0, -1.0, -3.0, -0.5 }, 3)]
    public void Arg_max_tracked_by_a_comparison(double[] x, int at)
    {
        double[] expected = new double[x.Length];
        expected[at] = 2 * x[at];
        Check("BestSquared", [x], expected);
    }

    [Fact]
    public void Max_and_min_of_each_element()
    {
        double[] x = [-0.5, 0.25, 0.75, 1.5, 3.0];
        // min(max(v, 0), 1) · v is 0, v² or v.
        Check("ClippedTimesSelf", [x], x.Select(v => v < 0 ? 0.0 : v < 1 ? 2 * v : 1.0).ToArray());
    }

    [Fact]
    public void Float_for_loop_weighted_sum_of_squares()
    {
        float[] x = [0.5f, -1.25f, 2.0f, 0.75f];
        float[] w = [1.5f, 0.25f, -0.5f, 2.0f];
        Check("ForWeightedSquaresF", [x, w],
            x.Select((v, i) => 2.0 * w[i] * v).ToArray(),
            x.Select(v => (double)v * v).ToArray());
    }

    [Fact]
    public void Float_recurrence_over_an_array()
    {
        float[] x = [0.5f, -1.0f, 1.5f, -0.25f];
        const float w = 0.9f, h0 = -0.3f;
        (_, double[] dX, double dW, double dH0) = RecurrenceByForwardTangents(x.Select(v => (double)v).ToArray(), w, h0);
        Check("RecurrenceF", [x, w, h0], dX, [dW], [dH0]);
    }

    /// <summary>
    /// h_t = tanh(w·h_{t−1} + x_t) and its derivatives with respect to every x_k, w and h_0, carried forward as tangents
    /// beside h (forward mode by hand, independent of the generator's reverse sweep).
    /// </summary>
    internal static (double H, double[] DX, double DW, double DH0) RecurrenceByForwardTangents(double[] x, double w, double h0)
    {
        double h = h0;
        double[] tx = new double[x.Length];
        double tw = 0, th0 = 1;
        for (int t = 0; t < x.Length; t++)
        {
            double next = Math.Tanh(w * h + x[t]);
            double slope = 1 - next * next;
            for (int k = 0; k < x.Length; k++)
            {
                tx[k] = slope * (w * tx[k] + (k == t ? 1 : 0));
            }
            tw = slope * (h + w * tw);
            th0 = slope * w * th0;
            h = next;
        }
        return (h, tx, tw, th0);
    }
}
