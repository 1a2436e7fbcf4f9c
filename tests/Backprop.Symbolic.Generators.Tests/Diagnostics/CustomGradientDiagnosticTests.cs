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

    [Theory]
    [InlineData("public static double LseGradient(ReadOnlySpan<double> z, out double dZ) { dZ = 0; return 0; }")]
    [InlineData("public static double LseGradient(ReadOnlySpan<double> z, Span<float> dZ) => 0;")]
    [InlineData("public static double LseGradient(ReadOnlySpan<double> z, double a, double[] dZ, out double dA) { dA = 0; return 0; }")]
    [InlineData("public static double LseGradient(ReadOnlySpan<double> z, double a, ReadOnlySpan<double> dZ, out double dA) { dA = 0; return 0; }")]
    [InlineData("public static double LseGradient(ReadOnlySpan<double> z, double a, out double dA, Span<double> dZ) { dA = 0; return 0; }")]
    public void BPS0017_custom_span_gradient_with_the_wrong_signature(string gradient)
    {
        GeneratorRun run = DiagnosticAssert.Reports($$"""
            using System;
            using Backprop.Symbolic;
            namespace N;
            public partial class C
            {
                [[|CustomGradient(nameof(LseGradient))|]]
                public static double Lse(ReadOnlySpan<double> z, double a) => Math.Log(Math.Exp(z[0]) + Math.Exp(a * z[1]));

                {{gradient}}

                [Differentiable] public static double Uses(ReadOnlySpan<double> x, double a) => Lse(x, a) * a;
            }
            """,
            "BPS0017",
            "The gradient that [CustomGradient] names for 'C.Lse' must be declared in the same type as: static double LseGradient(System.ReadOnlySpan<double> z, double a, System.Span<double> dZ, out double dA)");
        DiagnosticAssert.NoGradient(run, "Uses");
    }
}
