using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// The forms a local can take: <c>var</c>, several declarators, declared then assigned in branches, same-named locals in
/// sibling blocks, swaps through a temporary, conditional reassignment, unused locals and <c>const int</c>.
/// </summary>
public sealed class LocalDeclarationTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Declarations;

        public static partial class Locals
        {
            [Differentiable]
            public static double Var(double x)
            {
                var a = x * 2;
                var b = a * a;
                return b;
            }

            [Differentiable]
            public static double SeveralDeclarators(double x, double y)
            {
                double a = x * y, b = a + y, c = b * a;
                return c;
            }

            [Differentiable]
            public static double AssignedInBranches(double x, double y)
            {
                double r;
                if (x > y)
                {
                    r = x * x;
                }
                else
                {
                    r = y * x;
                }
                return r + x;
            }

            [Differentiable]
            public static double SameNameInSiblingBlocks(double x, double y)
            {
                double r = 0;
                if (x > 0)
                {
                    double t = x * y;
                    r = t * t;
                }
                else
                {
                    double t = x + y;
                    r = t * 3;
                }
                {
                    double u = r * x;
                    r = u;
                }
                return r;
            }

            [Differentiable]
            public static double ReturnFromNestedBlock(double x)
            {
                {
                    double t = x * x;
                    {
                        return t * x;
                    }
                }
            }

            [Differentiable]
            public static double Swap(double x, double y)
            {
                double t = x;
                x = y;
                y = t;
                return 2 * x + y * y;
            }

            [Differentiable]
            public static double ConditionalReassignment(double x, double y)
            {
                double a = x;
                if (y > 0)
                {
                    a = a * y;
                }
                return a * a;
            }

            [Differentiable]
            public static double UnusedActiveLocal(double x)
            {
                double unused = Math.Sin(x);
                return x * 3;
            }

            [Differentiable]
            public static double ConstIntLocal(double x)
            {
                const int k = 3;
                int m = k * 2;
                return x * k + m;
            }

            [Differentiable]
            public static double ChainOfReassignmentsInBranches(double x, double y)
            {
                double a = x * y;
                if (a > 1)
                {
                    a = a * a;
                    if (y > 2)
                    {
                        return a + y;
                    }
                    a = a - x;
                }
                else if (a < -1)
                {
                    a = -a;
                }
                a = a * x;
                return a;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("Declarations.Locals"), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void Var_locals(double x) => Check("Var", [x], 8 * x);

    [Theory]
    [InlineData(1.5, -2.0)]
    public void Several_declarators_in_one_statement(double x, double y) =>
        // c = (xy + y) xy = x²y² + xy²
        Check("SeveralDeclarators", [x, y], 2 * x * y * y + y * y, 2 * x * x * y + 2 * x * y);

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(-1.0, 0.5)]
    public void Local_declared_without_initializer_and_assigned_in_branches(double x, double y)
    {
        double[] expected = x > y ? [2 * x + 1, 0.0] : [y + 1, x];
        Check("AssignedInBranches", [x, y], expected);
    }

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-1.5, 0.5)]
    public void Same_named_locals_in_sibling_blocks(double x, double y)
    {
        // x > 0: x³y²; else 3x(x + y)
        double[] expected = x > 0 ? [3 * x * x * y * y, 2 * x * x * x * y] : [6 * x + 3 * y, 3 * x];
        Check("SameNameInSiblingBlocks", [x, y], expected);
    }

    [Theory]
    [InlineData(1.5)]
    public void Return_from_a_nested_block(double x) => Check("ReturnFromNestedBlock", [x], 3 * x * x);

    [Theory]
    [InlineData(1.5, -2.0)]
    public void Swap_through_a_temporary(double x, double y) =>
        // 2y + x²
        Check("Swap", [x, y], 2 * x, 2.0);

    [Theory]
    [InlineData(1.5, 2.0)]
    [InlineData(1.5, -2.0)]
    public void Conditional_reassignment(double x, double y)
    {
        double[] expected = y > 0 ? [2 * x * y * y, 2 * x * x * y] : [2 * x, 0.0];
        Check("ConditionalReassignment", [x, y], expected);
    }

    [Fact]
    public void Unused_active_local() => Check("UnusedActiveLocal", [0.5], 3.0);

    [Fact]
    public void Const_int_local() => Check("ConstIntLocal", [0.5], 3.0);

    [Theory]
    [InlineData(1.0, 3.0)]
    [InlineData(1.0, 1.5)]
    [InlineData(-1.0, 2.0)]
    [InlineData(0.5, 0.5)]
    public void Chain_of_reassignments_in_branches(double x, double y)
    {
        double a = x * y;
        double[] expected =
            a > 1 && y > 2 ? [2 * x * y * y, 2 * x * x * y + 1] :
            a > 1 ? [3 * x * x * y * y - 2 * x, 2 * x * x * x * y] :             // (x²y² - x) x
            a < -1 ? [-2 * x * y, -x * x] :                                    // -x²y
            [2 * x * y, x * x];                                                // x²y
        Check("ChainOfReassignmentsInBranches", [x, y], expected);
    }
}
