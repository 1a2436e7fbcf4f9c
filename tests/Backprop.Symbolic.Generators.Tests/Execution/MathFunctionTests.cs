using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// Every supported <see cref="Math"/> and <see cref="MathF"/> function, each inside a scaled argument and scaled result
/// (<c>3 * F(2 * x)</c>) so that both the incoming adjoint and the chain rule are exercised. Kinks and ties are in
/// <see cref="NonDifferentiablePointTests"/>.
/// </summary>
public sealed class MathFunctionTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace MathFunctions;

        public static partial class Unary
        {
            [Differentiable] public static double Sin(double x) => 3 * Math.Sin(2 * x);
            [Differentiable] public static double Cos(double x) => 3 * Math.Cos(2 * x);
            [Differentiable] public static double Tan(double x) => 3 * Math.Tan(2 * x);
            [Differentiable] public static double Asin(double x) => 3 * Math.Asin(0.5 * x);
            [Differentiable] public static double Acos(double x) => 3 * Math.Acos(0.5 * x);
            [Differentiable] public static double Atan(double x) => 3 * Math.Atan(2 * x);
            [Differentiable] public static double Sinh(double x) => 3 * Math.Sinh(2 * x);
            [Differentiable] public static double Cosh(double x) => 3 * Math.Cosh(2 * x);
            [Differentiable] public static double Tanh(double x) => 3 * Math.Tanh(2 * x);
            [Differentiable] public static double Exp(double x) => 3 * Math.Exp(2 * x);
            [Differentiable] public static double Log(double x) => 3 * Math.Log(2 * x);
            [Differentiable] public static double Log10(double x) => 3 * Math.Log10(2 * x);
            [Differentiable] public static double Log2(double x) => 3 * Math.Log2(2 * x);
            [Differentiable] public static double Sqrt(double x) => 3 * Math.Sqrt(2 * x);
            [Differentiable] public static double Cbrt(double x) => 3 * Math.Cbrt(2 * x);
            [Differentiable] public static double Abs(double x) => 3 * Math.Abs(2 * x);
            [Differentiable] public static double PowConstantExponent(double x) => 3 * Math.Pow(2 * x, 3);
            [Differentiable] public static double PowConstantBase(double x) => 3 * Math.Pow(2, 2 * x);
            [Differentiable] public static double Sign(double x) => Math.Sign(x) * x * x;
            [Differentiable] public static double Floor(double x) => Math.Floor(x * x) + x;
            [Differentiable] public static double Ceiling(double x) => Math.Ceiling(x * x) + x;
            [Differentiable] public static double Round(double x) => Math.Round(x * x) * x + x;
            [Differentiable] public static double Truncate(double x) => Math.Truncate(x * x) * x;
            [Differentiable] public static double Constants(double x) => Math.PI * x + Math.E * x * x;

            [Differentiable] public static float SinF(float x) => 3 * MathF.Sin(2 * x);
            [Differentiable] public static float CosF(float x) => 3 * MathF.Cos(2 * x);
            [Differentiable] public static float TanF(float x) => 3 * MathF.Tan(2 * x);
            [Differentiable] public static float AsinF(float x) => 3 * MathF.Asin(0.5f * x);
            [Differentiable] public static float AcosF(float x) => 3 * MathF.Acos(0.5f * x);
            [Differentiable] public static float AtanF(float x) => 3 * MathF.Atan(2 * x);
            [Differentiable] public static float SinhF(float x) => 3 * MathF.Sinh(2 * x);
            [Differentiable] public static float CoshF(float x) => 3 * MathF.Cosh(2 * x);
            [Differentiable] public static float TanhF(float x) => 3 * MathF.Tanh(2 * x);
            [Differentiable] public static float ExpF(float x) => 3 * MathF.Exp(2 * x);
            [Differentiable] public static float LogF(float x) => 3 * MathF.Log(2 * x);
            [Differentiable] public static float Log10F(float x) => 3 * MathF.Log10(2 * x);
            [Differentiable] public static float Log2F(float x) => 3 * MathF.Log2(2 * x);
            [Differentiable] public static float SqrtF(float x) => 3 * MathF.Sqrt(2 * x);
            [Differentiable] public static float CbrtF(float x) => 3 * MathF.Cbrt(2 * x);
            [Differentiable] public static float AbsF(float x) => 3 * MathF.Abs(2 * x);
            [Differentiable] public static float PowConstantExponentF(float x) => 3 * MathF.Pow(2 * x, 3);
            [Differentiable] public static float PowConstantBaseF(float x) => 3 * MathF.Pow(2, 2 * x);
            [Differentiable] public static float SignF(float x) => MathF.Sign(x) * x * x;
            [Differentiable] public static float FloorF(float x) => MathF.Floor(x * x) + x;
            [Differentiable] public static float CeilingF(float x) => MathF.Ceiling(x * x) + x;
            [Differentiable] public static float RoundF(float x) => MathF.Round(x * x) * x + x;
            [Differentiable] public static float TruncateF(float x) => MathF.Truncate(x * x) * x;
            [Differentiable] public static float ConstantsF(float x) => MathF.PI * x + MathF.E * x * x;
            [Differentiable] public static float MathAbsOfFloat(float x) => 3 * Math.Abs(2 * x);
        }

        public static partial class Binary
        {
            [Differentiable] public static double Atan2(double y, double x) => 3 * Math.Atan2(y, x);
            [Differentiable] public static double LogBase(double x, double b) => 3 * Math.Log(x, b);
            [Differentiable] public static double Pow(double x, double y) => 3 * Math.Pow(x, y);
            [Differentiable] public static double Max(double x, double y) => 3 * Math.Max(x, 2 * y);
            [Differentiable] public static double Min(double x, double y) => 3 * Math.Min(x, 2 * y);
            [Differentiable] public static double Clamp(double x, double lo, double hi) => 3 * Math.Clamp(x, lo, hi);
            [Differentiable] public static double FusedMultiplyAdd(double x, double y, double z) => 3 * Math.FusedMultiplyAdd(x, y, z);
            [Differentiable] public static double Composite(double x, double y) => Math.Exp(Math.Sin(x) * y) / Math.Sqrt(1 + x * x);

            [Differentiable] public static float Atan2F(float y, float x) => 3 * MathF.Atan2(y, x);
            [Differentiable] public static float LogBaseF(float x, float b) => 3 * MathF.Log(x, b);
            [Differentiable] public static float PowF(float x, float y) => 3 * MathF.Pow(x, y);
            [Differentiable] public static float MaxF(float x, float y) => 3 * MathF.Max(x, 2 * y);
            [Differentiable] public static float MinF(float x, float y) => 3 * MathF.Min(x, 2 * y);
            [Differentiable] public static float MathMaxOfFloat(float x, float y) => 3 * Math.Max(x, 2 * y);
            [Differentiable] public static float ClampF(float x, float lo, float hi) => 3 * Math.Clamp(x, lo, hi);
            [Differentiable] public static float FusedMultiplyAddF(float x, float y, float z) => 3 * MathF.FusedMultiplyAdd(x, y, z);
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static double Sec2(double u) => 1 / (Math.Cos(u) * Math.Cos(u));

    /// <summary>Each one-argument method: its derivative by hand, and points away from kinks and domain edges.</summary>
    private static readonly Dictionary<string, (Func<double, double> Derivative, double[] Points)> UnaryCases = new()
    {
        ["Sin"] = (x => 6 * Math.Cos(2 * x), [0.3, -1.25, 2.0]),
        ["Cos"] = (x => -6 * Math.Sin(2 * x), [0.3, -1.25, 2.0]),
        ["Tan"] = (x => 6 * Sec2(2 * x), [0.3, -0.5]),
        ["Asin"] = (x => 1.5 / Math.Sqrt(1 - 0.25 * x * x), [0.5, -1.25]),
        ["Acos"] = (x => -1.5 / Math.Sqrt(1 - 0.25 * x * x), [0.5, -1.25]),
        ["Atan"] = (x => 6 / (1 + 4 * x * x), [0.5, -1.75]),
        ["Sinh"] = (x => 6 * Math.Cosh(2 * x), [0.5, -1.25]),
        ["Cosh"] = (x => 6 * Math.Sinh(2 * x), [0.5, -1.25]),
        ["Tanh"] = (x => 6 * (1 - Math.Tanh(2 * x) * Math.Tanh(2 * x)), [0.25, -0.75]),
        ["Exp"] = (x => 6 * Math.Exp(2 * x), [0.5, -1.25]),
        ["Log"] = (x => 3 / x, [0.5, 3.75]),
        ["Log10"] = (x => 3 / (x * Math.Log(10)), [0.5, 3.75]),
        ["Log2"] = (x => 3 / (x * Math.Log(2)), [0.5, 3.75]),
        ["Sqrt"] = (x => 3 / Math.Sqrt(2 * x), [0.5, 3.75]),
        ["Cbrt"] = (x => 2 / Math.Pow(Math.Cbrt(2 * x), 2), [0.5, -3.75]),
        ["Abs"] = (x => 6.0 * Math.Sign(x), [0.5, -3.75]),
        ["PowConstantExponent"] = (x => 72 * x * x, [0.5, -1.25]),
        ["PowConstantBase"] = (x => 6 * Math.Log(2) * Math.Pow(2, 2 * x), [0.5, -1.25]),
        ["Sign"] = (x => 2 * Math.Abs(x), [0.5, -1.25]),
        ["Floor"] = (x => 1.0, [1.3, -0.6]),
        ["Ceiling"] = (x => 1.0, [1.3, -0.6]),
        ["Round"] = (x => Math.Round(x * x) + 1, [1.3, -0.6]),
        ["Truncate"] = (x => Math.Truncate(x * x), [1.3, -1.6]),
        ["Constants"] = (x => Math.PI + 2 * Math.E * x, [0.5, -1.25]),
    };

    public static TheoryData<string, double> UnaryPoints()
    {
        var data = new TheoryData<string, double>();
        foreach ((string name, (_, double[] points)) in UnaryCases)
        {
            foreach (double x in points)
            {
                data.Add(name, x);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(UnaryPoints))]
    public void Math_function(string method, double x) =>
        GradientAssert.Matches(Code.Type("MathFunctions.Unary"), method, [x], [UnaryCases[method].Derivative(x)], true, Code.DescribeGeneratedCode);

    [Theory]
    [MemberData(nameof(UnaryPoints))]
    public void MathF_function(string method, double x)
    {
        // The float twin of each method; the derivative is evaluated at the float input in double precision.
        float xf = (float)x;
        double expected = method == "Constants"
            ? MathF.PI + 2 * MathF.E * (double)xf
            : UnaryCases[method].Derivative(xf);
        GradientAssert.Matches(Code.Type("MathFunctions.Unary"), method + "F", [xf], [expected], true, Code.DescribeGeneratedCode);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(-3.75)]
    public void Math_Abs_of_float(double x) =>
        GradientAssert.Matches(Code.Type("MathFunctions.Unary"), "MathAbsOfFloat", [(float)x], [6.0 * Math.Sign(x)], true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(1.0, 2.0)]
    [InlineData(-1.5, 0.5)]
    [InlineData(0.5, -2.0)]
    [InlineData(-0.5, -0.25)]
    public void Atan2_in_every_quadrant(double y, double x)
    {
        double r2 = x * x + y * y;
        double[] expected = [3 * x / r2, -3 * y / r2];
        Binary("Atan2", [y, x], expected);
        Binary("Atan2F", [(float)y, (float)x], expected);
    }

    [Theory]
    [InlineData(2.5, 3.0)]
    [InlineData(0.5, 10.0)]
    [InlineData(4.0, 0.5)]
    public void Log_with_base(double x, double b)
    {
        double[] expected = [3 / (x * Math.Log(b)), -3 * Math.Log(x) / (b * Math.Log(b) * Math.Log(b))];
        Binary("LogBase", [x, b], expected);
        Binary("LogBaseF", [(float)x, (float)b], expected);
    }

    [Theory]
    [InlineData(2.5, 3.0)]
    [InlineData(0.5, -1.5)]
    [InlineData(1.75, 0.5)]
    public void Pow_of_two_active_arguments(double x, double y)
    {
        double[] expected = [3 * y * Math.Pow(x, y - 1), 3 * Math.Pow(x, y) * Math.Log(x)];
        Binary("Pow", [x, y], expected);
        Binary("PowF", [(float)x, (float)y], expected);
    }

    [Theory]
    [InlineData(3.0, 1.0)]
    [InlineData(-1.0, 0.5)]
    public void Max_and_min_away_from_ties(double x, double y)
    {
        bool xIsLarger = x > 2 * y;
        double[] max = xIsLarger ? [3.0, 0.0] : [0.0, 6.0];
        double[] min = xIsLarger ? [0.0, 6.0] : [3.0, 0.0];
        Binary("Max", [x, y], max);
        Binary("Min", [x, y], min);
        Binary("MaxF", [(float)x, (float)y], max);
        Binary("MinF", [(float)x, (float)y], min);
        Binary("MathMaxOfFloat", [(float)x, (float)y], max);
    }

    [Theory]
    [InlineData(0.5, -1.0, 2.0)]
    [InlineData(-1.5, -1.0, 2.0)]
    [InlineData(2.5, -1.0, 2.0)]
    public void Clamp_away_from_the_bounds(double x, double lo, double hi)
    {
        double[] expected = x < lo ? [0.0, 3.0, 0.0] : x > hi ? [0.0, 0.0, 3.0] : [3.0, 0.0, 0.0];
        Binary("Clamp", [x, lo, hi], expected);
        Binary("ClampF", [(float)x, (float)lo, (float)hi], expected);
    }

    [Theory]
    [InlineData(1.5, -2.0, 0.25)]
    [InlineData(-0.5, 3.0, -4.0)]
    public void Fused_multiply_add(double x, double y, double z)
    {
        double[] expected = [3 * y, 3 * x, 3.0];
        Binary("FusedMultiplyAdd", [x, y, z], expected);
        Binary("FusedMultiplyAddF", [(float)x, (float)y, (float)z], expected);
    }

    [Theory]
    [InlineData(0.5, 1.5)]
    [InlineData(-1.25, -0.5)]
    public void Composition_of_functions(double x, double y)
    {
        // f = exp(sin(x) y) / sqrt(1 + x²)
        double e = Math.Exp(Math.Sin(x) * y);
        double s = Math.Sqrt(1 + x * x);
        double[] expected = [e * Math.Cos(x) * y / s - e * x / (s * s * s), e * Math.Sin(x) / s];
        Binary("Composite", [x, y], expected);
    }

    private static void Binary(string method, object[] args, double[] expected) =>
        GradientAssert.Matches(Code.Type("MathFunctions.Binary"), method, args, expected, true, Code.DescribeGeneratedCode);

    [Fact]
    public void Every_unary_case_has_a_float_twin_in_the_source()
    {
        // Keeps the table and the source in step: a case added for double must be added for float too.
        foreach (string name in UnaryCases.Keys)
        {
            Assert.Contains($" {name}F(float x)", Source);
            Assert.Contains($" {name}(double x)", Source);
        }
        Assert.Equal(UnaryCases.Count, UnaryPoints().Select(row => (string)row[0]).Distinct().Count());
    }
}
