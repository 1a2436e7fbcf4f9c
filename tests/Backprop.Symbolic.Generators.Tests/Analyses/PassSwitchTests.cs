using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Backprop.Symbolic.Generators.Emit;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Analyses;

/// <summary>
/// The analyses and clean-up passes only prune and share work: switching any of them off must give the
/// same values and the same gradients, in more code. Each variant's output is compiled and run.
/// </summary>
public sealed class PassSwitchTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Passes;

        public static partial class Functions
        {
            [Differentiable]
            public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

            [Differentiable(nameof(x), nameof(y))]
            public static double Mixed(double x, double y, double scale, int n)
            {
                double unused = Math.Cos(x) * y;
                double passive = n * 0.5;
                double a = Math.Sin(x * y) * Math.Sin(x * y) + passive;
                if (a > 0.25)
                {
                    a = a * Math.Exp(-y) * Math.Sqrt(scale) + Softplus(x);
                }
                else if (x < 0)
                {
                    return a / (1 + y * y);
                }
                double b = a > 0.5 ? Math.Sqrt(a + x * x) : Math.Tanh(a) * y;
                return b * b + Math.Max(x, y) + Math.Abs(x - y);
            }
        }
        """;

    private static readonly (double X, double Y, double Scale, int N)[] Points =
    {
        (0.3, 0.7, 2.0, 1), (-0.8, 0.4, 0.5, 0), (1.2, -0.6, 1.5, 2), (-0.2, -1.5, 3.0, 3), (0.9, 1.1, 0.25, -1), (0.05, 0.02, 1.0, 0),
    };

    public static IEnumerable<object[]> Variants()
    {
        yield return new object[] { "no activity analysis", false, true, true, true };
        yield return new object[] { "no common subexpressions", true, false, true, true };
        yield return new object[] { "no dead-code removal", true, true, false, true };
        yield return new object[] { "no copy coalescing", true, true, true, false };
        yield return new object[] { "no passes", false, false, false, false };
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Switching_a_pass_off_changes_the_code_but_not_the_gradient(string variant, bool activity, bool cse, bool deadCode, bool coalescing)
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        Assert.Empty(run.GeneratorDiagnostics);
        MethodModel[] models = run.RunResult.Results.Single().TrackedSteps[TrackingNames.Models]
            .SelectMany(step => step.Outputs)
            .Select(output => (MethodModel)output.Value)
            .ToArray();
        Assert.Equal(2, models.Length);

        var options = new GradientEmitter.Options(activity, cse, deadCode, coalescing);
        (Type optimized, string optimizedCode) = Build(run.InputCompilation, models, GradientEmitter.Options.Default);
        (Type switched, string switchedCode) = Build(run.InputCompilation, models, options);

        Assert.NotEqual(optimizedCode, switchedCode);
        foreach ((double x, double y, double scale, int n) in Points)
        {
            (double value, double[] gradient) = Invoke.Gradient(optimized, "Mixed", x, y, scale, n);
            (double otherValue, double[] otherGradient) = Invoke.Gradient(switched, "Mixed", x, y, scale, n);
            Assert.Equal(value, otherValue);
            Assert.Equal(value, Invoke.Primal(optimized, "Mixed", x, y, scale, n));
            for (int i = 0; i < gradient.Length; i++)
            {
                double magnitude = Math.Max(1, Math.Abs(gradient[i]));
                Assert.True(Math.Abs(gradient[i] - otherGradient[i]) <= 1e-12 * magnitude,
                    $"{variant}: ∂/∂{(i == 0 ? "x" : "y")} at ({x}, {y}, {scale}, {n}) is {otherGradient[i]}, not {gradient[i]}.");
            }
        }
    }

    /// <summary>Compiles <paramref name="input"/> with the code <paramref name="models"/> generate under <paramref name="options"/>; returns <c>Passes.Functions</c>.</summary>
    internal static (Type Functions, string Code) Build(CSharpCompilation input, IEnumerable<MethodModel> models, GradientEmitter.Options options)
    {
        var parseOptions = (CSharpParseOptions)input.SyntaxTrees[0].Options;
        string[] sources = models.Select(m => GradientEmitter.Emit(m, options, default).Source).ToArray();
        CSharpCompilation compilation = input.AddSyntaxTrees(sources.Select(s => CSharpSyntaxTree.ParseText(s, parseOptions)));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) + Environment.NewLine + string.Join(Environment.NewLine, sources));
        stream.Position = 0;
        Assembly assembly = new AssemblyLoadContext("PassSwitch" + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(stream);
        return (assembly.GetType("Passes.Functions", throwOnError: true)!, string.Join("\n", sources));
    }
}
