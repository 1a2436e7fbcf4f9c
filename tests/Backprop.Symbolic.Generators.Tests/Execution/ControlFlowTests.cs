using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// The conditional operator, <c>if / else if / else</c> with comparisons and <c>&amp;&amp; || !</c>, and early returns;
/// every branch is checked at a point on each side.
/// </summary>
public sealed class ControlFlowTests
{
    private const string Source = """
        using Backprop.Symbolic;

        namespace Flow;

        public static partial class Branches
        {
            [Differentiable] public static double Conditional(double x, double y) => x > y ? x * x : 3 * y;

            [Differentiable]
            public static double NestedConditional(double x) => x < 0 ? -x : x < 1 ? x * x : 2 * x - 1;

            [Differentiable]
            public static double ConditionalInsideExpression(double x, double y) => 2 * (x >= y ? x * y : x / y) + y;

            [Differentiable]
            public static double IfElseChain(double x)
            {
                if (x < -1)
                {
                    return -x * x;
                }
                else if (x <= 1)
                {
                    return x * x * x;
                }
                else
                {
                    return 2 * x;
                }
            }

            [Differentiable]
            public static double IfAssigns(double x, double y)
            {
                double r = 0;
                if (x > 0 && y > 0)
                {
                    r = x * y;
                }
                else if (x > 0 || y > 0)
                {
                    r = x + 2 * y;
                }
                else
                {
                    r = x * x;
                }
                return r * x;
            }

            [Differentiable]
            public static double IfWithoutElse(double x, double y)
            {
                double r = x * y;
                if (!(x < y))
                    r = r * x;
                return r;
            }

            [Differentiable]
            public static double EarlyReturns(double x, double y)
            {
                if (x > 2)
                {
                    return x * y;
                }
                double t = x * x;
                if (t > 1)
                {
                    if (y != 0)
                    {
                        return t * y;
                    }
                    return t;
                }
                t += y;
                return t * x;
            }

            [Differentiable]
            public static double EqualityComparison(double x)
            {
                if (x == 0)
                {
                    return 0;
                }
                return x * x;
            }

            [Differentiable]
            public static double ComplexCondition(double x, double y)
            {
                if ((x > 0 && !(y > 0)) || (x <= 0 && y >= 1))
                {
                    return x * y * y;
                }
                return x - y;
            }

            [Differentiable]
            public static float ConditionalF(float x, float y) => x > y ? x * x : 3 * y;

            [Differentiable]
            public static float EarlyReturnsF(float x)
            {
                if (x < 0)
                {
                    return -x;
                }
                else if (x < 1)
                {
                    return x * x;
                }
                return 2 * x - 1;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("Flow.Branches"), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(-1.5, 0.5)]
    public void Conditional_expression(double x, double y)
    {
        double[] expected = x > y ? [2 * x, 0.0] : [0.0, 3.0];
        Check("Conditional", [x, y], expected);
        Check("ConditionalF", [(float)x, (float)y], expected);
    }

    [Theory]
    [InlineData(-0.5, -1.0)]
    [InlineData(0.5, 1.0)]
    [InlineData(3.0, 2.0)]
    public void Nested_conditional_expression(double x, double expected) => Check("NestedConditional", [x], expected);

    [Theory]
    [InlineData(2.0, 1.5)]
    [InlineData(-1.5, 0.5)]
    public void Conditional_inside_an_expression(double x, double y)
    {
        double[] expected = x >= y ? [2 * y, 2 * x + 1] : [2 / y, -2 * x / (y * y) + 1];
        Check("ConditionalInsideExpression", [x, y], expected);
    }

    [Theory]
    [InlineData(-2.0)]
    [InlineData(-1.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void If_else_if_else(double x)
    {
        double expected = x < -1 ? -2 * x : x <= 1 ? 3 * x * x : 2.0;
        // At the boundaries -1 and 1 the function has a kink: only the chosen branch's derivative is defined.
        bool smooth = x != -1.0 && x != 1.0;
        GradientAssert.Matches(Code.Type("Flow.Branches"), "IfElseChain", [x], [expected], smooth, Code.DescribeGeneratedCode);
    }

    [Theory]
    [InlineData(1.5, 2.0)]
    [InlineData(1.5, -2.0)]
    [InlineData(-1.5, 2.0)]
    [InlineData(-1.5, -2.0)]
    public void If_with_logical_and_or(double x, double y)
    {
        double[] expected =
            x > 0 && y > 0 ? [2 * x * y, x * x] :
            x > 0 || y > 0 ? [2 * x + 2 * y, 2 * x] :
            [3 * x * x, 0.0];
        Check("IfAssigns", [x, y], expected);
    }

    [Theory]
    [InlineData(1.5, 0.5)]
    [InlineData(0.5, 1.5)]
    public void If_without_else_and_negation(double x, double y)
    {
        double[] expected = !(x < y) ? [2 * x * y, x * x] : [y, x];
        Check("IfWithoutElse", [x, y], expected);
    }

    [Theory]
    [InlineData(3.0, 0.5)]
    [InlineData(1.5, 0.5)]
    [InlineData(-1.5, -0.5)]
    [InlineData(0.5, 0.25)]
    [InlineData(-0.5, 2.0)]
    public void Early_returns_from_every_branch(double x, double y)
    {
        double[] expected =
            x > 2 ? [y, x] :
            x * x > 1 ? [2 * x * y, x * x] :
            [3 * x * x + y, x];
        Check("EarlyReturns", [x, y], expected);
    }

    [Fact]
    public void Early_return_from_nested_if_without_else()
    {
        // t = x² > 1 and y == 0: returns t. Finite differences in y would cross y != 0, so only the analytic value is checked.
        GradientAssert.Matches(Code.Type("Flow.Branches"), "EarlyReturns", [1.5, 0.0], [3.0, 0.0], finiteDifferences: false, Code.DescribeGeneratedCode);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1.5, 3.0)]
    [InlineData(-2.0, -4.0)]
    public void Equality_comparison(double x, double expected) =>
        GradientAssert.Matches(Code.Type("Flow.Branches"), "EqualityComparison", [x], [expected], finiteDifferences: x != 0, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(1.0, -1.0)]
    [InlineData(-1.0, 2.0)]
    [InlineData(1.0, 1.0)]
    [InlineData(-1.0, 0.5)]
    public void Compound_condition(double x, double y)
    {
        bool taken = (x > 0 && !(y > 0)) || (x <= 0 && y >= 1);
        double[] expected = taken ? [y * y, 2 * x * y] : [1.0, -1.0];
        Check("ComplexCondition", [x, y], expected);
    }

    [Theory]
    [InlineData(-0.5f, -1.0)]
    [InlineData(0.5f, 1.0)]
    [InlineData(3.0f, 2.0)]
    public void Float_early_returns(float x, double expected) => Check("EarlyReturnsF", [x], expected);
}
