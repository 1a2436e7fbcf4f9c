using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// Methods random programs once broke, reduced to a few lines: a carried value read after its loop by a partial
/// derivative, a local array created in a loop and indexed through its own length, nested loops inside an if, and a
/// local array created after an early return. Each against a derivative worked out by hand, finite differences and
/// forward mode.
/// </summary>
public sealed class LoopRegressionTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Loops;

        public static partial class Regressions
        {
            // p's final value is read after the loop by ∂(p a)/∂a.
            [Differentiable]
            public static double ProductThenScaled(double a, double b)
            {
                double p = 1.0;
                for (int i = 0; i < 2; i++)
                {
                    p *= b;
                }
                return p * a;
            }

            [Differentiable]
            public static double SineRecurrenceThenScaled(double a, double b)
            {
                double p = a;
                for (int i = 0; i < 2; i++)
                {
                    p = Math.Sin(p) + b;
                }
                return p * a;
            }

            [Differentiable]
            public static double QuotientThenTanh(double a, double b)
            {
                double v = a;
                for (int i = 0; i < 2; i++)
                {
                    v /= b;
                }
                return Math.Tanh(a * v);
            }

            [Differentiable]
            public static double NestedSineThenScaled(double a, double b)
            {
                double v = a;
                for (int i = 0; i < 2; i++)
                {
                    v += Math.Sin(Math.Sin(v));
                }
                return v * b;
            }

            // The same, with the loop inside a branch and inside another loop.
            [Differentiable]
            public static double ProductInABranchThenScaled(double a, double b, int n)
            {
                double p = 1.0;
                if (n > 0)
                {
                    for (int i = 0; i < n; i++)
                    {
                        p *= b;
                    }
                }
                return p * a;
            }

            [Differentiable]
            public static double NestedProductThenScaled(double a, double b)
            {
                double p = 1.0;
                for (int j = 0; j < 2; j++)
                {
                    for (int i = 0; i < 2; i++)
                    {
                        p *= b;
                    }
                }
                return p * a;
            }

            [Differentiable]
            public static double InnerProductThenScaled(double a, double b)
            {
                double s = 0.0;
                for (int j = 0; j < 2; j++)
                {
                    double p = a;
                    for (int i = 0; i < 2; i++)
                    {
                        p *= b;
                    }
                    s += p * p;
                }
                return s;
            }

            [Differentiable]
            public static double ArrayInALoopIndexedByItsLength(double a, double b)
            {
                double v = 0.0;
                for (int i = 0; i < 3; i++)
                {
                    double[] t = { a, b };
                    v += t[i % t.Length];
                }
                return v;
            }

            [Differentiable]
            public static double NestedLoopsInAnIf(double a, int n)
            {
                double v = a;
                if (n > 0)
                {
                    for (int i = 0; i < 2; i++)
                        for (int j = 0; j < 2; j++)
                            v += a;
                }
                return v;
            }

            [Differentiable]
            public static double ArrayAfterAnEarlyReturn(double b, int n)
            {
                double[] t = new double[2];
                double v = b * t[n % 2];
                if (b < v) return b;
                t[0] = b;
                double[] u = new double[] { b, v };
                return u[n % u.Length];
            }
        }
        """;

    private const string TypeName = "Loops.Regressions";

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[][] expected)
    {
        ArrayGradientAssert.Matches(Code, TypeName, method, args, expected);
        ArrayGradientAssert.ForwardMatchesReverse(Code, TypeName, method, args);
    }

    [Fact]
    public void Carried_product_read_after_the_loop()
    {
        // b² a: ∂/∂a = b², ∂/∂b = 2ab.
        Check("ProductThenScaled", [0.5, 2.0], [4.0], [2.0]);
        Check("ProductThenScaled", [-1.25, 0.75], [0.5625], [-1.875]);
    }

    [Fact]
    public void Carried_sine_recurrence_read_after_the_loop()
    {
        // p₁ = sin a + b, p₂ = sin p₁ + b, F = p₂ a.
        double a = 0.7, b = -0.4;
        double p1 = Math.Sin(a) + b, p2 = Math.Sin(p1) + b;
        Check("SineRecurrenceThenScaled", [a, b], [p2 + a * Math.Cos(p1) * Math.Cos(a)], [a * (Math.Cos(p1) + 1)]);
    }

    [Fact]
    public void Carried_quotient_read_after_the_loop()
    {
        // tanh(a²/b²): ∂/∂a = (1 − t²) 2a/b², ∂/∂b = −(1 − t²) 2a²/b³.
        double a = 0.9, b = 1.3;
        double t = Math.Tanh(a * a / (b * b));
        Check("QuotientThenTanh", [a, b], [(1 - t * t) * 2 * a / (b * b)], [-(1 - t * t) * 2 * a * a / (b * b * b)]);
    }

    [Fact]
    public void Carried_nested_sine_read_after_the_loop()
    {
        // v ← v + sin(sin v) twice; F = v b. dv/da by the forward recurrence dv ← dv (1 + cos(sin v) cos v).
        double a = 0.6, b = 1.7, v = a, dv = 1;
        for (int i = 0; i < 2; i++)
        {
            dv *= 1 + Math.Cos(Math.Sin(v)) * Math.Cos(v);
            v += Math.Sin(Math.Sin(v));
        }
        Check("NestedSineThenScaled", [a, b], [b * dv], [v]);
    }

    [Fact]
    public void Carried_product_in_a_branch_read_after_the_loop()
    {
        // bⁿ a for n > 0, else a.
        Check("ProductInABranchThenScaled", [0.5, 2.0, 3], [8.0], [6.0]);
        Check("ProductInABranchThenScaled", [0.5, 2.0, 0], [1.0], [0.0]);
    }

    [Fact]
    public void Carried_product_of_nested_loops_read_after_them()
    {
        // b⁴ a: ∂/∂a = b⁴, ∂/∂b = 4 a b³.
        double a = 0.8, b = -1.1;
        Check("NestedProductThenScaled", [a, b], [Math.Pow(b, 4)], [4 * a * Math.Pow(b, 3)]);
    }

    [Fact]
    public void Carried_product_of_an_inner_loop_read_after_it()
    {
        // 2 (a b²)²: ∂/∂a = 4 a b⁴, ∂/∂b = 8 a² b³.
        double a = 0.8, b = -1.1;
        Check("InnerProductThenScaled", [a, b], [4 * a * Math.Pow(b, 4)], [8 * a * a * Math.Pow(b, 3)]);
    }

    [Fact]
    public void Array_created_in_a_loop_and_indexed_through_its_own_length()
    {
        // a + b + a.
        Check("ArrayInALoopIndexedByItsLength", [0.3, -0.8], [2.0], [1.0]);
    }

    [Fact]
    public void Nested_loops_inside_an_if()
    {
        // 5a when n > 0, else a.
        Check("NestedLoopsInAnIf", [0.3, 1], [5.0]);
        Check("NestedLoopsInAnIf", [0.3, 0], [1.0]);
    }

    [Fact]
    public void Array_created_after_an_early_return()
    {
        // v = b · 0 = 0. b < 0 returns b; otherwise u = {b, 0} and the result is b (n even) or 0 (n odd).
        Check("ArrayAfterAnEarlyReturn", [0.7, 0], [1.0]);
        Check("ArrayAfterAnEarlyReturn", [0.7, 1], [0.0]);
        Check("ArrayAfterAnEarlyReturn", [-0.5, 1], [1.0]);
    }
}
