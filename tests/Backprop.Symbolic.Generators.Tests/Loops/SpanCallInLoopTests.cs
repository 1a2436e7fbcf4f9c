using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// Local arrays and spans passed to [Differentiable] methods taking <c>ReadOnlySpan&lt;T&gt;</c> inside loops: a
/// Gaussian-mixture-like log-likelihood calling a log-sum-exp once per point, a recurrent net calling a cell on its
/// state at every step, nested loops, two such calls in one iteration, a float callee, and a [CustomGradient] span
/// method. Each against a derivative worked out by hand (or by a forward recurrence written here), central finite
/// differences, and forward mode against reverse mode.
/// </summary>
public sealed class SpanCallInLoopTests
{
    internal const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Loops;

        public static partial class SpanCalls
        {
            [Differentiable]
            public static double LogSumExp(ReadOnlySpan<double> z)
            {
                double m = z[0];
                for (int k = 1; k < z.Length; k++)
                {
                    m = Math.Max(m, z[k]);
                }
                double s = 0.0;
                for (int k = 0; k < z.Length; k++)
                {
                    s += Math.Exp(z[k] - m);
                }
                return m + Math.Log(s);
            }

            // One-dimensional mixture: Σ_n log Σ_k exp(w_k − ½ ((x_n − μ_k) / σ_k)² − log σ_k).
            [Differentiable(nameof(means), nameof(logSigmas), nameof(logWeights))]
            public static double MixtureLogLikelihood(ReadOnlySpan<double> points, ReadOnlySpan<double> means,
                ReadOnlySpan<double> logSigmas, ReadOnlySpan<double> logWeights)
            {
                double total = 0.0;
                for (int n = 0; n < points.Length; n++)
                {
                    double[] scores = new double[means.Length];
                    for (int k = 0; k < means.Length; k++)
                    {
                        double r = (points[n] - means[k]) * Math.Exp(-logSigmas[k]);
                        scores[k] = logWeights[k] - 0.5 * r * r - logSigmas[k];
                    }
                    total += LogSumExp(scores);
                }
                return total;
            }

            // h ← tanh(w h + u x_t + b), a state of two, written in place.
            [Differentiable]
            public static double Cell(ReadOnlySpan<double> state, double input, double w, double u, double b) =>
                Math.Tanh(w * (state[0] + 0.5 * state[1]) + u * input + b);

            [Differentiable(nameof(w), nameof(u), nameof(b))]
            public static double Recurrent(ReadOnlySpan<double> inputs, double w, double u, double b)
            {
                double[] h = new double[2];
                double loss = 0.0;
                for (int t = 0; t < inputs.Length; t++)
                {
                    double next = Cell(h, inputs[t], w, u, b);
                    h[1] = h[0];
                    h[0] = next;
                    loss += next * next;
                }
                return loss;
            }

            [Differentiable]
            public static double Sum(ReadOnlySpan<double> v)
            {
                double s = 0.0;
                for (int i = 0; i < v.Length; i++)
                {
                    s += v[i];
                }
                return s;
            }

            [Differentiable]
            public static double SumOfSquares(ReadOnlySpan<double> v)
            {
                double s = 0.0;
                for (int i = 0; i < v.Length; i++)
                {
                    s += v[i] * v[i];
                }
                return s;
            }

            // Two calls per inner iteration, in nested loops, on a parameter span and on a local array.
            [Differentiable]
            public static double TwoCallsNested(ReadOnlySpan<double> x, double a)
            {
                double total = 0.0;
                for (int i = 0; i < 2; i++)
                {
                    for (int j = 0; j < 3; j++)
                    {
                        double[] t = { a * x[j], x[i] + a, a * a };
                        total += SumOfSquares(t) * Sum(x) + a * Sum(t);
                    }
                }
                return total;
            }

            // A hand-written span gradient, in the generated shape: the partials fill dZ (the softmax).
            [CustomGradient(nameof(StableLogSumExpGradient))]
            public static double StableLogSumExp(ReadOnlySpan<double> z)
            {
                double m = double.NegativeInfinity;
                foreach (double v in z) m = Math.Max(m, v);
                double s = 0.0;
                foreach (double v in z) s += Math.Exp(v - m);
                return m + Math.Log(s);
            }

            public static double StableLogSumExpGradient(ReadOnlySpan<double> z, Span<double> dZ)
            {
                double value = StableLogSumExp(z);
                for (int k = 0; k < z.Length; k++) dZ[k] = Math.Exp(z[k] - value);
                return value;
            }

            // Σ_i lse(a x_i, x_i², b) + lse(x): the hand-written gradient inside a loop and outside it.
            [Differentiable]
            public static double CustomSpanGradient(ReadOnlySpan<double> x, double a, double b)
            {
                double total = StableLogSumExp(x);
                for (int i = 0; i < x.Length; i++)
                {
                    double[] z = { a * x[i], x[i] * x[i], b };
                    total += StableLogSumExp(z);
                }
                return total;
            }

