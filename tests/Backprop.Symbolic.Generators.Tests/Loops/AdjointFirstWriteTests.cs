using System;
using System.Linq;
using System.Reflection;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Emit;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Tests.Analyses;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// A span adjoint the backward sweep writes once per element is assigned, not zeroed and then added to: the dot
/// product, a prefix of a span, a loop starting at 1, Horner's rule counting down. The elements the loop does not
/// reach are zeroed just before it. Where an element may be written twice (two writes per iteration, a loop inside a
/// loop, two loops) the adjoint is zeroed up front as before. Each gradient is compared bit for bit with the one the
/// generator writes with the pass switched off, from adjoint buffers filled with NaN, so an element left unwritten
/// would show.
/// </summary>
public sealed class AdjointFirstWriteTests
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

            // The first n elements only: the rest of dX is zero.
            [Differentiable(nameof(x))]
            public static double Prefix(ReadOnlySpan<double> x, int n)
            {
                double sum = 0.0;
                for (int i = 0; i < n; i++)
                {
                    sum += Math.Sin(x[i]);
                }
                return sum;
            }

            // From element 1 on: dX[0] is zero.
            [Differentiable(nameof(x))]
            public static double FromOne(ReadOnlySpan<double> x, double w)
            {
                double sum = 0.0;
                for (int i = 1; i < x.Length; i++)
                {
                    sum += w * Math.Exp(x[i]);
                }
                return sum;
            }

            [Differentiable]
            public static double Horner(ReadOnlySpan<double> c, double x)
            {
                double p = 0.0;
                for (int k = c.Length - 1; k >= 0; k--)
                {
                    p = p * x + c[k];
                }
                return p;
            }

            [Differentiable]
            public static float DotF(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
            {
                float sum = 0f;
                for (int i = 0; i < x.Length; i++)
                {
                    sum += x[i] * y[i];
                }
                return sum;
            }

            // Not assigned: two elements per iteration.
            [Differentiable(nameof(x))]
            public static double Neighbours(ReadOnlySpan<double> x)
            {
                double sum = 0.0;
                for (int i = 1; i < x.Length; i++)
                {
                    sum += x[i] * x[i - 1];
                }
                return sum;
            }

            // Not assigned: the loop runs once per outer iteration.
            [Differentiable(nameof(x))]
            public static double Repeated(ReadOnlySpan<double> x, int rounds)
            {
                double sum = 0.0;
                for (int r = 0; r < rounds; r++)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        sum += (r + 1) * x[i] * x[i];
                    }
                }
                return sum;
            }

            // Not assigned: two loops add to the same elements.
            [Differentiable(nameof(x))]
            public static double TwoLoops(ReadOnlySpan<double> x)
            {
                double sum = 0.0;
                for (int i = 0; i < x.Length; i++)
                {
                    sum += x[i];
                }
                for (int i = 0; i < x.Length; i++)
                {
                    sum += x[i] * x[i];
                }
                return sum;
            }

            public static double DotG(double[] x, double[] y, double[] dX, double[] dY) => DotGradient(x, y, dX, dY);
            public static double PrefixG(double[] x, int n, double[] dX) => PrefixGradient(x, n, dX);
            public static double FromOneG(double[] x, double w, double[] dX) => FromOneGradient(x, w, dX);
            public static double HornerG(double[] c, double x, double[] dC, double[] dX) => HornerGradient(c, x, dC, out dX[0]);
            public static double DotFG(float[] x, float[] y, float[] dX, float[] dY) => DotFGradient(x, y, dX, dY);
            public static double NeighboursG(double[] x, double[] dX) => NeighboursGradient(x, dX);
            public static double RepeatedG(double[] x, int rounds, double[] dX) => RepeatedGradient(x, rounds, dX);
            public static double TwoLoopsG(double[] x, double[] dX) => TwoLoopsGradient(x, dX);
        }
        """;

    private static readonly PassVariants Variants = new(Source, GradientEmitter.Options.Default with { AdjointFirstWrites = false, VectorizedBackwardLoops = false });

    private static double[] Values(int n, int seed) =>
        Enumerable.Range(0, n).Select(i => Math.Sin(seed * 7.1 + i * 1.3) * 1.5).ToArray();

    private static object[] Both(string method, object[] inputs, params Array[] adjointShapes) => Variants.Both(method, inputs, adjointShapes);

    [Fact]
    public void The_pass_assigns_where_each_element_is_written_once_and_zeroes_up_front_elsewhere()
    {
        string on = Variants.OnCode, off = Variants.OffCode;
        // Dot (2), Prefix, FromOne, Horner, DotF (2).
        Assert.Equal(7, on.Split("SpanKernels.ZeroOutside(").Length - 1);
        // Neighbours, Repeated and TwoLoops keep their zeroing up front.
        Assert.Equal(3, on.Split("SpanKernels.Zero(dX);").Length - 1);
        Assert.DoesNotContain("ZeroOutside", off);
        Assert.Contains("TensorPrimitives.Multiply(y.Slice(0, _n0), dSum, dX.Slice(0, _n0));", on); // assigned, then vectorized
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    public void Dot_gradient_is_the_other_vector(int n)
    {
        double[] x = Values(n, 1), y = Values(n, 2);
        object[] result = Both("DotG", new object[] { x, y }, new double[n], new double[n]);
        Assert.Equal(y, (double[])result[1]);
        Assert.Equal(x, (double[])result[2]);
        float[] xf = x.Select(v => (float)v).ToArray(), yf = y.Select(v => (float)v).ToArray();
        object[] single = Both("DotFG", new object[] { xf, yf }, new float[n], new float[n]);
        Assert.Equal(yf, (float[])single[1]);
    }

    [Theory]
    [InlineData(6, 0)]
    [InlineData(6, 3)]
    [InlineData(6, 6)]
    public void Prefix_gradient_is_the_cosine_then_zero(int length, int n)
    {
        double[] x = Values(length, 3);
        object[] result = Both("PrefixG", new object[] { x, n }, new double[length]);
        double[] dX = (double[])result[1];
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(i < n ? Math.Cos(x[i]) : 0.0, dX[i], 15);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(9)]
    public void FromOne_gradient_skips_the_first_element(int length)
    {
        double[] x = Values(length, 4);
        object[] result = Both("FromOneG", new object[] { x, 0.75 }, new double[length]);
        double[] dX = (double[])result[1];
        Assert.Equal(0.0, dX[0]);
        for (int i = 1; i < length; i++)
        {
            Assert.Equal(0.75 * Math.Exp(x[i]), dX[i], 14);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(33)]
    public void Horner_gradient_holds_the_powers_of_x(int length)
    {
        double[] c = Values(length, 5);
        object[] result = Both("HornerG", new object[] { c, 0.9 }, new double[length], new double[1]);
        double[] dC = (double[])result[1];
        for (int k = 0; k < length; k++)
        {
            Assert.Equal(Math.Pow(0.9, k), dC[k], 14);
        }
    }

    [Fact]
    public void Adjoints_written_more_than_once_per_element_are_unchanged()
    {
        double[] x = Values(8, 6);
        Both("NeighboursG", new object[] { x }, new double[8]);
        Both("RepeatedG", new object[] { x, 3 }, new double[8]);
        Both("TwoLoopsG", new object[] { x }, new double[8]);
        Both("NeighboursG", new object[] { new double[] { 0.5 } }, new double[1]);
        Both("RepeatedG", new object[] { x, 0 }, new double[8]);
    }

    [Fact]
    public void Adjoints_an_assigning_sweep_writes_must_not_share_memory()
    {
        double[] x = Values(5, 7), shared = new double[5];
        MethodInfo dot = Variants.On.GetMethod("DotG", BindingFlags.Public | BindingFlags.Static)!;
        var thrown = Assert.Throws<TargetInvocationException>(() => dot.Invoke(null, new object[] { x, x, shared, shared }));
        var error = Assert.IsType<ArgumentException>(thrown.InnerException);
        Assert.Equal("dY", error.ParamName);
        Assert.Contains("'dX' and 'dY' share memory", error.Message);
    }
}
