using System;
using System.Collections.Generic;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// Conditions whose comparisons call Math functions and [Differentiable] methods or contain conditional expressions,
/// on either side of <c>&amp;&amp;</c> and <c>||</c>. A condition carries no derivative, but the branch it picks must be
/// the primal's.
/// </summary>
public sealed class ConditionOperandTests
{
    // Each method compiles on its own, so that a construct the generator rejects fails only its own tests.
    private static readonly Dictionary<string, CompiledProgram> Programs = new()
    {
        ["CallOnTheLeft"] = Program("""
            [Differentiable]
            public static double CallOnTheLeft(double x)
            {
                if (Square(x) > 2 && x > 0)
                {
                    return x * 3;
                }
                return x * x;
            }
            """),
        ["CallOnTheRightOfAnd"] = Program("""
            [Differentiable]
            public static double CallOnTheRightOfAnd(double x)
            {
                if (x > 0 && Square(x) > 2)
                {
                    return x * 3;
                }
                return x * x;
            }
            """),
        ["CallOnTheRightOfOr"] = Program("""
            [Differentiable]
            public static double CallOnTheRightOfOr(double x, double y) => x < -1 || Square(y) > 1 ? x * y : x + y;
            """),
        ["MathOnTheRight"] = Program("""
            [Differentiable]
            public static double MathOnTheRight(double x) => x > 0 && Math.Exp(x) > 3 ? Math.Log(x) : x;
            """),
        ["ConditionalOnTheRight"] = Program("""
            [Differentiable]
            public static double ConditionalOnTheRight(double x, double y)
            {
                if (y > 0 || (x > 0 ? x : -x) > 1)
                {
                    return x * y;
                }
                return x - y;
            }
            """),
    };

    private static CompiledProgram Program(string method) => new($$"""
        using System;
        using Backprop.Symbolic;

        namespace Conditions;

        public static partial class Operands
        {
            [Differentiable] public static double Square(double x) => x * x;

        {{method}}
        }
        """);

    private static void Check(string method, object[] args, params double[] expected)
    {
        CompiledProgram code = Programs[method];
        GradientAssert.Matches(code.Type("Conditions.Operands"), method, args, expected, finiteDifferences: true, code.DescribeGeneratedCode);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    [InlineData(-2.0)]
    public void Differentiable_call_on_the_left_of_and(double x) =>
        Check("CallOnTheLeft", [x], x * x > 2 && x > 0 ? 3.0 : 2 * x);

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    [InlineData(-2.0)]
    public void Differentiable_call_on_the_right_of_and(double x) =>
        Check("CallOnTheRightOfAnd", [x], x > 0 && x * x > 2 ? 3.0 : 2 * x);

    [Theory]
    [InlineData(-2.0, 0.5)]
    [InlineData(0.5, 2.0)]
    [InlineData(0.5, 0.5)]
    public void Differentiable_call_on_the_right_of_or(double x, double y)
    {
        double[] expected = x < -1 || y * y > 1 ? [y, x] : [1.0, 1.0];
        Check("CallOnTheRightOfOr", [x, y], expected);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    [InlineData(-1.0)]
    public void Math_call_on_the_right_of_and(double x) =>
        Check("MathOnTheRight", [x], x > 0 && Math.Exp(x) > 3 ? 1 / x : 1.0);

    [Theory]
    [InlineData(1.5, 2.0)]
    [InlineData(1.5, -2.0)]
    [InlineData(0.5, -2.0)]
    [InlineData(-1.5, -2.0)]
    public void Conditional_expression_on_the_right_of_or(double x, double y)
    {
        double[] expected = y > 0 || Math.Abs(x) > 1 ? [y, x] : [1.0, -1.0];
        Check("ConditionalOnTheRight", [x, y], expected);
    }
}
