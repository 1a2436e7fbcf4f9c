using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// A test source compiled with the generator and with <see cref="ArrayDriverSource"/>'s driver class, loaded once.
/// </summary>
/// <remarks>
/// <para>
/// Methods are isolated from each other, so a class of tests shows which constructs work while the generator is
/// incomplete: a generated file that does not compile is dropped (and so, in turn, is any generated file that
/// needed it), and a method whose generator diagnostics, dropped file, or missing or differently shaped
/// <c>{Name}Gradient</c>/<c>{Name}Derivative</c> keep it from being driven gets no gradient or derivative driver; calling
/// it then fails with the reason and the generated code. Its primal can still be called.
/// </para>
/// <para>
/// The whole program fails (every call throws) when the test source itself does not compile, when the generator
/// throws, or when it reports a diagnostic outside every [Differentiable] method.
/// </para>
/// </remarks>
public sealed class ArrayDriverProgram
{
    private readonly Dictionary<ArrayMethod, int> _indexes;
    private readonly Dictionary<ArrayMethod, string> _gradientProblems;
    private readonly Dictionary<ArrayMethod, string> _derivativeProblems;
    private readonly GeneratorRun _run;
    private readonly ImmutableArray<(SyntaxTree Tree, ImmutableArray<Diagnostic> Errors)> _dropped;
    private readonly Type _drivers;

    private ArrayDriverProgram(
        GeneratorRun run,
        Assembly assembly,
        ImmutableArray<ArrayMethod> methods,
        Dictionary<ArrayMethod, int> indexes,
        Dictionary<ArrayMethod, string> gradientProblems,
        Dictionary<ArrayMethod, string> derivativeProblems,
        ImmutableArray<(SyntaxTree Tree, ImmutableArray<Diagnostic> Errors)> dropped,
        string driverSource)
    {
        _run = run;
        Assembly = assembly;
        Methods = methods;
        _indexes = indexes;
        _gradientProblems = gradientProblems;
        _derivativeProblems = derivativeProblems;
        _dropped = dropped;
        DriverSource = driverSource;
        _drivers = assembly.GetType(ArrayDriverSource.MetadataName, throwOnError: true)!;
    }

    /// <summary>The loaded assembly: the test source, the generated code that compiles, and the drivers.</summary>
    public Assembly Assembly { get; }

    /// <summary>Every [Differentiable] method of the test source.</summary>
    public ImmutableArray<ArrayMethod> Methods { get; }

    /// <summary>The driver class's source.</summary>
    public string DriverSource { get; }

    /// <summary>Generates, compiles and loads <paramref name="source"/> with its drivers.</summary>
    /// <exception cref="InvalidOperationException">The source does not compile, the generator threw or reported a diagnostic outside every method, or the drivers do not compile.</exception>
    public static ArrayDriverProgram Build(string source, LanguageVersion languageVersion)
    {
        GeneratorRun run = GeneratorHarness.Run(source, languageVersion);
        SyntaxTree userTree = run.InputCompilation.SyntaxTrees.Single();

        Exception? generatorException = run.RunResult.Results.Single().Exception;
        if (generatorException is not null)
        {
            throw new InvalidOperationException("The generator threw." + Environment.NewLine + GeneratorHarness.Describe(run));
        }
        Diagnostic[] sourceErrors = run.InputCompilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (sourceErrors.Length > 0)
        {
            throw new InvalidOperationException(
                "The test source does not compile by itself:" + Environment.NewLine + string.Join(Environment.NewLine, sourceErrors.Select(d => "  " + d)));
        }

        ImmutableArray<ArrayMethod> methods = FindMethods(run.InputCompilation, userTree);
        Diagnostic[] stray = run.GeneratorDiagnostics.Where(d => !methods.Any(m => Contains(m.Location, d.Location))).ToArray();
        if (stray.Length > 0)
        {
            throw new InvalidOperationException(
                "The generator reported diagnostics outside every [Differentiable] method:" + Environment.NewLine +
                string.Join(Environment.NewLine, stray.Select(d => "  " + d)) + Environment.NewLine + GeneratorHarness.Describe(run));
        }

        (Compilation compilation, ImmutableArray<(SyntaxTree, ImmutableArray<Diagnostic>)> dropped) = DropGeneratedFilesThatDoNotCompile(run.OutputCompilation, userTree, run);

        var indexes = new Dictionary<ArrayMethod, int>();
        var gradientProblems = new Dictionary<ArrayMethod, string>();
        var derivativeProblems = new Dictionary<ArrayMethod, string>();
        var entries = new List<ArrayDriverSource.Entry>();
        for (int k = 0; k < methods.Length; k++)
        {
            ArrayMethod method = methods[k];
            indexes[method] = k;
            Diagnostic[] diagnostics = run.GeneratorDiagnostics.Where(d => Contains(method.Location, d.Location)).ToArray();
            string? reported = diagnostics.Length > 0 ? $"the generator reported {diagnostics.Length} diagnostic(s) on the method (listed below)." : null;
            string? gradientProblem = method.Unsupported
                ?? reported
                ?? SignatureProblem(compilation, method, "Gradient", method.ExpectedGradientParameters);
            string? derivativeProblem = method.Unsupported
                ?? reported
                ?? SignatureProblem(compilation, method, "Derivative", method.ExpectedDerivativeParameters);
            if (gradientProblem is not null)
            {
                gradientProblems[method] = gradientProblem;
            }
            if (derivativeProblem is not null)
            {
                derivativeProblems[method] = derivativeProblem;
            }
            entries.Add(new ArrayDriverSource.Entry(k, method, gradientProblem is null, derivativeProblem is null));
        }

        string driverSource = ArrayDriverSource.Write(entries);
        SyntaxTree driverTree = CSharpSyntaxTree.ParseText(driverSource, (CSharpParseOptions)userTree.Options, path: "ArrayDrivers.cs", encoding: Encoding.UTF8);
        compilation = compilation.AddSyntaxTrees(driverTree);

        using var peStream = new MemoryStream();
        using var pdbStream = new MemoryStream();
        EmitResult emit = compilation.Emit(peStream, pdbStream, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
        if (!emit.Success)
        {
            string errors = string.Join(Environment.NewLine, emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => "  " + d));
            throw new InvalidOperationException(
                $"The program with its array drivers does not compile:{Environment.NewLine}{errors}{Environment.NewLine}" +
                $"----- ArrayDrivers.cs -----{Environment.NewLine}{Numbered(driverSource)}{GeneratorHarness.Describe(run)}");
        }

        peStream.Position = 0;
        pdbStream.Position = 0;
        var context = new AssemblyLoadContext("Backprop.Symbolic.Generators.Tests.ArrayDrivers." + Guid.NewGuid().ToString("N"), isCollectible: true);
        Assembly assembly = context.LoadFromStream(peStream, pdbStream);
        return new ArrayDriverProgram(run, assembly, methods, indexes, gradientProblems, derivativeProblems, dropped, driverSource);
    }

