using System;
using System.Linq;
using System.Reflection;
using Backprop.Symbolic.Generators.Emit;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Analyses;

/// <summary>
/// Copy coalescing only renames variables and removes copies, and writing source <c>for</c> loops as <c>for</c>
/// loops only moves statements into the loop's head: with either off, the generated code is longer (full of
/// SSA copies, or <c>while</c> loops), and every value, gradient and directional derivative is the same to the bit.
/// The methods exercise what it merges: loop headers, carried sums, counters, adjoints handed between
/// backward iterations, loops nested in branches (also in a branch that returns, whose forward and backward
/// sweeps are written in one block), returns inside loops and local arrays.
/// </summary>
public sealed class CopyCoalescingSwitchTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Passes;

        public static partial class Functions
        {
            [Differentiable(nameof(a), nameof(b))]
            public static double Nested(double a, double b, int n)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    double u = a;
                    for (int j = 0; j < i + 1; j++)
                    {
                        u = Math.Sin(u * b) + a;
                    }
                    s += u * u;
                }
                return s;
            }

            [Differentiable(nameof(a), nameof(b))]
            public static double Countdown(double a, double b, int n)
            {
                double[] c = { a, b, a * b, a - b };
                double result = 0;
                int k = Math.Min(n, c.Length);
                while (k-- > 0)
                {
                    result = result * a + c[k];
                }
                return result;
            }

            [Differentiable(nameof(a), nameof(b))]
            public static double Search(double a, double b, int n)
            {
                double v = a;
                for (int i = 0; i < n; i++)
                {
                    v = v * b + Math.Cos(v);
                    if (v > 2.0)
                    {
                        return v * a;
                    }
                }
                return v - b;
            }

            [Differentiable(nameof(a), nameof(b))]
            public static double Branchy(double a, double b, int n)
            {
                double v = a;
                if (n > 1)
                {
                    for (int i = 0; i < n; i++)
                    {
                        v += a * Math.Tanh(v * b);
                    }
                }
                else
                {
                    int t = 0;
                    do
                    {
                        v = v * v * b;
                        t++;
                    }
                    while (t < 3);
                }
                return v;
            }

            [Differentiable(nameof(a), nameof(b))]
            public static double Tail(double a, double b, int n)
            {
                double v = a * b;
                if (n > 2)
                {
                    for (int i = 0; i < n; i++)
                    {
                        v = Math.Sin(v) * b + a;
                    }
                    return v * a;
                }
                double s = 0;
                for (int j = 0; j < n; j++)
                {
                    s += v * j;
                }
                return s + b;
            }

            [Differentiable(nameof(a), nameof(b))]
            public static double Recurrent(double a, double b, int n)
            {
                double[] state = new double[2];
                state[0] = a;
                for (int t = 0; t < n; t++)
                {
                    for (int j = 0; j < state.Length; j++)
                    {
                        state[j] = Math.Tanh(state[j] * b + a * j);
                    }
                }
                return state[0] * state[1];
            }
        }
        """;

    private static readonly string[] Methods = { "Nested", "Countdown", "Search", "Branchy", "Tail", "Recurrent" };

    private static readonly (double A, double B, int N)[] Points =
    {
        (0.3, 0.7, 0), (0.3, 0.7, 1), (-0.8, 0.4, 3), (1.2, -0.6, 4), (0.9, 1.1, 5), (0.05, 1.9, 6),
    };

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void Switching_copy_coalescing_or_for_loops_off_changes_the_code_but_no_value_gradient_or_derivative(bool coalescing, bool forLoops)
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        Assert.Empty(run.GeneratorDiagnostics);
        MethodModel[] models = run.RunResult.Results.Single().TrackedSteps[TrackingNames.Models]
            .SelectMany(step => step.Outputs)
            .Select(output => (MethodModel)output.Value)
            .ToArray();
        Assert.Equal(Methods.Length, models.Length);

        (Type coalesced, string coalescedCode) = PassSwitchTests.Build(run.InputCompilation, models, GradientEmitter.Options.Default);
        (Type copied, string copiedCode) = PassSwitchTests.Build(run.InputCompilation, models, GradientEmitter.Options.Default with { CopyCoalescing = coalescing, ForLoops = forLoops });

        // The copies a loop header takes are gone: `int i_1 = i;` and `i_1 = i_2;` become `i++` in a for loop.
        Assert.True(HasLine(coalescedCode, "for (int i = 0; i < n; i++)"));
        Assert.False(HasLine(coalescedCode, "int i_1 = i;"));
        Assert.Equal(coalescing, !HasLine(copiedCode, "int i_1 = i;"));
        // Without coalescing the increment is `int i_2 = i_1 + 1; i_1 = i_2;`, which no for loop's head holds.
        Assert.Equal(coalescing && forLoops, HasLine(copiedCode, "for (int i = 0; i < n; i++)"));
        Assert.True(Lines(coalescedCode) < Lines(copiedCode), $"{Lines(coalescedCode)} lines with both, {Lines(copiedCode)} without.");

        foreach (string method in Methods)
        {
            foreach ((double a, double b, int n) in Points)
            {
                (double value, double[] gradient) = Invoke.Gradient(coalesced, method, a, b, n);
                (double otherValue, double[] otherGradient) = Invoke.Gradient(copied, method, a, b, n);
                Assert.Equal(Invoke.Primal(coalesced, method, a, b, n), value);
                Assert.Equal(otherValue, value);
                Assert.Equal(otherGradient, gradient);
                Assert.Equal(2, gradient.Length);
                for (int k = 0; k < 2; k++)
                {
                    (double forwardValue, double derivative) = Derivative(coalesced, method, a, b, n, k);
                    (double otherForwardValue, double otherDerivative) = Derivative(copied, method, a, b, n, k);
                    Assert.Equal(value, forwardValue);
                    Assert.Equal(otherForwardValue, forwardValue);
                    Assert.Equal(otherDerivative, derivative);
                    double magnitude = Math.Max(1, Math.Abs(gradient[k]));
                    Assert.True(Math.Abs(derivative - gradient[k]) <= 1e-12 * magnitude,
                        $"{method}({a}, {b}, {n}): forward mode gives {derivative} along parameter {k}, reverse mode {gradient[k]}.");
                }
            }
        }
    }

    private static int Lines(string code) => code.Split('\n').Length;

    private static bool HasLine(string code, string line) => code.Split('\n').Any(l => l.Trim() == line);

    /// <summary>Calls <c>{method}Derivative</c> along the <paramref name="k"/>-th parameter.</summary>
    internal static (double Value, double Derivative) Derivative(Type type, string method, double a, double b, int n, int k)
    {
        MethodInfo derivative = type.GetMethod(method + "Derivative", BindingFlags.Public | BindingFlags.Static)!;
        object[] args = { a, b, n, k == 0 ? 1.0 : 0.0, k == 1 ? 1.0 : 0.0, 0.0 };
        double value = (double)derivative.Invoke(null, args)!;
        return (value, (double)args[5]);
    }
}
