using System.Linq;
using Microsoft.CodeAnalysis;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// Constructs whose support is not promised but which must never be differentiated silently wrong: increments and
/// assignments used as values, bool locals, and operators and calls outside the documented list. Each either generates
/// a gradient that agrees with finite differences or is reported with a diagnostic inside the method body.
/// </summary>
public sealed class CorrectOrDiagnosedTests
{
    [Theory]
    [InlineData("PostfixIncrementValue", "double a = x * x; double b = a++; return a * b;")]
    [InlineData("PrefixIncrementValue", "double a = x * x; double b = ++a; return a * b;")]
    [InlineData("PostfixDecrementValue", "double a = x * x; double b = a--; return a * b;")]
    [InlineData("AssignmentValue", "double a; double b = (a = x * 2) * a; return b;")]
    [InlineData("CompoundAssignmentValue", "double a = x; double b = (a *= x) + a; return b;")]
    [InlineData("ChainedAssignment", "double a, b; a = b = x * x; return a * b;")]
    [InlineData("ReturnOfAssignment", "double a = x; return a += x * x;")]
    [InlineData("BoolLocal", "bool big = x > 1; if (big) { return x * x; } return -x;")]
    [InlineData("BoolLocalCombined", "bool a = x > 0; bool b = !a || x > 2; return b ? x * 3 : x * x;")]
    [InlineData("Remainder", "return x % (n * 0.7) + x * x;")]
    [InlineData("UnaryPlus", "return +x * -(+x);")]
    [InlineData("DefaultLiteral", "return default(double) + x * x;")]
    [InlineData("Checked", "return checked(x * x) + unchecked(x * 3);")]
    [InlineData("RoundToDigits", "return Math.Round(x, 2) + x * x;")]
    [InlineData("LogWithIntBase", "return Math.Log(x * x + 1, 2);")]
    [InlineData("IsNaNCondition", "if (double.IsNaN(x)) { return 0; } return x * x;")]
    [InlineData("IsFiniteCondition", "return double.IsFinite(x * 2) ? Math.Sin(x) : 0;")]
    [InlineData("LongLocal", "long k = n; return x * k;")]
    [InlineData("EmptyStatement", ";; return x * x;")]
    [InlineData("PatternDeclaration", "return Math.Sin(x) is var s ? s * x : 0;")]
    [InlineData("IsPatternCondition", "return x is > 0 and < 2 ? x * x : x;")]
    public void Correct_or_diagnosed(string name, string body)
    {
        string source = $$"""
            using System;
            using Backprop.Symbolic;
            namespace Values;
            public static partial class C
            {
                [Differentiable]
                public static double {{name}}(double x, int n)
                {
                    {{body}}
                }
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Null(run.RunResult.Results.Single().Exception);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "BPS9999");
        Assert.True(run.CompilationErrors.IsEmpty, GeneratorHarness.Describe(run));

        if (!run.GeneratorDiagnostics.IsEmpty)
        {
            // Diagnosed: a BPS0004/BPS0005/BPS0006 error inside the method body, and no gradient.
            Assert.All(run.GeneratorDiagnostics, d =>
            {
                Assert.Contains(d.Id, new[] { "BPS0004", "BPS0005", "BPS0006" });
                Assert.Equal(DiagnosticSeverity.Error, d.Severity);
                Assert.Contains(d.Location.SourceSpan.Start, Enumerable.Range(source.IndexOf(body, System.StringComparison.Ordinal), body.Length));
            });
            DiagnosticAssert.NoGradient(run, name);
            return;
        }

        var type = GeneratorHarness.CompileAndLoad(source).GetType("Values.C", throwOnError: true)!;
        foreach (double x in new[] { -0.75, 0.5, 1.5, 2.5 })
        {
            GradientAssert.MatchesFiniteDifferences(type, name, x, 3);
        }
    }
}