    /// <summary>The [Differentiable] method <paramref name="name"/> of the type <paramref name="typeMetadataName"/>.</summary>
    public ArrayMethod Method(string typeMetadataName, string name)
    {
        ArrayMethod[] matches = Methods.Where(m => m.TypeMetadataName == typeMetadataName && m.Name == name).ToArray();
        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new ArgumentException(
                $"The test source has no [Differentiable] method {typeMetadataName}.{name}. It has: " +
                string.Join(", ", Methods.Select(m => m.TypeMetadataName + "." + m.Name))),
            _ => throw new ArgumentException($"The test source has {matches.Length} [Differentiable] methods {typeMetadataName}.{name}; ArrayInvoke needs the name to be unique."),
        };
    }

    /// <summary>The driver method <paramref name="driverName"/>(index) for <paramref name="method"/>, or an exception saying why there is none.</summary>
    public MethodInfo Driver(ArrayMethod method, string kind)
    {
        if (method.Unsupported is not null)
        {
            throw new InvalidOperationException($"{method.TypeMetadataName}.{method.Name}: {method.Unsupported}");
        }
        int index = _indexes[method];
        string? problem = kind switch
        {
            "Gradient" or "GradientAllocations" => _gradientProblems.GetValueOrDefault(method),
            "Derivative" or "DerivativeAllocations" => _derivativeProblems.GetValueOrDefault(method),
            _ => null,
        };
        if (problem is not null)
        {
            string twin = kind.StartsWith("Gradient", StringComparison.Ordinal) ? "Gradient" : "Derivative";
            throw new InvalidOperationException(
                $"{method.TypeMetadataName}.{method.Name}{twin} cannot be called: {problem}{Environment.NewLine}{Describe(method)}");
        }
        return _drivers.GetMethod(kind + "_" + index, BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"The driver class has no {kind}_{index}.");
    }

    /// <summary>
    /// The generator's account of <paramref name="method"/>: its diagnostics, the generated file(s) named for it with line
    /// numbers, and the compile errors of every generated file that was dropped.
    /// </summary>
    public string Describe(ArrayMethod method)
    {
        var text = new StringBuilder();
        text.AppendLine($"[Differentiable] {method.TypeMetadataName}: {method.Signature}");
        Diagnostic[] diagnostics = _run.GeneratorDiagnostics.Where(d => Contains(method.Location, d.Location)).ToArray();
        text.AppendLine($"Generator diagnostics in the method ({diagnostics.Length}):");
        foreach (Diagnostic d in diagnostics)
        {
            text.AppendLine("  " + d);
        }
        foreach ((SyntaxTree tree, ImmutableArray<Diagnostic> errors) in _dropped)
        {
            text.AppendLine($"Dropped generated file {Path.GetFileName(tree.FilePath)}, which does not compile:");
            foreach (Diagnostic d in errors)
            {
                text.AppendLine("  " + d);
            }
        }
        string suffix = "." + method.Name + ".g.cs";
        string simpleType = method.TypeMetadataName.Split('.', '+').Last();
        foreach (GeneratedSourceResult generated in _run.GeneratedSources.Where(s => s.HintName.EndsWith(suffix, StringComparison.Ordinal) && s.HintName.Contains(simpleType, StringComparison.Ordinal)))
        {
            text.AppendLine($"----- {generated.HintName} -----");
            text.Append(Numbered(generated.SourceText.ToString()));
        }
        text.AppendLine($"All generated files: {string.Join(", ", _run.GeneratedSources.Select(s => s.HintName))}");
        return text.ToString();
    }

    private static ImmutableArray<ArrayMethod> FindMethods(Compilation compilation, SyntaxTree tree)
    {
        SemanticModel model = compilation.GetSemanticModel(tree);
        var methods = ImmutableArray.CreateBuilder<ArrayMethod>();
        foreach (MethodDeclarationSyntax declaration in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
        {
            if (model.GetDeclaredSymbol(declaration) is IMethodSymbol symbol && ArrayMethod.IsDifferentiable(symbol))
            {
                methods.Add(ArrayMethod.FromSymbol(symbol));
            }
        }
        return methods.ToImmutable();
    }

    /// <summary>
    /// Removes, until the compilation has no errors, every generated file with errors (a file that calls a removed
    /// file's method then fails and goes in the next round).
    /// </summary>
    private static (Compilation, ImmutableArray<(SyntaxTree, ImmutableArray<Diagnostic>)>) DropGeneratedFilesThatDoNotCompile(
        Compilation compilation, SyntaxTree userTree, GeneratorRun run)
    {
        var dropped = ImmutableArray.CreateBuilder<(SyntaxTree, ImmutableArray<Diagnostic>)>();
        while (true)
        {
            Diagnostic[] errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            if (errors.Length == 0)
            {
                return (compilation, dropped.ToImmutable());
            }
            var generatedWithErrors = errors
                .Where(d => d.Location.SourceTree is { } t && t != userTree)
                .GroupBy(d => d.Location.SourceTree!)
                .ToArray();
            if (generatedWithErrors.Length == 0)
            {
                throw new InvalidOperationException(
                    "With the generated code added, the test source does not compile:" + Environment.NewLine +
                    string.Join(Environment.NewLine, errors.Select(d => "  " + d)) + Environment.NewLine + GeneratorHarness.Describe(run));
            }
            foreach (IGrouping<SyntaxTree, Diagnostic> group in generatedWithErrors)
            {
                dropped.Add((group.Key, group.ToImmutableArray()));
                compilation = compilation.RemoveSyntaxTrees(group.Key);
            }
        }
    }

    /// <summary>Null when the type has a method <c>{Name}{suffix}</c> with exactly the documented parameters; else what is wrong.</summary>
    private static string? SignatureProblem(
        Compilation compilation, ArrayMethod method, string suffix, ImmutableArray<(string Type, RefKind RefKind, string Name)> expected)
    {
        string name = method.Name + suffix;
        INamedTypeSymbol? type = compilation.GetTypeByMetadataName(method.TypeMetadataName);
        IMethodSymbol[] candidates = type?.GetMembers(name).OfType<IMethodSymbol>().ToArray() ?? Array.Empty<IMethodSymbol>();
        string wanted = $"{method.ReturnTypeName} {name}({string.Join(", ", expected.Select(Format))})";
        if (candidates.Length == 0)
        {
            return $"{name} was not generated (or its file did not compile). Expected: {wanted}";
        }
        foreach (IMethodSymbol candidate in candidates)
        {
            bool same = candidate.IsStatic
                && candidate.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == method.ReturnTypeName
                && candidate.Parameters.Length == expected.Length
                && candidate.Parameters.Select(p => (p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), p.RefKind, p.Name)).SequenceEqual(expected);
            if (same)
            {
                return null;
            }
        }
        return $"{name} does not have the documented signature.{Environment.NewLine}  expected: {wanted}{Environment.NewLine}" +
            string.Join(Environment.NewLine, candidates.Select(c =>
                $"  generated: {c.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)} {name}(" +
                string.Join(", ", c.Parameters.Select(p => Format((p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), p.RefKind, p.Name)))) + ")"));
    }

    private static string Format((string Type, RefKind RefKind, string Name) p) =>
        (p.RefKind switch { RefKind.Out => "out ", RefKind.Ref => "ref ", RefKind.In => "in ", _ => "" }) + p.Type + " " + p.Name;

    private static bool Contains(Location outer, Location inner) =>
        outer.IsInSource && inner.IsInSource && outer.SourceTree == inner.SourceTree && outer.SourceSpan.Contains(inner.SourceSpan);

    private static string Numbered(string source)
    {
        var text = new StringBuilder();
        string[] lines = source.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            text.AppendLine($"{i + 1,4}: {lines[i]}");
        }
        return text.ToString();
    }
}
