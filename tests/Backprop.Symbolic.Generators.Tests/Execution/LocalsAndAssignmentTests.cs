using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// Locals, reassignment of locals and parameters, compound assignment (<c>+= -= *= /=</c>), in double and float.
/// </summary>
public sealed class LocalsAndAssignmentTests
{
    private const string Source = """
        using Backprop.Symbolic;

        namespace Locals;

        public static partial class Assignments
        {
            [Differentiable]
            public static double LocalChain(double x, double y)
            {
                double a = x * y;
                double b = a + x;
                return a * b;
            }

            [Differentiable]
            public static double LocalReassigned(double x)
            {
                double a = x;
                a = a * a;
                a = a * x + a;
                return a;
            }

            [Differentiable]
            public static double LocalOverwrittenByUnrelatedValue(double x, double y)
            {
                double a = x * x;
                double keep = a;
                a = y * 3;
                return keep + a;
            }

            [Differentiable]
            public static double ParametersReassigned(double x, double y)
            {
                x = x * y;
                y = x + y;
                return x * y;
            }

            [Differentiable]
            public static double ParameterReassignedToConstant(double x, double y)
            {
                double saved = x * y;
                x = 2.0;
                return saved + x * y;
            }

            [Differentiable]
            public static double CompoundAssignments(double x, double y)
            {
                double a = x;
                a += y;
                a -= 2 * x;
                a *= y;
                a /= x;
                return a;
            }

            [Differentiable]
            public static double CompoundOnParameters(double x, double y)
            {
                x *= x;
                x += y;
                y /= x;
                return x - y;
            }

            [Differentiable]
            public static double SelfReferencingCompound(double x)
            {
                double a = x;
                a *= a;
                a += a;
                return a;
            }

            [Differentiable]
            public static float LocalChainF(float x, float y)
            {
                float a = x * y;
                float b = a + x;
                return a * b;
            }

            [Differentiable]
            public static float CompoundAssignmentsF(float x, float y)
            {
                float a = x;
                a += y;
                a -= 2 * x;
                a *= y;
                a /= x;
                return a;
            }

            [Differentiable]
            public static float ParametersReassignedF(float x, float y)
            {
                x = x * y;
                y = x + y;
                return x * y;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("Locals.Assignments"), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 0.75)]
    public void Locals_feed_later_statements(double x, double y) =>
        // x²y² + x²y
        Check("LocalChain", [x, y], 2 * x * y * y + 2 * x * y, 2 * x * x * y + x * x);

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void Reassigned_local(double x) =>
        // x³ + x²
        Check("LocalReassigned", [x], 3 * x * x + 2 * x);

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 0.75)]
    public void Overwritten_local_keeps_the_copy_taken_before(double x, double y) =>
        // x² + 3y
        Check("LocalOverwrittenByUnrelatedValue", [x, y], 2 * x, 3.0);

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 0.75)]
    public void Reassigned_parameters(double x, double y) =>
        // xy(xy + y) = x²y² + xy²
        Check("ParametersReassigned", [x, y], 2 * x * y * y + y * y, 2 * x * x * y + 2 * x * y);

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 0.75)]
    public void Parameter_reassigned_to_a_constant_stops_contributing(double x, double y) =>
        // xy + 2y
        Check("ParameterReassignedToConstant", [x, y], y, x + 2.0);

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 0.75)]
    public void Compound_assignments(double x, double y) =>
        // (y - x)y / x = y²/x - y
        Check("CompoundAssignments", [x, y], -y * y / (x * x), 2 * y / x - 1);

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 0.75)]
    public void Compound_assignments_on_parameters(double x, double y)
    {
        // u = x² + y; f = u - y/u
        double u = x * x + y;
        double dfdu = 1 + y / (u * u);
        Check("CompoundOnParameters", [x, y], dfdu * 2 * x, dfdu - 1 / u);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void Compound_assignment_reading_its_own_target(double x) =>
        // 2x²
        Check("SelfReferencingCompound", [x], 4 * x);

    [Theory]
    [InlineData(1.5f, -2.0f)]
    [InlineData(-0.5f, 0.75f)]
    public void Float_locals_and_assignments(float xf, float yf)
    {
        double x = xf, y = yf;
        Check("LocalChainF", [xf, yf], 2 * x * y * y + 2 * x * y, 2 * x * x * y + x * x);
        Check("CompoundAssignmentsF", [xf, yf], -y * y / (x * x), 2 * y / x - 1);
        Check("ParametersReassignedF", [xf, yf], 2 * x * y * y + y * y, 2 * x * x * y + 2 * x * y);
    }
}
