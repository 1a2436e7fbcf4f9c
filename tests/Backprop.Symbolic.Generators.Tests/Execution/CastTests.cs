using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// Casts among float, double and int: widening and narrowing pass the derivative through, a cast to int cuts it.
/// </summary>
public sealed class CastTests
{
    private const string Source = """
        using Backprop.Symbolic;

        namespace Casts;

        public static partial class Conversions
        {
            [Differentiable] public static double ToInt(double x) => (int)x * x;
            [Differentiable] public static double ToIntOfProduct(double x, double y) => (int)(x * y) + x;
            [Differentiable] public static double ExplicitWidening(float x, double y) => (double)x * y;
            [Differentiable] public static double ImplicitWidening(float x, double y) => x * y;
            [Differentiable] public static float NarrowingResult(float x, double y) => (float)(x * y);
            [Differentiable] public static double ThroughFloat(double x) => 3.0 * (float)x;
            [Differentiable] public static double IntParameterWidened(double x, int n) => x * (double)n + n;

            [Differentiable]
            public static double IntLocal(double x)
            {
                int k = (int)(x * 2);
                double scaled = k * x;
                return scaled + x * x;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, double[] expected, bool finiteDifferences = true) =>
        GradientAssert.Matches(Code.Type("Casts.Conversions"), method, args, expected, finiteDifferences, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(2.3)]
    [InlineData(-1.3)]
    [InlineData(0.7)]
    public void Cast_to_int_has_zero_derivative(double x)
    {
        Check("ToInt", [x], [Math.Truncate(x)]);
        Check("IntLocal", [x], [Math.Truncate(x * 2) + 2 * x]);
    }

    [Theory]
    [InlineData(1.25, 3.0)]
    [InlineData(-0.75, 1.5)]
    public void Cast_to_int_of_an_active_expression(double x, double y) =>
        Check("ToIntOfProduct", [x, y], [1.0, 0.0]);

    [Theory]
    [InlineData(1.25f, -3.0)]
    [InlineData(-0.75f, 1.5)]
    public void Widening_float_to_double(float x, double y)
    {
        Check("ExplicitWidening", [x, y], [y, x]);
        Check("ImplicitWidening", [x, y], [y, x]);
    }

    [Theory]
    [InlineData(1.25f, -3.0)]
    [InlineData(-0.75f, 1.5)]
    public void Narrowing_double_to_float(float x, double y) =>
        Check("NarrowingResult", [x, y], [y, x]);

    [Theory]
    [InlineData(1.25)]
    [InlineData(-0.1)]
    public void Round_trip_through_float_keeps_derivative_one(double x) =>
        // The value is quantized to float, so finite differences at double's step see steps, not a slope.
        Check("ThroughFloat", [x], [3.0], finiteDifferences: false);

    [Theory]
    [InlineData(1.25, 3)]
    [InlineData(-0.5, -2)]
    public void Int_parameter_cast_to_double_is_a_constant(double x, int n) =>
        Check("IntParameterWidened", [x, n], [n]);
}
