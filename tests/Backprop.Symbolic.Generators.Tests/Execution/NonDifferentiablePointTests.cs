using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// The documented conventions where a function has no derivative: Abs'(0) = 0; Max and Min give a tie to their first
/// argument; Clamp passes the derivative to x when lo &lt;= x &lt;= hi (bounds included), else to the bound chosen;
/// Sign, Floor, Ceiling, Round and Truncate have derivative 0 everywhere. Finite differences mean nothing at these
/// points, so only the hand-written values are checked.
/// </summary>
public sealed class NonDifferentiablePointTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Kinks;

        public static partial class Conventions
        {
            [Differentiable] public static double Abs(double x) => 3 * Math.Abs(x);
            [Differentiable] public static double Max(double x, double y) => 3 * Math.Max(x, y);
            [Differentiable] public static double Min(double x, double y) => 3 * Math.Min(x, y);
            [Differentiable] public static double Clamp(double x, double lo, double hi) => 3 * Math.Clamp(x, lo, hi);
            [Differentiable] public static double Steps(double x) => Math.Sign(x) + Math.Floor(x) + Math.Ceiling(x) + Math.Round(x) + Math.Truncate(x);

            [Differentiable] public static float AbsF(float x) => 3 * MathF.Abs(x);
            [Differentiable] public static float MaxF(float x, float y) => 3 * MathF.Max(x, y);
            [Differentiable] public static float MinF(float x, float y) => 3 * MathF.Min(x, y);
            [Differentiable] public static float ClampF(float x, float lo, float hi) => 3 * Math.Clamp(x, lo, hi);
            [Differentiable] public static float StepsF(float x) => MathF.Sign(x) + MathF.Floor(x) + MathF.Ceiling(x) + MathF.Round(x) + MathF.Truncate(x);
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[] expected)
    {
        GradientAssert.Matches(Code.Type("Kinks.Conventions"), method, args, expected, finiteDifferences: false, Code.DescribeGeneratedCode);

        object[] floatArgs = System.Array.ConvertAll(args, a => (object)(float)(double)a);
        GradientAssert.Matches(Code.Type("Kinks.Conventions"), method + "F", floatArgs, expected, finiteDifferences: false, Code.DescribeGeneratedCode);
    }

    [Fact]
    public void Abs_at_zero_has_derivative_zero() => Check("Abs", [0.0], 0.0);

    [Fact]
    public void Abs_at_negative_zero_has_derivative_zero() => Check("Abs", [-0.0], 0.0);

    [Fact]
    public void Max_tie_goes_to_the_first_argument() => Check("Max", [1.5, 1.5], 3.0, 0.0);

    [Fact]
    public void Min_tie_goes_to_the_first_argument() => Check("Min", [-2.0, -2.0], 3.0, 0.0);

    [Theory]
    [InlineData(-1.0)]
    [InlineData(2.0)]
    public void Clamp_at_a_bound_goes_to_x(double x) => Check("Clamp", [x, -1.0, 2.0], 3.0, 0.0, 0.0);

    [Fact]
    public void Clamp_inside_goes_to_x() => Check("Clamp", [0.5, -1.0, 2.0], 3.0, 0.0, 0.0);

    [Fact]
    public void Clamp_below_goes_to_the_lower_bound() => Check("Clamp", [-1.5, -1.0, 2.0], 0.0, 3.0, 0.0);

    [Fact]
    public void Clamp_above_goes_to_the_upper_bound() => Check("Clamp", [2.5, -1.0, 2.0], 0.0, 0.0, 3.0);

    [Fact]
    public void Clamp_with_equal_bounds_at_the_bound_goes_to_x() => Check("Clamp", [1.0, 1.0, 1.0], 3.0, 0.0, 0.0);

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-2.5)]
    [InlineData(0.5)]
    [InlineData(1.7)]
    public void Step_functions_have_derivative_zero(double x) => Check("Steps", [x], 0.0);
}
