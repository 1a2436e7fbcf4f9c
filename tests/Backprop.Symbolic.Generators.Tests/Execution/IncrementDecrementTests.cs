using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary><c>++</c> and <c>--</c> on double and float locals: they shift the value and leave the derivative alone.</summary>
public sealed class IncrementDecrementTests
{
    private const string Source = """
        using Backprop.Symbolic;

        namespace Increments;

        public static partial class Steps
        {
            [Differentiable]
            public static double Statements(double x)
            {
                double a = x * x;
                a++;
                ++a;
                a--;
                return a * x;
            }

            [Differentiable]
            public static double PrefixAndPostfixDecrement(double x, double y)
            {
                double a = x * y;
                --a;
                a--;
                return a * a;
            }

            [Differentiable]
            public static float StatementsF(float x)
            {
                float a = x * x;
                a++;
                ++a;
                a--;
                return a * x;
            }

            [Differentiable]
            public static float DecrementF(float x, float y)
            {
                float a = x * y;
                --a;
                a--;
                return a * a;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("Increments.Steps"), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.75)]
    public void Increments_shift_the_value(double x)
    {
        // (x² + 1) x
        Check("Statements", [x], 3 * x * x + 1);
        Check("StatementsF", [(float)x], 3 * x * x + 1);
    }

    [Theory]
    [InlineData(1.5, 2.0)]
    [InlineData(-0.75, 0.5)]
    public void Decrements_shift_the_value(double x, double y)
    {
        // (xy - 2)²
        double inner = x * y - 2;
        Check("PrefixAndPostfixDecrement", [x, y], 2 * inner * y, 2 * inner * x);
        Check("DecrementF", [(float)x, (float)y], 2 * inner * y, 2 * inner * x);
    }
}