            // The call inside a branch of the loop body, and a break before it.
            [Differentiable]
            public static double CallInBranch(ReadOnlySpan<double> x, double a)
            {
                double total = 0.0;
                for (int i = 0; i < x.Length; i++)
                {
                    if (x[i] > 1.5) break;
                    double[] t = { a * x[i], a + x[i] };
                    if (x[i] > 0)
                    {
                        total += SumOfSquares(t);
                    }
                    else
                    {
                        total -= a * SumOfSquares(t);
                    }
                }
                return total;
            }

            // The array created in the outer loop, the call in the inner loop, a stackalloc span.
            [Differentiable]
            public static double OuterArrayInnerCall(ReadOnlySpan<double> x, double a)
            {
                double total = 0.0;
                for (int i = 0; i < 2; i++)
                {
                    Span<double> t = stackalloc double[2];
                    t[0] = a * x[i];
                    for (int j = 0; j < 3; j++)
                    {
                        t[1] = x[j] + total * 0.1;
                        total += SumOfSquares(t);
                    }
                }
                return total;
            }

            // A while loop with a return inside, calling on a parameter span.
            [Differentiable]
            public static double WhileWithReturn(ReadOnlySpan<double> x, double a)
            {
                double p = a;
                int n = 0;
                while (n < 4)
                {
                    p = p * 0.5 + SumOfSquares(x) * a;
                    if (p > 100) return p;
                    n++;
                }
                return p;
            }

            [Differentiable]
            public static float SumF(ReadOnlySpan<float> v)
            {
                float s = 0f;
                for (int i = 0; i < v.Length; i++)
                {
                    s += v[i] * v[i];
                }
                return s;
            }

