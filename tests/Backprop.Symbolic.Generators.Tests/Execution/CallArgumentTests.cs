using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// How arguments reach a [Differentiable] callee: named and reordered arguments, omitted optional arguments, one
/// variable passed twice, callees in nested, generic and internal types, overloads, and common idioms that mix Math
/// with int literals or float (ReLU as <c>Math.Max(0, x)</c>, <c>(float)Math.Sin(x)</c>).
/// </summary>
public sealed class CallArgumentTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Arguments
        {
            public static partial class Callees
            {
                [Differentiable] public static double Weighted(double a, double b) => 2 * a + 3 * b * b;
                [Differentiable] public static double WithDefault(double a, double b = 2.0) => a * b;

                public static partial class Nested
                {
                    [Differentiable] public static double Cube(double x) => x * x * x;
                }
            }

            public partial class Generic<T>
            {
                [Differentiable] public static double Square(double x) => x * x;
                [Differentiable] public static double UsesOwnMethod(double x) => Square(x) + x;
            }

            internal static partial class Hidden
            {
                [Differentiable] internal static double Twice(double x) => 2 * x;
            }

            public static partial class Overloads
            {
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static double F(double x, double y) => x * y;
                [Differentiable] public static double UsesBoth(double x) => F(x) + F(x, 3.0);
            }

            public static partial class Callers
            {
                [Differentiable] public static double NamedReordered(double x, double y) => Callees.Weighted(b: y, a: x);
                [Differentiable] public static double DefaultOmitted(double x) => Callees.WithDefault(x);
                [Differentiable] public static double SameVariableTwice(double x) => Callees.Weighted(x, x);
                [Differentiable] public static double NestedCallee(double x) => Callees.Nested.Cube(x);
                [Differentiable] public static double GenericCallee(double x) => Generic<int>.Square(x) + Generic<string>.UsesOwnMethod(x);
                [Differentiable] public static double InternalCallee(double x) => Hidden.Twice(x) * x;
                [Differentiable] public static double PrivateCallee(double x) => Private(x) + 1;
                [Differentiable] private static double Private(double x) => Math.Exp(x);

                [Differentiable] public static double ReluIntZeroFirst(double x) => Math.Max(0, x);
                [Differentiable] public static double ReluIntZeroSecond(double x) => Math.Max(x, 0);
                [Differentiable] public static double ClampIntBounds(double x) => Math.Clamp(x, 0, 1);
                [Differentiable] public static double PowIntExponent(double x, int n) => Math.Pow(x, n);
                [Differentiable] public static float FloatThroughDoubleMath(float x) => (float)Math.Sin(x) * x;
                [Differentiable] public static float FloatIntoDoubleCallee(float x) => (float)Callees.Weighted(x, 1.0);
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string type, string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("Arguments." + type), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(1.5, -2.0)]
    public void Named_arguments_in_another_order(double x, double y) =>
        Check("Callers", "NamedReordered", [x, y], 2.0, 6 * y);

    [Theory]
    [InlineData(1.5)]
    public void Omitted_optional_argument(double x) => Check("Callers", "DefaultOmitted", [x], 2.0);

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void Same_variable_passed_to_two_parameters(double x) =>
        // 2x + 3x²
        Check("Callers", "SameVariableTwice", [x], 2 + 6 * x);

    [Fact]
    public void Callee_in_a_nested_type() => Check("Callers", "NestedCallee", [1.5], 6.75);

    [Fact]
    public void Callee_in_a_generic_type() =>
        // x² + (x² + x)
        Check("Callers", "GenericCallee", [1.5], 4 * 1.5 + 1);

    [Fact]
    public void Internal_and_private_callees()
    {
        Check("Callers", "InternalCallee", [1.5], 4 * 1.5);
        Check("Callers", "PrivateCallee", [0.5], Math.Exp(0.5));
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void Overloaded_differentiable_methods(double x)
    {
        Check("Overloads", "F", [x], 2 * x);
        Check("Overloads", "F", [x, 2.0], 2.0, x);
        Check("Overloads", "UsesBoth", [x], 2 * x + 3);
    }

    [Theory]
    [InlineData(1.5, 1.0)]
    [InlineData(-0.5, 0.0)]
    public void Relu_with_an_int_zero(double x, double expected)
    {
        Check("Callers", "ReluIntZeroFirst", [x], expected);
        Check("Callers", "ReluIntZeroSecond", [x], expected);
    }

    [Fact]
    public void Relu_at_zero_follows_the_first_argument()
    {
        Type callers = Code.Type("Arguments.Callers");
        GradientAssert.Matches(callers, "ReluIntZeroFirst", [0.0], [0.0], false, Code.DescribeGeneratedCode);
        GradientAssert.Matches(callers, "ReluIntZeroSecond", [0.0], [1.0], false, Code.DescribeGeneratedCode);
    }

    [Theory]
    [InlineData(0.5, 1.0)]
    [InlineData(-0.5, 0.0)]
    [InlineData(1.5, 0.0)]
    public void Clamp_with_int_bounds(double x, double expected) => Check("Callers", "ClampIntBounds", [x], expected);

    [Theory]
    [InlineData(1.5, 3)]
    [InlineData(-0.5, 2)]
    [InlineData(2.5, -1)]
    public void Pow_with_an_int_exponent(double x, int n) => Check("Callers", "PowIntExponent", [x, n], n * Math.Pow(x, n - 1));

    [Theory]
    [InlineData(0.5f)]
    [InlineData(-1.25f)]
    public void Float_through_double_math(float x)
    {
        Check("Callers", "FloatThroughDoubleMath", [x], Math.Cos(x) * x + Math.Sin(x));
        Check("Callers", "FloatIntoDoubleCallee", [x], 2.0);
    }
}
