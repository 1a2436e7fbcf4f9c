using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.GeneratedCode;

/// <summary>
/// Pins the generated source of representative methods: it is what users read in their IDE. Each
/// snapshot in <c>GeneratedCode/Snapshots</c> was reviewed by eye; a change to the generator that alters
/// one fails here until the new text is reviewed and accepted.
/// </summary>
public sealed class GeneratedCodeSnapshotTests
{
    private const string Usings = "using System;\nusing Backprop.Symbolic;\n\n";

    public static readonly Dictionary<string, string> Cases = new()
    {
        ["NestedLoopsWithTape"] = """
            namespace Samples;
            public static partial class Functions
            {
                // A layer then a sum: tanh(u) is recorded per row, the inner trip count per row.
                [Differentiable]
                public static double Layer(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
                {
                    int n = x.Length;
                    double s = 0;
                    for (int i = 0; i < n; i++)
                    {
                        double u = 0;
                        for (int j = 0; j < n; j++)
                        {
                            u += w[i * n + j] * x[j];
                        }
                        s += Math.Tanh(u) * x[i];
                    }
                    return s;
                }
            }
            """,
        ["EarlyReturnInLoop"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double FirstAbove(ReadOnlySpan<double> x, double threshold)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (x[i] > threshold)
                        {
                            return x[i] * threshold;
                        }
                    }
                    return threshold * threshold;
                }
            }
            """,
        ["LocalArrayOverwrittenInLoop"] = """
            namespace Samples;
            public static partial class Functions
            {
                // A state updated in place every time step: each overwritten element is recorded.
                [Differentiable(nameof(w))]
                public static double Recurrent(ReadOnlySpan<double> inputs, double w)
                {
                    double[] state = new double[2];
                    for (int t = 0; t < inputs.Length; t++)
                    {
                        for (int j = 0; j < state.Length; j++)
                        {
                            state[j] = Math.Tanh(state[j] * w + inputs[t]);
                        }
                    }
                    return state[0] * state[1];
                }
            }
            """,
        ["ForeachOverInitializer"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double SumOfSines(double a, double b)
                {
                    double s = 0;
                    foreach (double v in new[] { a, b, a * b })
                    {
                        s += Math.Sin(v);
                    }
                    return s;
                }
            }
            """,
        ["WhileWithSideEffect"] = """
            namespace Samples;
            public static partial class Functions
            {
                // Horner's rule; the counter is recomputed in the backward sweep, not recorded.
                [Differentiable]
                public static double Horner(ReadOnlySpan<double> coefficients, double x)
                {
                    double result = 0;
                    int n = coefficients.Length;
                    while (n-- > 0)
                    {
                        result = result * x + coefficients[n];
                    }
                    return result;
                }
            }
            """,
        ["Rosenbrock"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Rosenbrock(double x, double y)
                {
                    double a = 1 - x;
                    double b = y - x * x;
                    return a * a + 100 * b * b;
                }
            }
            """,
        ["ExpressionBodied"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Wave(double x, double y) => Math.Sin(x) * Math.Exp(-y) + x / (1 + y * y);
            }
            """,
        ["SinglePrecision"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
            }
            """,
        ["RestrictedParameters"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable(nameof(w), nameof(b))]
                public static double Neuron(double w, double b, double input, double target)
                {
                    double error = Math.Tanh(w * input + b) - target;
                    return 0.5 * error * error;
                }
            }
            """,
        ["PassiveInteger"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Scaled(double x, int n, bool square) => square ? n * x * x : (x + n) / n;
            }
            """,
        ["IfElseJoin"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Huber(double r, double delta)
                {
                    double loss;
                    if (Math.Abs(r) <= delta)
                    {
                        loss = 0.5 * r * r;
                    }
                    else
                    {
                        loss = delta * (Math.Abs(r) - 0.5 * delta);
                    }
                    return loss;
                }
            }
            """,
        ["EarlyReturn"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double SafeLog(double x, double epsilon)
                {
                    if (x < epsilon)
                    {
                        return Math.Log(epsilon) + (x - epsilon) / epsilon;
                    }
                    double y = Math.Log(x);
                    return y * y;
                }
            }
            """,
        ["ElseIfChain"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Piecewise(double x, double y)
                {
                    if (x < -1)
                    {
                        return -x * y;
                    }
                    else if (x < 1 && y > 0)
                    {
                        return x * x * y;
                    }
                    else
                    {
                        return Math.Sqrt(x + y * y);
                    }
                }
            }
            """,
        ["ConditionalExpression"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double LeakyRelu(double x, double slope)
                {
                    double y = x > 0 ? x : slope * x;
                    return y;
                }
            }
            """,
        ["CompoundAssignment"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Accumulate(double x, double y)
                {
                    double s = x;
                    s += y * y;
                    s *= x;
                    s -= 1;
                    s /= y;
                    s++;
                    return s;
                }
            }
            """,
        ["CallsDifferentiable"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

                [Differentiable]
                public static double Loss(double w, double b, double x, double t)
                {
                    double p = Softplus(w * x + b);
                    return (p - t) * (p - t) + 0.01 * Softplus(w);
                }
            }
            """,
        ["Recursion"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Power(double x, int n) => n == 0 ? 1 : x * Power(x, n - 1);
            }
            """,
        ["NestedGenericTypes"] = """
            namespace Samples;
            public partial class Model<T>
            {
                internal partial struct Layer
                {
                    [Differentiable]
                    internal static double Activate(double z, double gain) => gain * Math.Tanh(z);
                }
            }
            """,
        ["GeneratedNameClash"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Clash(double x, double y)
                {
                    double dX = x * y;
                    double _t0 = Math.Sin(dX);
                    double value = _t0 * _t0;
                    return value + dX;
                }
            }
            """,
        ["NonSmooth"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Kinks(double x, double y) =>
                    Math.Abs(x) + Math.Max(x, y) - Math.Min(x, 2 * y) + Math.Clamp(x * y, -1, 1) + Math.Floor(x);
            }
            """,
        ["Transcendental"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Mixed(double x, double y) =>
                    Math.Pow(x, y) + Math.Log(x, 2) + Math.Atan2(y, x) + Math.Cbrt(x) + Math.Asin(y / 2) + Math.Sinh(x) * Math.Cosh(y);
            }
            """,
        ["CommonSubexpressions"] = """
            namespace Samples;
            public static partial class Functions
            {
                [Differentiable]
                public static double Repeated(double x, double y) =>
                    Math.Sin(x * y) * Math.Sin(x * y) + Math.Cos(x * y) / (1 + Math.Sin(x * y));
            }
            """,
        ["ConstantsAndPassiveCalls"] = """
            namespace Samples;
            public static partial class Functions
            {
                private const double Gravity = 9.81;
                private static readonly double Drag = 0.47;

                private static double Area(int size) => size * size * 0.01;

                [Differentiable]
                public static double Force(double v, double mass, int size)
                {
                    const double half = 0.5;
                    return mass * Gravity - half * Drag * Area(size) * v * v;
                }
            }
            """,
        ["CustomGradient"] = """
            namespace Samples;
            public static class Stable
            {
                [CustomGradient(nameof(LogisticGradient))]
                public static double Logistic(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

                public static double LogisticGradient(double x, out double dX)
                {
                    double s = Logistic(x);
                    dX = s * (1 - s);
                    return s;
                }
            }

            public static partial class Functions
            {
                [Differentiable]
                public static double CrossEntropy(double w, double x, double label)
                {
                    double p = Stable.Logistic(w * x);
                    return -(label * Math.Log(p) + (1 - label) * Math.Log(1 - p));
                }
            }
            """,
        ["SpanCallPerPointInLoop"] = """
            namespace Samples;
            public static partial class Mixture
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

                // Per point, the component scores in a local array, then their log-sum-exp: its partials
                // (the softmax) are recorded per point.
                [Differentiable(nameof(means), nameof(logWeights))]
                public static double LogLikelihood(ReadOnlySpan<double> points, ReadOnlySpan<double> means, ReadOnlySpan<double> logWeights)
                {
                    double total = 0.0;
                    for (int n = 0; n < points.Length; n++)
                    {
                        double[] scores = new double[means.Length];
                        for (int k = 0; k < means.Length; k++)
                        {
                            double r = points[n] - means[k];
                            scores[k] = logWeights[k] - 0.5 * r * r;
                        }
                        total += LogSumExp(scores);
                    }
                    return total;
                }
            }
            """,
        ["SpanCallPerStepOnState"] = """
            namespace Samples;
            public static partial class Recurrent
            {
                [Differentiable]
                public static double Cell(ReadOnlySpan<double> state, double input, double w, double u) =>
                    Math.Tanh(w * (state[0] + 0.5 * state[1]) + u * input);

                // The cell reads the state array at every step; the array is then overwritten in place.
                [Differentiable(nameof(w), nameof(u))]
                public static double Loss(ReadOnlySpan<double> inputs, double w, double u)
                {
                    double[] h = new double[2];
                    double loss = 0.0;
                    for (int t = 0; t < inputs.Length; t++)
                    {
                        double next = Cell(h, inputs[t], w, u);
                        h[1] = h[0];
                        h[0] = next;
                        loss += next * next;
                    }
                    return loss;
                }
            }
            """,
        ["GlobalNamespace"] = """
            public static partial class TopLevel
            {
                [Differentiable]
                public static double Quadratic(double x) => 3 * x * x - 2 * x + 1;
            }
            """,
    };

    public static IEnumerable<object[]> CaseNames() => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Generated_source_matches_its_reviewed_snapshot(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + Cases[name]);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        string source = string.Join("\n", run.GeneratedSources
            .OrderBy(s => s.HintName, System.StringComparer.Ordinal)
            .Select(s => "// " + s.HintName + "\n" + s.SourceText));
        SnapshotAssert.Matches(source, name);
    }

    [Fact]
    public void There_are_at_least_fifteen_snapshot_cases()
    {
        Assert.True(Cases.Count >= 15, $"Only {Cases.Count} snapshot cases.");
    }
}
