using System.Linq;
using Backprop.Symbolic.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Backprop.Symbolic.Generators.Diagnostics;

/// <summary>Turns descriptors and Roslyn locations into equatable <see cref="DiagnosticInfo"/>s and back.</summary>
internal static class DiagnosticFactory
{
    /// <summary>Every descriptor, read off <see cref="DiagnosticDescriptors"/> so that a new one cannot be forgotten here.</summary>
    private static readonly DiagnosticDescriptor[] All = typeof(DiagnosticDescriptors)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToArray();

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, arguments.ToEquatableArray(), ToInfo(location));

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SyntaxNode node, params string[] arguments) =>
        Create(descriptor, node.GetLocation(), arguments);

    public static LocationInfo? ToInfo(Location? location)
    {
        if (location is null || !location.IsInSource)
        {
            return null;
        }
        FileLinePositionSpan span = location.GetLineSpan();
        return new LocationInfo(
            location.SourceTree?.FilePath ?? span.Path,
            location.SourceSpan.Start,
            location.SourceSpan.Length,
            span.StartLinePosition.Line,
            span.StartLinePosition.Character,
            span.EndLinePosition.Line,
            span.EndLinePosition.Character);
    }

    /// <summary>
    /// Rebuilds a Roslyn diagnostic. When the compilation holds the file, the location is tied to its
    /// syntax tree so that editors and <c>#pragma</c> treat it as an ordinary source location.
    /// </summary>
    public static Diagnostic ToDiagnostic(DiagnosticInfo info, Compilation? compilation)
    {
        DiagnosticDescriptor descriptor = All.First(d => d.Id == info.Id);
        Location location = Location.None;
        if (info.Location is { } l)
        {
            var textSpan = new Microsoft.CodeAnalysis.Text.TextSpan(l.Start, l.Length);
            SyntaxTree? tree = compilation?.SyntaxTrees.FirstOrDefault(t => t.FilePath == l.FilePath);
            location = tree is not null
                ? Location.Create(tree, textSpan)
                : Location.Create(l.FilePath, textSpan, new Microsoft.CodeAnalysis.Text.LinePositionSpan(
                    new Microsoft.CodeAnalysis.Text.LinePosition(l.StartLine, l.StartCharacter),
                    new Microsoft.CodeAnalysis.Text.LinePosition(l.EndLine, l.EndCharacter)));
        }
        return Diagnostic.Create(descriptor, location, info.Arguments.Cast<object>().ToArray());
    }
}
