using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// User locals and parameters named like the names generated code uses (adjoints <c>dX</c>, temporaries <c>_t0</c>,
/// <c>value</c>, <c>dValue</c>) must not clash with them.
/// </summary>
public sealed class GeneratedNameClashTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Clashes;

        public static partial class Names
        {
            [Differentiable]
            public static double LocalsLikeGeneratedNames(double x, double y)
            {
                double dX = x * y;
                double _t0 = dX + x;
                double value = _t0 * y;
                double dValue = value - dX;
                double dY = dValue * x;
                double _t1 = Math.Sin(dY);
                return _t1 + dY;
            }

            [Differentiable]
            public static double ParametersLikeGeneratedNames(double value, double _t0, double result)
            {
                double grad = value * _t0;
                return grad * result;
            }

            [Differentiable]
            public static double AdjointLikeParameterOfAnotherMethod(double dx, double x1)
            {
                return dx * x1;
            }

            [Differentiable]
            public static float LocalsLikeGeneratedNamesF(float x)
            {
                float dX = x * x;
                float _t0 = dX * x;
                float value = _t0 + dX;
                return value;
            }
        }
        """;

    /// <summary>Locals named like the versions, adjoints and call results the generated code derives from user names.</summary>
    private const string VersionedSource = """
        using System;
        using Backprop.Symbolic;

        namespace Versioned;

        public static partial class Names
        {
            [Differentiable] public static double Square(double x) => x * x;

            [Differentiable]
            public static double VersionsOfALocal(double x, double y)
            {
                double s = x;
                double s_1 = y;
                double s_2 = s_1 * 2;
                s = s * s_1;
                s = s + s_2;
                double dS = s * x;
                double dS_1 = dS + s_1;
                double d_t0 = dS_1 * y;
                return d_t0 + s;
            }

            [Differentiable]
            public static double CallResultNames(double x)
            {
                double _square = x + 1;
                double _square_dX = Square(_square);
                double _square_1 = Square(x);
                double _t0 = _square_dX + _square_1;
                return _t0 * _square;
            }

            [Differentiable]
            public static double BranchVersions(double x, double y)
            {
                double loss_1 = y;
                double loss = 0;
                if (x > y)
                {
                    loss = x * loss_1;
                }
                else
                {
                    double loss_2 = x + loss_1;
                    loss = loss_2 * loss_2;
                }
                double dLoss_2 = loss * 2;
                return dLoss_2 + loss_1;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static readonly CompiledProgram VersionedCode = new(VersionedSource);

    private static void CheckVersioned(string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(VersionedCode.Type("Versioned.Names"), method, args, expected, finiteDifferences: true, VersionedCode.DescribeGeneratedCode);

    private static void Check(string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("Clashes.Names"), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(0.5, -0.75)]
    [InlineData(-0.25, 1.5)]
    public void Locals_named_like_adjoints_and_temporaries(double x, double y)
    {
        // dY = ((xy + x) y - xy) x = x²y²;  f = sin(dY) + dY
        double u = x * x * y * y;
        double outer = System.Math.Cos(u) + 1;
        Check("LocalsLikeGeneratedNames", [x, y], outer * 2 * x * y * y, outer * 2 * x * x * y);
    }

    [Theory]
    [InlineData(1.5, -2.0, 0.5)]
    public void Parameters_named_like_generated_names(double value, double t0, double result) =>
        Check("ParametersLikeGeneratedNames", [value, t0, result], t0 * result, value * result, value * t0);

    [Theory]
    [InlineData(1.5, -2.0)]
    public void Lower_case_d_parameter(double dx, double x1) =>
        // Adjoints are dDx and dX1.
        Check("AdjointLikeParameterOfAnotherMethod", [dx, x1], x1, dx);

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-0.5f)]
    public void Float_locals_named_like_generated_names(float x) =>
        Check("LocalsLikeGeneratedNamesF", [x], 3.0 * x * x + 2.0 * x);

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 0.75)]
    public void Locals_named_like_versions_and_adjoints_of_other_locals(double x, double y)
    {
        // s = xy + 2y; dS_1 = sx + y; f = (sx + y) y + s = (x²y + 2xy + y) y + xy + 2y
        double f_x = (2 * x * y + 2 * y) * y + y;
        double f_y = (x * x + 2 * x + 1) * y + (x * x * y + 2 * x * y + y) + x + 2;
        CheckVersioned("VersionsOfALocal", [x, y], f_x, f_y);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void Locals_named_like_call_results(double x) =>
        // ((x + 1)² + x²)(x + 1)
        CheckVersioned("CallResultNames", [x], (2 * (x + 1) + 2 * x) * (x + 1) + (x + 1) * (x + 1) + x * x);

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(-1.0, 0.5)]
    public void Locals_named_like_branch_versions(double x, double y)
    {
        // x > y: 2xy + y; else 2(x + y)² + y
        double[] expected = x > y ? [2 * y, 2 * x + 1] : [4 * (x + y), 4 * (x + y) + 1];
        CheckVersioned("BranchVersions", [x, y], expected);
    }
}
