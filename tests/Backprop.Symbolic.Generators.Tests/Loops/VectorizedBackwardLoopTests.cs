using System;
using System.Linq;
using Backprop.Symbolic.Generators.Emit;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// Element-wise backward loops written as TensorPrimitives calls: a product with a value the loop does not change
/// (assigned or added), or the value alone (a fill, or an add). Each gradient is compared bit
/// for bit with the scalar loop the generator writes with the pass off, from NaN-filled adjoints, and with analytic
/// values; loops that also add into a scalar or read a neighbouring element stay loops.
/// </summary>
public sealed class VectorizedBackwardLoopTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Passes;

        public static partial class Functions
        {
            [Differentiable]
            public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
            {
                double sum = 0.0;
                for (int i = 0; i < x.Length; i++)
                {
                    sum += x[i] * y[i];
                }
                return sum;
            }

            // Two loops add into dX: the first assigns (a product), the second adds (MultiplyAdd).
            [Differentiable(nameof(x))]
            public static double TwoPasses(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
            {
                double a = 0.0;
                for (int i = 0; i < x.Length; i++)
                {
                    a += w[i] * x[i];
                }
                double b = 0.0;
                for (int i = 0; i < x.Length; i++)
                {
                    b += x[i] * w[i];
                }
                return a * b;
            }

            // Two loops add the same value to every element of dX.
            [Differentiable(nameof(x))]
            public static float Totals(ReadOnlySpan<float> x)
            {
                float total = 0f;
                for (int i = 0; i < x.Length; i++)
                {
                    total += x[i];
                }
                float again = 0f;
                for (int i = 0; i < x.Length; i++)
                {
                    again += x[i];
                }
                return 3f * total + again * again;
            }

            // dX[i] = 3: a fill.
            [Differentiable]
            public static float Tripled(ReadOnlySpan<float> x)
            {
                float total = 0f;
                for (int i = 0; i < x.Length; i++)
                {
                    total += x[i];
                }
                return 3f * total;
            }

            // A loop that also adds into a scalar adjoint stays a loop.
            [Differentiable]
            public static double Scaled(ReadOnlySpan<double> x, double a)
            {
                double sum = 0.0;
                for (int i = 0; i < x.Length; i++)
                {
                    sum += a * x[i];
                }
                return sum * sum;
            }

            public static double DotG(double[] x, double[] y, double[] dX, double[] dY) => DotGradient(x, y, dX, dY);
            public static double TwoPassesG(double[] x, double[] w, double[] dX) => TwoPassesGradient(x, w, dX);
            public static float TotalsG(float[] x, float[] dX) => TotalsGradient(x, dX);
            public static float TripledG(float[] x, float[] dX) => TripledGradient(x, dX);
            public static double ScaledG(double[] x, double a, double[] dX, double[] dA) => ScaledGradient(x, a, dX, out dA[0]);
        }
        """;

    private static readonly PassVariants Variants = new(Source, GradientEmitter.Options.Default with { VectorizedBackwardLoops = false });

    private static double[] Values(int n, int seed) =>
        Enumerable.Range(0, n).Select(i => Math.Cos(seed * 5.3 + i * 0.7)).ToArray();

    [Fact]
    public void Element_wise_backward_loops_become_vector_calls_and_others_stay_loops()
    {
        string on = Variants.OnCode;
        Assert.Contains("TensorPrimitives.Multiply(y.Slice(0, _n0), dSum, dX.Slice(0, _n0));", on);
        Assert.Contains("TensorPrimitives.MultiplyAdd(", on);
        Assert.Contains(".Fill(", on);
        Assert.Contains("TensorPrimitives.Add(", on);
        Assert.Contains("dA_1 += ", on); // Scaled's loop
        Assert.DoesNotContain("TensorPrimitives", Variants.OffCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(37)]
    public void Gradients_are_the_scalar_loops_bit_for_bit_and_the_analytic_ones(int n)
    {
        double[] x = Values(n, 1), w = Values(n, 2);
        object[] dot = Variants.Both("DotG", new object[] { x, w }, new double[n], new double[n]);
        Assert.Equal(w, (double[])dot[1]);
        Assert.Equal(x, (double[])dot[2]);

        object[] two = Variants.Both("TwoPassesG", new object[] { x, w }, new double[n]);
        double a = x.Zip(w, (p, q) => p * q).Sum();
        double[] dX = (double[])two[1];
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(2 * a * w[i], dX[i], 12); // d(a·b)/dx with a = b
        }

        float[] xf = x.Select(v => (float)v).ToArray();
        object[] totals = Variants.Both("TotalsG", new object[] { xf }, new float[n]);
        float sum = xf.Sum();
        Assert.All((float[])totals[1], d => Assert.Equal(3f + 2f * sum, d, 4));
        object[] tripled = Variants.Both("TripledG", new object[] { xf }, new float[n]);
        Assert.All((float[])tripled[1], d => Assert.Equal(3f, d));

        Variants.Both("ScaledG", new object[] { x, 0.5 }, new double[n], new double[1]);
    }
}