            [Differentiable]
            public static float FloatCallsInALoop(ReadOnlySpan<float> x, float a)
            {
                float total = 0f;
                for (int i = 0; i < x.Length; i++)
                {
                    float[] t = { a * x[i], a };
                    total += SumF(t);
                }
                return total;
            }
        }
        """;

    private const string TypeName = "Loops.SpanCalls";

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[][] expected)
    {
        ArrayGradientAssert.Matches(Code, TypeName, method, args, expected);
        ArrayGradientAssert.ForwardMatchesReverse(Code, TypeName, method, args);
    }

    [Fact]
    public void Mixture_calling_log_sum_exp_once_per_point()
    {
        double[] points = [0.3, -1.2, 2.1, 0.8];
        double[] means = [-0.5, 0.4, 1.7];
        double[] logSigmas = [0.1, -0.3, 0.4];
        double[] logWeights = [-0.2, 0.5, -1.1];
        // ∂/∂score_k = softmax_k per point; score_k = w_k − ½ r² − s_k with r = (x − μ_k) e^{−s_k}:
        // ∂/∂μ_k = p_k r e^{−s_k}, ∂/∂s_k = p_k (r² − 1), ∂/∂w_k = p_k.
        int K = means.Length;
        var dMeans = new double[K];
        var dLogSigmas = new double[K];
        var dLogWeights = new double[K];
        foreach (double x in points)
        {
            var r = Enumerable.Range(0, K).Select(k => (x - means[k]) * Math.Exp(-logSigmas[k])).ToArray();
            var score = Enumerable.Range(0, K).Select(k => logWeights[k] - 0.5 * r[k] * r[k] - logSigmas[k]).ToArray();
            double max = score.Max();
            double sum = score.Sum(s => Math.Exp(s - max));
            for (int k = 0; k < K; k++)
            {
                double p = Math.Exp(score[k] - max) / sum;
                dMeans[k] += p * r[k] * Math.Exp(-logSigmas[k]);
                dLogSigmas[k] += p * (r[k] * r[k] - 1);
                dLogWeights[k] += p;
            }
        }
        Check("MixtureLogLikelihood", [points, means, logSigmas, logWeights], dMeans, dLogSigmas, dLogWeights);
    }

    [Fact]
    public void Recurrent_net_calling_a_cell_on_its_state_at_every_step()
    {
        double[] inputs = [0.5, -1.0, 0.25, 1.5, -0.75];
        double w = 0.8, u = -0.6, b = 0.1;
        // Forward recurrence of the derivatives of (h0, h1) with respect to (w, u, b).
        double h0 = 0, h1 = 0;
        var d0 = new double[3];
        var d1 = new double[3];
        var dLoss = new double[3];
        foreach (double x in inputs)
        {
            double pre = w * (h0 + 0.5 * h1) + u * x + b;
            double next = Math.Tanh(pre);
            double g = 1 - next * next;
            var dNext = new double[3];
            for (int p = 0; p < 3; p++)
            {
                double dPre = w * (d0[p] + 0.5 * d1[p]) + (p == 0 ? h0 + 0.5 * h1 : p == 1 ? x : 1);
                dNext[p] = g * dPre;
                dLoss[p] += 2 * next * dNext[p];
            }
            d1 = d0;
            d0 = dNext;
            h1 = h0;
            h0 = next;
        }
        Check("Recurrent", [inputs, w, u, b], [dLoss[0]], [dLoss[1]], [dLoss[2]]);
    }

    [Fact]
    public void Two_calls_per_iteration_in_nested_loops()
    {
        // Σ_i Σ_j [ ((a x_j)² + (x_i + a)² + a⁴) S + a (a x_j + x_i + a + a²) ], S = Σx.
        double[] x = [0.5, -1.25, 0.75];
        double a = 0.6;
        double S = x.Sum();
        double total = 0;
        var dX = new double[x.Length];
        double dA = 0;
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                double q = a * x[j] * a * x[j] + (x[i] + a) * (x[i] + a) + a * a * a * a;
                total += q * S + a * (a * x[j] + x[i] + a + a * a);
                for (int m = 0; m < x.Length; m++)
                {
                    dX[m] += q; // through S
                }
                dX[j] += 2 * a * a * x[j] * S + a * a;
                dX[i] += 2 * (x[i] + a) * S + a;
                dA += (2 * a * x[j] * x[j] + 2 * (x[i] + a) + 4 * a * a * a) * S + (2 * a * x[j] + x[i] + 2 * a + 3 * a * a);
            }
        }
        Check("TwoCallsNested", [x, a], dX, [dA]);
    }

    [Fact]
    public void Custom_span_gradient_inside_and_outside_a_loop()
    {
        double[] x = [0.4, -0.9, 1.3];
        double a = 0.7, b = -0.2;
        static double[] Softmax(double[] z)
        {
            double max = z.Max();
            double sum = z.Sum(v => Math.Exp(v - max));
            return z.Select(v => Math.Exp(v - max) / sum).ToArray();
        }
        double[] dX = Softmax(x);
        double dA = 0, dB = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double[] p = Softmax([a * x[i], x[i] * x[i], b]);
            dX[i] += p[0] * a + p[1] * 2 * x[i];
            dA += p[0] * x[i];
            dB += p[2];
        }
        Check("CustomSpanGradient", [x, a, b], dX, [dA], [dB]);
    }

    [Fact]
    public void Call_in_a_branch_of_the_body_after_a_break()
    {
        double[] x = [0.5, -0.8, 1.2, 2.0, 0.3];
        double a = 0.7;
        var dX = new double[x.Length];
        double dA = 0;
        for (int i = 0; i < x.Length && x[i] <= 1.5; i++)
        {
            double s = a * x[i] * a * x[i] + (a + x[i]) * (a + x[i]);
            double dSdA = 2 * a * x[i] * x[i] + 2 * (a + x[i]);
            double dSdX = 2 * a * a * x[i] + 2 * (a + x[i]);
            if (x[i] > 0)
            {
                dA += dSdA;
                dX[i] += dSdX;
            }
            else
            {
                dA -= s + a * dSdA;
                dX[i] -= a * dSdX;
            }
        }
        Check("CallInBranch", [x, a], dX, [dA]);
    }

    [Fact]
    public void Stackalloc_span_created_in_the_outer_loop_passed_in_the_inner_loop()
    {
        // Derivatives by a forward recurrence over (x0, x1, x2, a).
        double[] x = [0.4, -0.7, 0.9];
        double a = 0.6;
        double total = 0;
        var dTotal = new double[4];
        for (int i = 0; i < 2; i++)
        {
            double t0 = a * x[i];
            var dT0 = new double[4];
            dT0[i] = a;
            dT0[3] = x[i];
            for (int j = 0; j < 3; j++)
            {
                double t1 = x[j] + total * 0.1;
                var dT1 = dTotal.Select(d => d * 0.1).ToArray();
                dT1[j] += 1;
                total += t0 * t0 + t1 * t1;
                for (int p = 0; p < 4; p++)
                {
                    dTotal[p] += 2 * t0 * dT0[p] + 2 * t1 * dT1[p];
                }
            }
        }
        Check("OuterArrayInnerCall", [x, a], dTotal[..3], [dTotal[3]]);
    }

    [Fact]
    public void Call_on_a_parameter_span_in_a_while_loop_with_a_return()
    {
        // p ← p/2 + a Σx² four times: a (1/16 + 15/8 Σx²).
        double[] x = [0.4, -0.7, 0.9];
        double a = 0.6;
        double s = x.Sum(v => v * v);
        Check("WhileWithReturn", [x, a], x.Select(v => a * 15.0 / 8 * 2 * v).ToArray(), [1.0 / 16 + 15.0 / 8 * s]);
    }

    [Fact]
    public void Float_callee_on_a_local_array_in_a_loop()
    {
        // Σ_i (a x_i)² + a²: ∂/∂x_i = 2 a² x_i, ∂/∂a = Σ 2 a x_i² + 2a.
        float[] x = [0.5f, -1.25f, 0.75f];
        float a = 0.6f;
        Check("FloatCallsInALoop", [x, a], x.Select(v => 2.0 * a * a * v).ToArray(), [x.Sum(v => 2.0 * a * v * v) + x.Length * 2.0 * a]);
    }
}
