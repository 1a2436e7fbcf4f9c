using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// Int and bool parameters are passed to the gradient but get no adjoint; <c>[Differentiable(nameof(x))]</c> restricts
/// the adjoints to the named parameters, in the method's parameter order.
/// </summary>
public sealed class PassiveParameterTests
{
    private const string Source = """
        using Backprop.Symbolic;

        namespace Passive;

        public static partial class Parameters
        {
            [Differentiable] public static double WithInt(double x, int n, double y) => x * n + y * y;
            [Differentiable] public static double WithBool(double x, bool square) => square ? x * x : 3 * x;

            [Differentiable]
            public static double IntDrivesBranches(double x, int mode, bool negate)
            {
                double r = x;
                if (mode > 1)
                {
                    r = r * x;
                }
                if (negate)
                {
                    r = -r;
                }
                return r * mode;
            }

            [Differentiable(nameof(x))] public static double OnlyX(double x, double y) => x * x * y;
            [Differentiable(nameof(y))] public static double OnlyY(double x, double y) => x * x * y * y;
            [Differentiable(nameof(y), nameof(x))] public static double NamedInReverseOrder(double x, double y, double z) => x * y * z;
            [Differentiable(nameof(w))] public static float OnlyW(float w, float b, float x) => w * x + b * b;
            [Differentiable(nameof(x))] public static double RestrictedWithInt(int n, double x, double scale) => n * x * scale;
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("Passive.Parameters"), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(1.5, 3, -2.0)]
    [InlineData(-0.5, -1, 0.25)]
    public void Int_parameter_is_passive(double x, int n, double y) => Check("WithInt", [x, n, y], n, 2 * y);

    [Theory]
    [InlineData(1.5, true)]
    [InlineData(1.5, false)]
    public void Bool_parameter_is_passive(double x, bool square) => Check("WithBool", [x, square], square ? 2 * x : 3.0);

    [Theory]
    [InlineData(1.5, 2, false)]
    [InlineData(1.5, 2, true)]
    [InlineData(-0.5, 1, false)]
    [InlineData(-0.5, 1, true)]
    public void Int_and_bool_parameters_steer_branches(double x, int mode, bool negate)
    {
        double derivative = (mode > 1 ? 2 * x : 1.0) * (negate ? -1 : 1) * mode;
        Check("IntDrivesBranches", [x, mode, negate], derivative);
    }

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 3.0)]
    public void Restriction_to_one_parameter(double x, double y)
    {
        Check("OnlyX", [x, y], 2 * x * y);
        Check("OnlyY", [x, y], 2 * x * x * y);
    }

    [Theory]
    [InlineData(1.5, -2.0, 0.5)]
    public void Restriction_lists_adjoints_in_parameter_order(double x, double y, double z) =>
        Check("NamedInReverseOrder", [x, y, z], y * z, x * z);

    [Theory]
    [InlineData(1.5f, -2.0f, 0.5f)]
    public void Float_restriction(float w, float b, float x) => Check("OnlyW", [w, b, x], x);

    [Theory]
    [InlineData(3, 1.5, -2.0)]
    public void Restriction_with_a_leading_int_parameter(int n, double x, double scale) =>
        Check("RestrictedWithInt", [n, x, scale], n * scale);
}
