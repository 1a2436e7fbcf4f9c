using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// Local arrays and spans inside [Differentiable] methods: <c>new double[n]</c> filled in a loop and read back,
/// <c>new double[] { a, b, c }</c> walked with <c>foreach</c>, <c>stackalloc</c>, element <c>+=</c> and <c>*=</c>, elements
/// overwritten in a loop and read afterwards (a running state updated in place every time step), and a local array or
/// span passed to another [Differentiable] method that takes <c>ReadOnlySpan&lt;double&gt;</c>. Each gradient is checked
/// against a formula worked out in the test, against finite differences, and forward mode against reverse mode.
/// </summary>
public sealed class LocalArrayTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace LocalArrays;

        public static partial class Locals
        {
            [Differentiable]
            public static double SumOfSquares(ReadOnlySpan<double> v)
            {
                double s = 0;
                for (int i = 0; i < v.Length; i++)
                {
                    s += v[i] * v[i];
                }
                return s;
            }

            [Differentiable]
            public static double PassesLocalArray(ReadOnlySpan<double> x)
            {
                double[] shifted = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    shifted[i] = 2 * x[i] + 1;
                }
                return SumOfSquares(shifted);
            }

            [Differentiable]
            public static double PassesStackallocSpan(ReadOnlySpan<double> x)
            {
                Span<double> sines = stackalloc double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    sines[i] = Math.Sin(x[i]);
                }
                return SumOfSquares(sines);
            }

            [Differentiable]
            public static double PassesParameterSpan(ReadOnlySpan<double> x, double scale) => scale * SumOfSquares(x);

            // A temporary array created in every time step, as LSTM gates are: h ← Σ_j tanh(w_j · h + x_t).
            [Differentiable]
            public static double ArrayPerTimeStep(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
            {
                double h = 0.5;
                for (int t = 0; t < x.Length; t++)
                {
                    double[] gates = new double[w.Length];
                    for (int j = 0; j < w.Length; j++)
                    {
                        gates[j] = Math.Tanh(w[j] * h + x[t]);
                    }
                    double next = 0;
                    foreach (double g in gates)
                    {
                        next += g;
                    }
                    h = next / w.Length;
                }
                return h;
            }

            // An array created after an early return: it lives in a branch of the lowered method.
            [Differentiable]
            public static double ArrayAfterEarlyReturn(ReadOnlySpan<double> x, double a)
            {
                if (x.Length == 0)
                {
                    return a;
                }
                double[] scaled = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    scaled[i] = a * x[i];
                }
                return SumOfSquares(scaled);
            }

            [Differentiable]
            public static double FilledThenReadBack(ReadOnlySpan<double> x)
            {
                int n = x.Length;
                double[] squares = new double[n];
                for (int i = 0; i < n; i++)
                {
                    squares[i] = x[i] * x[i];
                }
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    s += squares[i] * x[n - 1 - i];
                }
                return s;
            }

            [Differentiable]
            public static double InitializerWithForeach(double a, double b, double c)
            {
                double[] values = new double[] { a, b * b, Math.Sin(c) };
                double s = 0;
                foreach (double v in values)
                {
                    s += v * v;
                }
                return s;
            }

            [Differentiable]
            public static double StackallocSoftmaxMean(ReadOnlySpan<double> x)
            {
                Span<double> e = stackalloc double[x.Length];
                double total = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    e[i] = Math.Exp(x[i]);
                    total += e[i];
                }
                double r = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    r += e[i] / total * x[i];
                }
                return r;
            }

            [Differentiable]
            public static double CompoundElementWrites(ReadOnlySpan<double> x, double scale)
            {
                double[] acc = new double[2];
                for (int i = 0; i < x.Length; i++)
                {
                    acc[i % 2] += x[i];
                }
                acc[0] *= scale;
                acc[1] *= acc[0];
                return acc[0] + acc[1];
            }

            [Differentiable]
            public static double RepeatedElementProducts(ReadOnlySpan<double> x)
            {
                int n = x.Length;
                double[] t = new double[n];
                for (int i = 0; i < n; i++)
                {
                    t[i] = 1;
                }
                for (int r = 0; r < 3; r++)
                {
                    for (int i = 0; i < n; i++)
                    {
                        t[i] *= x[i] + r;
                    }
                }
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    s += t[i];
                }
                return s;
            }

            [Differentiable]
            public static double PrefixRecurrence(ReadOnlySpan<double> x)
            {
                double[] p = new double[x.Length];
                p[0] = x[0];
                for (int i = 1; i < x.Length; i++)
                {
                    p[i] = 0.5 * p[i - 1] + x[i];
                }
                double s = 0;
                for (int i = 0; i < p.Length; i++)
                {
                    s += p[i] * p[i];
                }
                return s;
            }

            [Differentiable]
            public static double RunningState(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
            {
                double[] state = new double[w.Length];
                for (int t = 0; t < x.Length; t++)
                {
                    for (int j = 0; j < state.Length; j++)
                    {
                        state[j] = Math.Tanh(state[j] * w[j] + x[t]);
                    }
                }
                double s = 0;
                for (int j = 0; j < state.Length; j++)
                {
                    s += state[j];
                }
                return s;
            }

            [Differentiable]
            public static float FilledThenReadBackF(ReadOnlySpan<float> x)
            {
                int n = x.Length;
                float[] squares = new float[n];
                for (int i = 0; i < n; i++)
                {
                    squares[i] = x[i] * x[i];
                }
                float s = 0;
                for (int i = 0; i < n; i++)
                {
                    s += squares[i] * x[n - 1 - i];
                }
                return s;
            }
        }
        """;

    private const string TypeName = "LocalArrays.Locals";

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[][] expected)
    {
        ArrayGradientAssert.Matches(Code, TypeName, method, args, expected);
        ArrayGradientAssert.ForwardMatchesReverse(Code, TypeName, method, args);
    }

    [Fact]
    public void Callee_taking_a_span_on_its_own()
    {
        double[] v = [0.5, -1.25, 2.0];
        Check("SumOfSquares", [v], v.Select(e => 2 * e).ToArray());
    }

    [Fact]
    public void Local_array_passed_to_a_differentiable_method_taking_a_span()
    {
        // Σ (2x + 1)²: ∂/∂x_i = 4 (2 x_i + 1).
        double[] x = [0.5, -1.25, 2.0];
        Check("PassesLocalArray", [x], x.Select(v => 4 * (2 * v + 1)).ToArray());
    }

    [Fact]
    public void Stackalloc_span_passed_to_a_differentiable_method_taking_a_span()
    {
        // Σ sin² x: ∂/∂x_i = 2 sin x_i cos x_i.
        double[] x = [0.5, -1.25, 2.0];
        Check("PassesStackallocSpan", [x], x.Select(v => 2 * Math.Sin(v) * Math.Cos(v)).ToArray());
    }

    [Fact]
    public void Span_parameter_passed_on_to_a_differentiable_method()
    {
        // scale · Σ x²: ∂/∂x_i = 2 scale x_i, ∂/∂scale = Σ x².
        double[] x = [0.5, -1.25, 2.0];
        double scale = 0.75;
        Check("PassesParameterSpan", [x, scale], x.Select(v => 2 * scale * v).ToArray(), [x.Sum(v => v * v)]);
    }

    [Fact]
    public void Array_created_in_every_iteration_of_a_loop()
    {
        double[] x = [0.3, -0.6, 0.9, 0.2];
        double[] w = [0.8, -0.5, 1.2];
        // Independent check: forward-mode recurrence written here, one tangent per parameter.
        int n = x.Length, m = w.Length;
        double h = 0.5;
        var dx = new double[n, 1];
        double[] dhdx = new double[n], dhdw = new double[m];
        for (int t = 0; t < n; t++)
        {
            double next = 0;
            double[] ndx = new double[n], ndw = new double[m];
            for (int j = 0; j < m; j++)
            {
                double g = Math.Tanh(w[j] * h + x[t]);
                double dg = 1 - g * g;
                next += g;
                for (int k = 0; k < n; k++)
                {
                    ndx[k] += dg * (w[j] * dhdx[k] + (k == t ? 1 : 0));
                }
                for (int k = 0; k < m; k++)
                {
                    ndw[k] += dg * (w[j] * dhdw[k] + (k == j ? h : 0));
                }
            }
            h = next / m;
            for (int k = 0; k < n; k++)
            {
                dhdx[k] = ndx[k] / m;
            }
            for (int k = 0; k < m; k++)
            {
                dhdw[k] = ndw[k] / m;
            }
        }
        Check("ArrayPerTimeStep", [x, w], dhdx, dhdw);
    }

    [Fact]
    public void Array_created_after_an_early_return()
    {
        // a² Σ x²: ∂/∂x_i = 2 a² x_i, ∂/∂a = 2 a Σ x²; and a itself for an empty x.
        double[] x = [0.5, -1.25, 2.0];
        double a = 1.5;
        Check("ArrayAfterEarlyReturn", [x, a], x.Select(v => 2 * a * a * v).ToArray(), [2 * a * x.Sum(v => v * v)]);
        Check("ArrayAfterEarlyReturn", [System.Array.Empty<double>(), a], System.Array.Empty<double>(), [1.0]);
    }

    [Theory]
    [InlineData(new[] { 0.5, -1.25, 2.0, 0.75 })]
    [InlineData(new[] { 0.5, -1.25, 2.0 })] // odd: the middle element meets itself
    public void New_array_filled_in_a_loop_and_read_back(double[] x)
    {
        int n = x.Length;
        // s = Σ_i x_i² x_{n−1−i}: ∂s/∂x_k = 2 x_k x_{n−1−k} + x_{n−1−k}².
        Check("FilledThenReadBack", [x], x.Select((v, k) => 2 * v * x[n - 1 - k] + x[n - 1 - k] * x[n - 1 - k]).ToArray());
    }

    [Fact]
    public void Array_initializer_walked_with_foreach()
    {
        const double a = 0.5, b = -1.25, c = 0.75;
        // s = a² + b⁴ + sin² c.
        Check("InitializerWithForeach", [a, b, c], [2 * a], [4 * b * b * b], [2 * Math.Sin(c) * Math.Cos(c)]);
    }

    [Fact]
    public void Stackalloc_span_written_and_read()
    {
        double[] x = [0.5, -1.25, 2.0, 0.75];
        double total = x.Sum(Math.Exp);
        double[] p = x.Select(v => Math.Exp(v) / total).ToArray();
        double r = p.Zip(x, (pi, xi) => pi * xi).Sum();
        // r = Σ p_i x_i with p = softmax(x): ∂r/∂x_k = p_k (1 + x_k − r).
        Check("StackallocSoftmaxMean", [x], p.Select((pk, k) => pk * (1 + x[k] - r)).ToArray());
    }

    [Fact]
    public void Element_plus_equals_and_times_equals()
    {
        double[] x = [0.5, -1.25, 2.0, 0.75, 1.5];
        const double scale = 1.5;
        double even = x.Where((_, i) => i % 2 == 0).Sum();
        double odd = x.Where((_, i) => i % 2 == 1).Sum();
        // acc0 = E·scale, acc1 = O·E·scale: f = E·scale·(1 + O).
        Check("CompoundElementWrites", [x, scale],
            x.Select((_, i) => i % 2 == 0 ? scale * (1 + odd) : even * scale).ToArray(),
            [even * (1 + odd)]);
    }

    [Fact]
    public void Element_times_equals_overwritten_in_a_loop()
    {
        double[] x = [0.5, -1.25, 2.0, -0.4];
        // t_i = x_i (x_i + 1)(x_i + 2) = x³ + 3x² + 2x.
        Check("RepeatedElementProducts", [x], x.Select(v => 3 * v * v + 6 * v + 2).ToArray());
    }

    [Fact]
    public void Elements_computed_from_earlier_elements_and_read_back()
    {
        double[] x = [0.5, -1.25, 2.0, -0.4, 1.0];
        int n = x.Length;
        double[] p = new double[n];
        p[0] = x[0];
        for (int i = 1; i < n; i++)
        {
            p[i] = 0.5 * p[i - 1] + x[i];
        }
        // p_i = Σ_{k≤i} 0.5^{i−k} x_k and s = Σ p_i²: ∂s/∂x_k = Σ_{i≥k} 2 p_i 0.5^{i−k}.
        double[] expected = Enumerable.Range(0, n)
            .Select(k => Enumerable.Range(k, n - k).Sum(i => 2 * p[i] * Math.Pow(0.5, i - k)))
            .ToArray();
        Check("PrefixRecurrence", [x], expected);
    }

    [Fact]
    public void Running_state_array_updated_in_place_every_time_step()
    {
        double[] x = [0.5, -1.0, 1.5, -0.25, 0.8];
        double[] w = [0.9, -0.4, 0.2];
        // Each unit j is its own recurrence h = tanh(w_j h + x_t) from h = 0, and s is the sum of the final states.
        double[] dX = new double[x.Length];
        double[] dW = new double[w.Length];
        for (int j = 0; j < w.Length; j++)
        {
            (_, double[] unitDX, double unitDW, _) = LoopTests.RecurrenceByForwardTangents(x, w[j], 0.0);
            for (int k = 0; k < x.Length; k++)
            {
                dX[k] += unitDX[k];
            }
            dW[j] = unitDW;
        }
        Check("RunningState", [x, w], dX, dW);
    }

    [Fact]
    public void Float_local_array_filled_in_a_loop_and_read_back()
    {
        float[] x = [0.5f, -1.25f, 2.0f, 0.75f];
        int n = x.Length;
        Check("FilledThenReadBackF", [x], x.Select((v, k) => 2.0 * v * x[n - 1 - k] + (double)x[n - 1 - k] * x[n - 1 - k]).ToArray());
    }
}
