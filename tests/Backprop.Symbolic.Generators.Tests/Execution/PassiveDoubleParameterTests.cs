using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// A double parameter left out of <c>[Differentiable(...)]</c> is passive: it may steer branches, be reassigned, feed
/// Math functions, and be passed (alone or through arithmetic) to parameters a callee does not differentiate.
/// </summary>
public sealed class PassiveDoubleParameterTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace PassiveDoubles;

        public static partial class Restricted
        {
            [Differentiable(nameof(x))]
            public static double Branches(double x, double y) => y > 0 ? x * y : x - y;

            [Differentiable(nameof(x))]
            public static double Reassigned(double x, double y)
            {
                y = y * 2;
                y += 1;
                return x * y;
            }

            [Differentiable(nameof(x))]
            public static double MathOfPassive(double x, double y) => Math.Sin(y) * x + Math.Exp(y);

            [Differentiable(nameof(w))]
            public static double Scale(double w, double factor) => w * factor;

            [Differentiable(nameof(a))]
            public static double PassesPassiveToCallee(double a, double b) => Scale(a, b * 2) + Scale(a * a, Math.Cos(b));

            [Differentiable]
            public static double PassesConstantsToCallee(double x) => Scale(x, 3) + Scale(2 * x, 0.5);
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("PassiveDoubles.Restricted"), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(1.5, 2.0)]
    [InlineData(1.5, -2.0)]
    public void Passive_double_steers_a_branch(double x, double y) => Check("Branches", [x, y], y > 0 ? y : 1.0);

    [Theory]
    [InlineData(1.5, 2.0)]
    public void Passive_double_reassigned(double x, double y) => Check("Reassigned", [x, y], 2 * y + 1);

    [Theory]
    [InlineData(1.5, 0.5)]
    public void Passive_double_in_math_functions(double x, double y) => Check("MathOfPassive", [x, y], Math.Sin(y));

    [Theory]
    [InlineData(1.5, 0.5)]
    [InlineData(-0.5, 2.0)]
    public void Passive_double_passed_to_a_callee_parameter_it_does_not_differentiate(double a, double b) =>
        // 2ab + a² cos b
        Check("PassesPassiveToCallee", [a, b], 2 * b + 2 * a * Math.Cos(b));

    [Fact]
    public void Constants_passed_to_a_callee_parameter_it_does_not_differentiate() =>
        Check("PassesConstantsToCallee", [1.5], 4.0);
}
