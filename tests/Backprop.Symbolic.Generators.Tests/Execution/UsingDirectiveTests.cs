using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// Math functions are recognised by symbol, not by spelling: through <c>using static</c>, a using alias, or a fully
/// qualified name.
/// </summary>
public sealed class UsingDirectiveTests
{
    private const string Source = """
        using Backprop.Symbolic;
        using static System.Math;
        using M = System.Math;
        using MF = System.MathF;

        namespace Usings;

        public static partial class Spellings
        {
            [Differentiable] public static double UsingStatic(double x) => Sin(x) * Exp(x) + PI * x;
            [Differentiable] public static double Alias(double x) => M.Sin(x) * M.Exp(x);
            [Differentiable] public static double FullyQualified(double x) => global::System.Math.Sin(x) * System.Math.Exp(x);
            [Differentiable] public static float FloatAlias(float x) => MF.Sin(x) * MF.Exp(x);
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    [Theory]
    [InlineData(0.5)]
    [InlineData(-1.25)]
    public void Every_spelling_of_Math_is_differentiated(double x)
    {
        Type type = Code.Type("Usings.Spellings");
        double product = Math.Exp(x) * (Math.Cos(x) + Math.Sin(x));
        GradientAssert.Matches(type, "UsingStatic", [x], [product + Math.PI], true, Code.DescribeGeneratedCode);
        GradientAssert.Matches(type, "Alias", [x], [product], true, Code.DescribeGeneratedCode);
        GradientAssert.Matches(type, "FullyQualified", [x], [product], true, Code.DescribeGeneratedCode);
        float xf = (float)x;
        GradientAssert.Matches(type, "FloatAlias", [xf], [Math.Exp(xf) * (Math.Cos(xf) + Math.Sin(xf))], true, Code.DescribeGeneratedCode);
    }
}
