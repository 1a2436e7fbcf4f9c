using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Diagnostics;

/// <summary>BPS0017: [CustomGradient] must name a method of the generator's gradient shape.</summary>
public sealed class CustomGradientDiagnosticTests
{
    [Theory]
    [InlineData("public static double SoftplusGradient(double x) => x;")]
    [InlineData("public static double SoftplusGradient(double x, out float dX) { dX = 0; return x; }")]
    [InlineData("public static float SoftplusGradient(double x, out double dX) { dX = 0; return 0; }")]
    [InlineData("public double SoftplusGradient(double x, out double dX) { dX = 0; return x; }")]
    [InlineData("")]
    public void BPS0017_custom_gradient_with_the_wrong_signature(string gradient)
    {
        GeneratorRun run = DiagnosticAssert.Reports($$"""
            using System;
            using Backprop.Symbolic;
            namespace N;
            public partial class C
            {
                [[|CustomGradient(nameof(SoftplusGradient))|]]
                public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

                {{gradient}}

                [Differentiable] public static double Uses(double x) => Softplus(x) * x;

                [Differentiable] public static double Independent(double x) => x * x;
            }
            """.Replace("nameof(SoftplusGradient)", gradient.Length == 0 ? "\"SoftplusGradient\"" : "nameof(SoftplusGradient)"),
            "BPS0017",
            "The gradient that [CustomGradient] names for 'C.Softplus' must be declared in the same type as: static double SoftplusGradient(double x, out double dX)");
        DiagnosticAssert.NoGradient(run, "Uses");
        DiagnosticAssert.HasGradient(run, "Independent");
    }
}
