using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Text;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Pipeline;

/// <summary>
/// The incremental pipeline caches: an edit that does not touch a [Differentiable] method leaves every
/// tracked step Cached or Unchanged and the source output cached; an edit of one method reruns only that
/// method's steps. The source has two good methods and one that gets a diagnostic (it calls a method
/// with no derivative); the unrelated edits are below that one, so its diagnostic does not move.
/// </summary>
public sealed class IncrementalPipelineTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Pipeline;

        public static partial class Functions
        {
            public static double Plain(double v) => v;

            // Names a gradient that does not exist (BPS0017), so the custom-gradient step has an output to track.
            [CustomGradient("Missing")]
            public static double Custom(double v) => v;

            // Reports a diagnostic, so the diagnostics step has an output to track.
            [Differentiable]
            public static double Bad(double x)
            {
                return Plain(x);
            }

            public static int Unrelated(int n)
            {
                return n + 1;
            }

            [Differentiable]
            public static double Square(double x)
            {
                return x * x;
            }

            [Differentiable]
            public static double Mix(double x, double y)
            {
                double s = Math.Sin(x);
                return (s * y) + x;
            }

            public static int Later(int n)
            {
                return n * 2;
            }
        }
        """;

    private const string SquareHint = "Pipeline.Functions.Square.g.cs";
    private const string MixHint = "Pipeline.Functions.Mix.g.cs";

    /// <summary>Every step name declared in <see cref="TrackingNames"/>.</summary>
    public static IReadOnlyList<string> AllTrackingNames { get; } = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    [Fact]
    public void Tracking_names_are_declared_and_every_step_runs()
    {
        Assert.Contains(TrackingNames.Methods, AllTrackingNames);
        Assert.Contains(TrackingNames.Models, AllTrackingNames);
        Assert.Contains(TrackingNames.Sources, AllTrackingNames);

        (GeneratorRunResult first, _) = RunTwice(c => c);
        foreach (string name in AllTrackingNames)
        {
            Assert.True(first.TrackedSteps.ContainsKey(name), $"The step '{name}' did not run. {Describe(first)}");
        }
        // The two good methods produced a model and a source in the first run, all of them new; the bad
        // one produced a diagnostic.
        Assert.Equal(3, OutputsOf(first, TrackingNames.Methods).Count);
        Assert.Single(OutputsOf(first, TrackingNames.Diagnostics));
        Assert.Equal(2, OutputsOf(first, TrackingNames.Models).Count);
        Assert.Equal(2, OutputsOf(first, TrackingNames.Sources).Count);
        Assert.All(OutputsOf(first, TrackingNames.Methods), o => Assert.Equal(IncrementalStepRunReason.New, o.Reason));
        Assert.Equal(new[] { MixHint, SquareHint }, first.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Adding_an_unrelated_file_leaves_every_step_cached()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(c => c.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText(
                "namespace Pipeline; public static class Other { public static int Twice(int n) => 2 * n; }",
                (CSharpParseOptions)c.SyntaxTrees[0].Options,
                path: "Other.cs")));

        AssertNothingRecomputed(first, second);
    }

    [Fact]
    public void Editing_an_unrelated_method_body_leaves_every_step_cached_or_unchanged()
    {
        // The edit is above the [Differentiable] methods and adds lines, so their positions shift.
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(c => ReplaceText(c,
            "        return n + 1;",
            "        int m = n + 2;\n        m = m * 3;\n        return m - 1;"));

        AssertNothingRecomputed(first, second);
    }

    [Fact]
    public void Editing_a_method_that_follows_the_differentiable_ones_leaves_every_step_cached_or_unchanged()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(c => ReplaceText(c,
            "        return n * 2;",
            "        return n * 3;"));

        AssertNothingRecomputed(first, second);
    }

    [Fact]
    public void Editing_one_differentiable_method_reruns_only_that_method()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(c => ReplaceText(c,
            "        return x * x;",
            "        return x * x * x;"));

        string context = Describe(second);
        // The bad method's diagnostic did not change.
        Assert.All(OutputsOf(second, TrackingNames.Diagnostics), o => Assert.True(
            o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
            $"The diagnostic of the untouched method is {o.Reason}. {context}"));
        Assert.Single(OutputsOf(second, TrackingNames.Diagnostics));

        foreach (string name in new[] { TrackingNames.Methods, TrackingNames.Models, TrackingNames.Sources })
        {
            var outputs = OutputsOf(second, name);
            var square = outputs.Where(o => MethodOf(o.Value) == "Square").ToList();
            var mix = outputs.Where(o => MethodOf(o.Value) == "Mix").ToList();
            Assert.True(square.Count == 1, $"Step '{name}' should have one output for Square. {context}");
            Assert.True(mix.Count == 1, $"Step '{name}' should have one output for Mix. {context}");
            Assert.True(
                square[0].Reason == IncrementalStepRunReason.Modified,
                $"Step '{name}': Square's output should be Modified but is {square[0].Reason}. {context}");
            Assert.True(
                mix[0].Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"Step '{name}': Mix's output should be Cached or Unchanged but is {mix[0].Reason}. {context}");
        }

        // The regenerated Square differs; Mix's text is the same.
        Assert.NotEqual(SourceText(first, SquareHint), SourceText(second, SquareHint));
        Assert.Contains("x * x", SourceText(second, SquareHint));
        Assert.Equal(SourceText(first, MixHint), SourceText(second, MixHint));

        // Of the source-output steps fed by the Sources step, exactly Square's reran.
        var outputSteps = SourceOutputStepsFedBy(second, TrackingNames.Sources);
        Assert.Equal(2, outputSteps.Count);
        Assert.Single(outputSteps, s => s.Outputs.Any(o => o.Reason != IncrementalStepRunReason.Cached));
    }

    // ------------------------------------------------------------------ helpers

    private static void AssertNothingRecomputed(GeneratorRunResult first, GeneratorRunResult second)
    {
        string context = Describe(second);
        Assert.NotEmpty(AllTrackingNames);
        foreach (string name in AllTrackingNames)
        {
            Assert.True(second.TrackedSteps.TryGetValue(name, out var steps), $"The step '{name}' is not tracked in the second run. {context}");
            foreach (IncrementalGeneratorRunStep step in steps)
            {
                foreach ((object value, IncrementalStepRunReason reason) in step.Outputs)
                {
                    Assert.True(
                        reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"Step '{name}' produced a {reason} output ({Short(value)}) after an unrelated edit. {context}");
                }
            }
        }

        // The values did flow, so the assertions above were not vacuous.
        Assert.Equal(3, OutputsOf(second, TrackingNames.Methods).Count);
        Assert.Single(OutputsOf(second, TrackingNames.Diagnostics));
        Assert.Equal(2, OutputsOf(second, TrackingNames.Models).Count);
        Assert.Equal(2, OutputsOf(second, TrackingNames.Sources).Count);

        // The source output did not rerun.
        var outputSteps = SourceOutputStepsFedBy(second, TrackingNames.Sources);
        Assert.Equal(2, outputSteps.Count);
        foreach (IncrementalGeneratorRunStep step in outputSteps)
        {
            Assert.All(step.Outputs, o => Assert.True(
                o.Reason == IncrementalStepRunReason.Cached,
                $"The source output reran ({o.Reason}) after an unrelated edit. {context}"));
        }

        // And the generated text is the same.
        Assert.Equal(
            first.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())).OrderBy(s => s.HintName, StringComparer.Ordinal),
            second.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())).OrderBy(s => s.HintName, StringComparer.Ordinal));
    }

    /// <summary>Runs one driver over a compilation of <see cref="Source"/> and then over an edit of it.</summary>
    private static (GeneratorRunResult First, GeneratorRunResult Second) RunTwice(Func<CSharpCompilation, CSharpCompilation> edit)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Source);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            generators: new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees[0].Options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        driver = driver.RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results[0];
        Assert.Null(first.Exception);
        Assert.Equal(new[] { DiagnosticDescriptors.NoDerivative.Id, DiagnosticDescriptors.CustomGradientMismatch.Id }, first.Diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));

        CSharpCompilation edited = edit(compilation);
        Assert.Empty(edited.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        driver = driver.RunGenerators(edited);
        GeneratorRunResult second = driver.GetRunResult().Results[0];
        Assert.Null(second.Exception);
        Assert.Equal(new[] { DiagnosticDescriptors.NoDerivative.Id, DiagnosticDescriptors.CustomGradientMismatch.Id }, second.Diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
        return (first, second);
    }

    private static CSharpCompilation ReplaceText(CSharpCompilation compilation, string oldText, string newText)
    {
        SyntaxTree tree = compilation.SyntaxTrees[0];
        string text = tree.GetText().ToString();
        int at = text.IndexOf(oldText, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{oldText}' is not in the source.");
        Assert.Equal(-1, text.IndexOf(oldText, at + 1, StringComparison.Ordinal));
        SyntaxTree edited = tree.WithChangedText(tree.GetText().WithChanges(new TextChange(new TextSpan(at, oldText.Length), newText)));
        return compilation.ReplaceSyntaxTree(tree, edited);
    }

    private static List<(object Value, IncrementalStepRunReason Reason)> OutputsOf(GeneratorRunResult result, string step) =>
        result.TrackedSteps.TryGetValue(step, out var steps)
            ? steps.SelectMany(s => s.Outputs).ToList()
            : new List<(object, IncrementalStepRunReason)>();

    /// <summary>The source-output steps whose input is the step named <paramref name="stepName"/>.</summary>
    private static List<IncrementalGeneratorRunStep> SourceOutputStepsFedBy(GeneratorRunResult result, string stepName) =>
        result.TrackedOutputSteps.TryGetValue(WellKnownGeneratorOutputs.SourceOutput, out var steps)
            ? steps.Where(s => s.Inputs.Any(i => i.Source.Name == stepName)).ToList()
            : new List<IncrementalGeneratorRunStep>();

    private static string SourceText(GeneratorRunResult result, string hintName) =>
        result.GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

    /// <summary>Which of the two methods a step's output value belongs to.</summary>
    private static string? MethodOf(object value)
    {
        string? name = value switch
        {
            MethodResult r => r.Model?.Name ?? "Bad",
            DiagnosticInfo => "Bad",
            MethodModel m => m.Name,
            GeneratedFile f => HintMethod(f.HintName),
            ValueTuple<GeneratedFile?, DiagnosticInfo?> t => t.Item1 is { } file ? HintMethod(file.HintName) : null,
            _ => null,
        };
        if (name is not null)
        {
            return name;
        }
        // Fall back on the value's text, which names the hint file of its method.
        string text = value.ToString() ?? "";
        bool square = text.Contains(SquareHint, StringComparison.Ordinal);
        bool mix = text.Contains(MixHint, StringComparison.Ordinal);
        return square == mix ? null : square ? "Square" : "Mix";
    }

    private static string? HintMethod(string hintName) =>
        hintName == SquareHint ? "Square" : hintName == MixHint ? "Mix" : null;

    private static string Short(object value)
    {
        string text = value.ToString() ?? "null";
        return text.Length <= 200 ? text : text[..200] + "...";
    }

    private static string Describe(GeneratorRunResult result)
    {
        var sb = new StringBuilder("Steps of this run:");
        foreach (var (name, steps) in result.TrackedSteps.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.Append($" [{name}: {string.Join(", ", steps.SelectMany(s => s.Outputs).Select(o => $"{MethodOf(o.Value) ?? "?"}={o.Reason}"))}]");
        }
        foreach (var (name, steps) in result.TrackedOutputSteps)
        {
            sb.Append($" [output {name}: {string.Join(", ", steps.Select(s => $"from {string.Join("+", s.Inputs.Select(i => i.Source.Name ?? "?"))}: {string.Join("/", s.Outputs.Select(o => o.Reason))}"))}]");
        }
        return sb.ToString();
    }
}
