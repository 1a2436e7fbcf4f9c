using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// Literals, parameters, constants, <c>+ - * /</c> and unary minus, in double and float, with expression and block bodies.
/// </summary>
public sealed class ArithmeticTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Arithmetic;

        public static partial class Ops
        {
            private const double Scale = 2.5;
            private static readonly double Offset = 0.75;
            private const float ScaleF = 2.5f;
            private static readonly float OffsetF = 0.75f;

            [Differentiable] public static double Literal(double x) => x + 3.0;
            [Differentiable] public static double Add(double x, double y) => x + y;
            [Differentiable] public static double Subtract(double x, double y) => x - y;
            [Differentiable] public static double Multiply(double x, double y) => x * y;
            [Differentiable] public static double Divide(double x, double y) => x / y;
            [Differentiable] public static double Negate(double x, double y) => -x * y;
            [Differentiable] public static double NegateTwice(double x) => -(-x * x);
            [Differentiable] public static double Polynomial(double x, double y) => 3 * x * x * y - 2 * y / x + 7;
            [Differentiable] public static double Parenthesized(double x, double y) => (x + y) * (x - y);
            [Differentiable] public static double SameParameterThrice(double x) => x * x * x;
            [Differentiable] public static double ConstField(double x) => Scale * x * x;
            [Differentiable] public static double StaticReadonlyField(double x) => x * Offset + Offset;
            [Differentiable] public static double UnusedParameter(double x, double y) => x * x;
            [Differentiable] public static double ConstantOnly(double x) => 42.0;
            [Differentiable] public static double IntegerLiteralsOnly(double x) => 2 * x / 4 - 1;

            [Differentiable]
            public static double ConstLocal(double x)
            {
                const double k = 4.0;
                return k * x - k / x;
            }

            [Differentiable]
            public static double BlockBody(double x, double y)
            {
                return x * y + x / y;
            }

            [Differentiable] public static float LiteralF(float x) => x + 3.0f;
            [Differentiable] public static float AddF(float x, float y) => x + y;
            [Differentiable] public static float SubtractF(float x, float y) => x - y;
            [Differentiable] public static float MultiplyF(float x, float y) => x * y;
            [Differentiable] public static float DivideF(float x, float y) => x / y;
            [Differentiable] public static float NegateF(float x, float y) => -x * y;
            [Differentiable] public static float PolynomialF(float x, float y) => 3 * x * x * y - 2 * y / x + 7;
            [Differentiable] public static float ConstFieldF(float x) => ScaleF * x * x;
            [Differentiable] public static float StaticReadonlyFieldF(float x) => x * OffsetF + OffsetF;

            [Differentiable]
            public static float BlockBodyF(float x, float y)
            {
                const float k = 0.5f;
                return k * x * y + x / y;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("Arithmetic.Ops"), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-2.5)]
    [InlineData(1e3)]
    public void Literal_has_derivative_one(double x) => Check("Literal", [x], 1.0);

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.25, 4.0)]
    public void Sum_difference_product_quotient(double x, double y)
    {
        Check("Add", [x, y], 1.0, 1.0);
        Check("Subtract", [x, y], 1.0, -1.0);
        Check("Multiply", [x, y], y, x);
        Check("Divide", [x, y], 1 / y, -x / (y * y));
    }

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-3.0, 0.5)]
    public void Unary_minus(double x, double y)
    {
        Check("Negate", [x, y], -y, -x);
        Check("NegateTwice", [x], 2 * x);
    }

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 3.0)]
    public void Polynomial_with_integer_literals(double x, double y) =>
        Check("Polynomial", [x, y], 6 * x * y + 2 * y / (x * x), 3 * x * x - 2 / x);

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 3.0)]
    public void Parenthesized_expressions(double x, double y) =>
        Check("Parenthesized", [x, y], 2 * x, -2 * y);

    [Theory]
    [InlineData(1.25)]
    [InlineData(-2.0)]
    public void A_parameter_used_many_times_accumulates(double x) =>
        Check("SameParameterThrice", [x], 3 * x * x);

    [Theory]
    [InlineData(1.25)]
    [InlineData(-2.0)]
    public void Const_and_static_readonly_fields_are_constants(double x)
    {
        Check("ConstField", [x], 5.0 * x);
        Check("StaticReadonlyField", [x], 0.75);
    }

    [Theory]
    [InlineData(1.25)]
    [InlineData(-2.0)]
    public void Const_local_is_a_constant(double x) => Check("ConstLocal", [x], 4.0 + 4.0 / (x * x));

    [Fact]
    public void Unused_parameter_and_constant_body_have_zero_derivative()
    {
        Check("UnusedParameter", [1.5, -7.0], 3.0, 0.0);
        Check("ConstantOnly", [3.0], 0.0);
        Check("IntegerLiteralsOnly", [3.0], 0.5);
    }

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.25, 4.0)]
    public void Block_body(double x, double y) => Check("BlockBody", [x, y], y + 1 / y, x - x / (y * y));

    [Theory]
    [InlineData(1.5f, -2.0f)]
    [InlineData(-0.25f, 4.0f)]
    public void Float_arithmetic(float xf, float yf)
    {
        double x = xf, y = yf;
        Check("LiteralF", [xf], 1.0);
        Check("AddF", [xf, yf], 1.0, 1.0);
        Check("SubtractF", [xf, yf], 1.0, -1.0);
        Check("MultiplyF", [xf, yf], y, x);
        Check("DivideF", [xf, yf], 1 / y, -x / (y * y));
        Check("NegateF", [xf, yf], -y, -x);
        Check("PolynomialF", [xf, yf], 6 * x * y + 2 * y / (x * x), 3 * x * x - 2 / x);
        Check("ConstFieldF", [xf], 5.0 * x);
        Check("StaticReadonlyFieldF", [xf], 0.75);
        Check("BlockBodyF", [xf, yf], 0.5 * y + 1 / y, 0.5 * x - x / (y * y));
    }
}
