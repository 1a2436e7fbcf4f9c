using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// Shapes where loops meet branches, calls, conversions and local arrays in less common ways: a loop inside an
/// if, a counter stepped on some paths only, an array that becomes differentiated late in a loop body, array
/// initializers whose elements are overwritten, float callees and float spans in double methods, and arrays
/// created in every iteration. Each against a derivative worked out by hand and finite differences.
/// </summary>
public sealed class LoopEdgeCaseTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Loops;

        public static partial class Edges
        {
            [Differentiable]
            public static double LoopInsideIf(ReadOnlySpan<double> x, double a)
            {
                double s = a;
                if (x.Length > 2)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        s += a * x[i];
                    }
                }
                return s * a;
            }

            // m is stepped only when the element is kept: not a function of the iteration number.
            [Differentiable]
            public static double KeepPositive(ReadOnlySpan<double> x, double w)
            {
                double[] kept = new double[x.Length];
                int m = 0;
                for (int k = 0; k < x.Length; k++)
                {
                    if (x[k] <= 0)
                    {
                        continue;
                    }
                    kept[m] = w * x[k];
                    m++;
                }
                double s = 0;
                for (int j = 0; j < m; j++)
                {
                    s += kept[j] * kept[j];
                }
                return s;
            }

            [Differentiable] public static double Sq(double v) => v * v;

            // h becomes differentiated only at the end of the body, after the call that reads it.
            [Differentiable]
            public static double ReadBeforeWritten(ReadOnlySpan<double> x)
            {
                double[] h = new double[1];
                double s = 0;
                for (int t = 0; t < x.Length; t++)
                {
                    s += Sq(h[0]);
                    h[0] = x[t];
                }
                return s;
            }

            [Differentiable]
            public static double InitializerThenOverwritten(double x, double w)
            {
                double[] h = { x };
                double[] g = { h[0] * w };
                h[0] = 0;
                return g[0] + h[0];
            }

            [Differentiable] public static float SqF(float v) => v * v;

            [Differentiable]
            public static float FloatCalleeInALoop(ReadOnlySpan<float> x)
            {
                float s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    s += SqF(x[i]);
                }
                return s;
            }

            [Differentiable]
            public static double WidenedForeach(ReadOnlySpan<float> x)
            {
                double s = 0;
                foreach (double v in x)
                {
                    s += v * v;
                }
                return s;
            }

            [Differentiable]
            public static double Total(ReadOnlySpan<float> x)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    s += x[i];
                }
                return s;
            }

            [Differentiable]
            public static double ScaledFloatTotal(ReadOnlySpan<float> x, double a) => a * Total(x);

            // An array created in every time step whose length a local reads.
            [Differentiable]
            public static double ArrayLengthInALoop(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
            {
                double h = 0.25;
                for (int t = 0; t < x.Length; t++)
                {
                    double[] g = new double[w.Length];
                    int m = g.Length;
                    for (int j = 0; j < m; j++)
                    {
                        g[j] = Math.Tanh(w[j] * h + x[t]);
                    }
                    h = g[0];
                }
                return h;
            }
        }
        """;

    private const string TypeName = "Loops.Edges";

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[][] expected)
    {
        ArrayGradientAssert.Matches(Code, TypeName, method, args, expected);
        ArrayGradientAssert.ForwardMatchesReverse(Code, TypeName, method, args);
    }

    [Fact]
    public void Loop_inside_an_if_without_a_return()
    {
        // a² (1 + Σx) when the loop runs: ∂/∂x_i = a², ∂/∂a = 2a (1 + Σx); else a².
        double[] x = [0.5, -1.25, 2.0];
        double a = 0.75;
        Check("LoopInsideIf", [x, a], x.Select(_ => a * a).ToArray(), [2 * a * (1 + x.Sum())]);
        double[] shortX = [0.5, 1.5];
        Check("LoopInsideIf", [shortX, a], [0.0, 0.0], [2 * a]);
    }

    [Fact]
    public void Counter_stepped_on_some_paths_only()
    {
        // w² Σ_{x>0} x²: ∂/∂x_k = 2 w² x_k for kept elements, 0 otherwise; ∂/∂w = 2 w Σ_{x>0} x².
        double[] x = [-1.0, 2.0, 0.5, -0.25, 1.5];
        double w = 1.25;
        Check("KeepPositive", [x, w], x.Select(v => v > 0 ? 2 * w * w * v : 0).ToArray(), [2 * w * x.Where(v => v > 0).Sum(v => v * v)]);
    }

    [Fact]
    public void Array_read_before_the_write_that_makes_it_differentiated()
    {
        // Σ_{t≥1} x[t−1]²: ∂/∂x_k = 2 x_k except for the last element.
        double[] x = [0.5, -1.25, 2.0, 0.75];
        Check("ReadBeforeWritten", [x], x.Select((v, k) => k < x.Length - 1 ? 2 * v : 0).ToArray());
    }

    [Fact]
    public void Initializer_element_read_by_the_backward_sweep_after_being_overwritten()
    {
        // x w: ∂/∂x = w, ∂/∂w = x.
        Check("InitializerThenOverwritten", [0.8, -1.5], [-1.5], [0.8]);
    }

    [Fact]
    public void Float_differentiable_callee_in_a_loop()
    {
        float[] x = [0.5f, -1.25f, 2.0f];
        Check("FloatCalleeInALoop", [x], x.Select(v => 2.0 * v).ToArray());
    }

    [Fact]
    public void Foreach_variable_wider_than_the_elements()
    {
        float[] x = [0.5f, -1.25f, 2.0f];
        Check("WidenedForeach", [x], x.Select(v => 2.0 * v).ToArray());
    }

    [Fact]
    public void Float_span_passed_to_a_double_callee()
    {
        // a Σx: ∂/∂x_i = a, ∂/∂a = Σx.
        float[] x = [0.5f, -1.25f, 2.0f];
        double a = 1.5;
        Check("ScaledFloatTotal", [x, a], x.Select(_ => a).ToArray(), [x.Sum(v => (double)v)]);
    }

    [Fact]
    public void Array_created_in_every_iteration_with_its_length_in_a_local()
    {
        // Only w[0] reaches the result: h ← tanh(w₀ h + x_t). Its derivatives by the forward recurrence.
        double[] x = [0.3, -0.6, 0.9];
        double[] w = [0.8, -0.5];
        double h = 0.25, dw0 = 0;
        var dx = new double[x.Length];
        for (int t = 0; t < x.Length; t++)
        {
            double next = Math.Tanh(w[0] * h + x[t]);
            double g = 1 - next * next;
            dw0 = g * (h + w[0] * dw0);
            for (int k = 0; k < x.Length; k++)
            {
                dx[k] = g * (w[0] * dx[k] + (k == t ? 1 : 0));
            }
            h = next;
        }
        Check("ArrayLengthInALoop", [x, w], dx, [dw0, 0.0]);
    }
}
