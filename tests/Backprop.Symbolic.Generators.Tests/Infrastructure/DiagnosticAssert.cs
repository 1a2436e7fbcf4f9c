using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Xunit.Sdk;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>Assertions on the diagnostics the generator reports for a source with one marked span.</summary>
public static class DiagnosticAssert
{
    /// <summary>
    /// Runs the generator over <paramref name="markedSource"/> (one span marked <c>[|...|]</c>) and asserts that it reports
    /// exactly one <paramref name="id"/>, as an error, with exactly <paramref name="message"/>, at the marked span; that the
    /// other diagnostics have exactly the IDs <paramref name="otherIds"/>; that the generator did not throw; and that the
    /// output compiles.
    /// </summary>
    public static GeneratorRun Reports(string markedSource, string id, string message, params string[] otherIds)
    {
        MarkedSource marked = MarkedSource.Parse(markedSource);
        GeneratorRun run = GeneratorHarness.Run(marked.Source);
        string context = Environment.NewLine + GeneratorHarness.Describe(run);

        Assert.True(run.RunResult.Results.Single().Exception is null, "The generator threw." + context);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785");

        var matching = run.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        if (matching.Count != 1)
        {
            throw new XunitException($"Expected exactly one {id} but the generator reported {matching.Count}.{context}");
        }
        Diagnostic diagnostic = matching[0];

        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        AssertLocation(marked, diagnostic, context);

        string[] others = run.GeneratorDiagnostics.Where(d => !ReferenceEquals(d, diagnostic)).Select(d => d.Id).OrderBy(x => x, StringComparer.Ordinal).ToArray();
        string[] expectedOthers = otherIds.OrderBy(x => x, StringComparer.Ordinal).ToArray();
        if (!others.SequenceEqual(expectedOthers))
        {
            throw new XunitException(
                $"Besides the {id}, expected [{string.Join(", ", expectedOthers)}] but the generator reported [{string.Join(", ", others)}].{context}");
        }

        Assert.True(run.CompilationErrors.IsEmpty, "The output compilation has errors." + context);
        return run;
    }

    /// <summary>Asserts that the output compilation has no member named <c>{method}Gradient</c>.</summary>
    public static void NoGradient(GeneratorRun run, string method)
    {
        bool exists = run.OutputCompilation.GetSymbolsWithName(method + "Gradient", SymbolFilter.Member).Any();
        Assert.False(exists, $"{method}Gradient was generated although {method} has a diagnostic.{Environment.NewLine}{GeneratorHarness.Describe(run)}");
    }

    /// <summary>Asserts that the output compilation has a method <c>{method}Gradient</c>.</summary>
    public static void HasGradient(GeneratorRun run, string method)
    {
        bool exists = run.OutputCompilation.GetSymbolsWithName(method + "Gradient", SymbolFilter.Member).Any();
        Assert.True(exists, $"{method}Gradient was not generated.{Environment.NewLine}{GeneratorHarness.Describe(run)}");
    }

    private static void AssertLocation(MarkedSource marked, Diagnostic diagnostic, string context)
    {
        Location location = diagnostic.Location;
        if (!location.IsInSource)
        {
            throw new XunitException($"{diagnostic.Id} has no source location (expected '{Text(marked, marked.Span)}' at {Describe(marked, marked.Span)}).{context}");
        }
        if (location.SourceSpan != marked.Span)
        {
            throw new XunitException(
                $"{diagnostic.Id} is reported at {Describe(marked, location.SourceSpan)} on '{Text(marked, location.SourceSpan)}'" +
                $" but expected {Describe(marked, marked.Span)} on '{Text(marked, marked.Span)}'.{context}");
        }
        Assert.Equal("UserCode.cs", location.SourceTree!.FilePath);
    }

    private static string Text(MarkedSource marked, TextSpan span) =>
        span.End <= marked.Source.Length ? marked.Source.Substring(span.Start, span.Length) : "(outside the source)";

    private static string Describe(MarkedSource marked, TextSpan span)
    {
        SourceText text = SourceText.From(marked.Source);
        LinePositionSpan lines = text.Lines.GetLinePositionSpan(span);
        return $"({lines.Start.Line + 1},{lines.Start.Character + 1})-({lines.End.Line + 1},{lines.End.Character + 1})";
    }
}
