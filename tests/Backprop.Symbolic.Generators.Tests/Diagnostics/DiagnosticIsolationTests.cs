using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Diagnostics;

/// <summary>
/// A method with a diagnostic gets no gradient, the other methods still do, and the generator never fails the
/// compilation with CS8785 (an exception escaping the generator).
/// </summary>
public sealed class DiagnosticIsolationTests
{
    [Fact]
    public void Other_methods_are_generated_beside_a_method_with_a_diagnostic()
    {
        const string source = """
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable] public static double Before(double x) => x * x;

                [Differentiable]
                public static double Looping(double x)
                {
                    double s = 0;
                    try { s += x; } finally { }
                    return s;
                }

                [Differentiable] public static double After(double x, double y) => x * y;
            }

            public static partial class D
            {
                [Differentiable] public static double Elsewhere(double x) => -x;
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Equal(["BPS0004"], run.GeneratorDiagnostics.Select(d => d.Id).ToArray());
        Assert.Empty(run.CompilationErrors);
        DiagnosticAssert.NoGradient(run, "Looping");
        DiagnosticAssert.HasGradient(run, "Before");
        DiagnosticAssert.HasGradient(run, "After");
        DiagnosticAssert.HasGradient(run, "Elsewhere");
    }

    [Fact]
    public void Every_kind_of_problem_at_once_never_crashes_the_generator()
    {
        const string source = """
            using System;
            using System.Runtime.InteropServices;
            using Backprop.Symbolic;
            namespace N;
            public static class NotPartial { [Differentiable] public static double A(double x) => x; }
            public partial class C
            {
                public static double Helper(double v) => v;
                [Differentiable] public double NotStatic(double x) => x;
                [Differentiable, DllImport("libm")] public static extern double NoBody(double x);
                [Differentiable] public static double Goto(double x) { goto end; end: return x; }
                [Differentiable] public static double Switch(double x) => x switch { > 0 => x, _ => -x };
                [Differentiable] public static double NoDerivative(double x) => Helper(x);
                [Differentiable] public static double Taken(double x) => x;
                public static double TakenGradient(double x, out double dX) { dX = 0; return 0; }
                [Differentiable("nope")] public static double Unknown(double x) => x;
                [Differentiable(nameof(n))] public static double IntNamed(double x, int n) => x;
                [Differentiable] public static double RefParameter(ref double x) => x;
                [Differentiable] public static int ReturnsInt(double x) => 0;
                [Differentiable] public static double Clash(double x, double dX) => x;
                [Differentiable(nameof(a))] public static double Partly(double a, double b) => a * b;
                [Differentiable] public static double CallsPartly(double x) => Partly(x, x);
                [Differentiable] public static double CallsGoto(double x) => Goto(x);
                [Differentiable] public static double Generic<T>(double x) => x;
                [Differentiable] public static double Fine(double x) => Math.Sin(x);
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Null(run.RunResult.Results.Single().Exception);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785" || d.Id == "BPS9999");
        Assert.Empty(run.CompilationErrors);
        string[] expected =
        [
            "BPS0001", "BPS0002", "BPS0003", "BPS0004", "BPS0005", "BPS0006", "BPS0007", "BPS0008",
            "BPS0009", "BPS0010", "BPS0011", "BPS0012", "BPS0013", "BPS0014", "BPS0015",
        ];
        Assert.Equal(expected, run.GeneratorDiagnostics.Select(d => d.Id).Distinct().OrderBy(id => id).ToArray());
        Assert.All(run.GeneratorDiagnostics, d => Assert.True(d.Location.IsInSource, $"{d.Id} has no source location"));
        DiagnosticAssert.HasGradient(run, "Fine");
        DiagnosticAssert.HasGradient(run, "Partly");
    }

    [Fact]
    public void Source_with_compile_errors_does_not_crash_the_generator()
    {
        const string source = """
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable] public static double Undefined(double x) => x * missing;
                [Differentiable] public static double WrongCall(double x) => Nowhere.F(x);
                [Differentiable] public static double Incomplete(double x) => x *;
                [Differentiable] public static double Fine(double x) => x * x;
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Null(run.RunResult.Results.Single().Exception);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785" || d.Id == "BPS9999");
        // The user's own errors are the only errors: the generator adds none to the compilation.
        Assert.All(run.CompilationErrors, d => Assert.Equal("UserCode.cs", d.Location.SourceTree?.FilePath));
        DiagnosticAssert.HasGradient(run, "Fine");
    }

    [Fact]
    public void Nothing_is_generated_or_reported_without_the_attribute()
    {
        const string source = """
            namespace N;
            public static partial class C
            {
                public static double F(double x) => x * x;
            }
            public sealed class DifferentiableAttribute : System.Attribute { }
            public static partial class D
            {
                [Differentiable] public static double G(double x) => x;
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.GeneratedSources);
        Assert.Empty(run.CompilationErrors);
    }

    [Fact]
    public void The_same_problem_is_never_reported_twice()
    {
        const string source = """
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    try { x = x * 2; } finally { }
                    return x;
                }

                [Differentiable] public static double G(double x) => F(x) + F(x);
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);

        // F's try statement once, although G reaches F twice; BPS0014 on G's calls, never twice on the same one.
        Assert.Single(run.GeneratorDiagnostics, d => d.Id == "BPS0004");
        Assert.InRange(run.GeneratorDiagnostics.Count(d => d.Id == "BPS0014"), 1, 2);
        Assert.Equal(
            run.GeneratorDiagnostics.Length,
            run.GeneratorDiagnostics.Select(d => (d.Id, d.Location.SourceSpan)).Distinct().Count());
    }
}
