using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// The outcome of running <see cref="DifferentiableGenerator"/> once over a compilation.
/// </summary>
/// <param name="InputCompilation">The user's compilation, before generation.</param>
/// <param name="OutputCompilation">The user's compilation with the generated sources added.</param>
/// <param name="GeneratorDiagnostics">The diagnostics the generator reported (plus the driver's own, such as CS8785 when the generator throws).</param>
/// <param name="GeneratedSources">The generated files, in the order the generator added them.</param>
/// <param name="RunResult">The driver's full result, with the tracked incremental steps.</param>
public sealed record GeneratorRun(
    CSharpCompilation InputCompilation,
    Compilation OutputCompilation,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<GeneratedSourceResult> GeneratedSources,
    GeneratorDriverRunResult RunResult)
{
    // Keyed by the compilation, so a copy made with `with { OutputCompilation = ... }` never sees stale errors.
    private static readonly ConditionalWeakTable<Compilation, StrongBox<ImmutableArray<Diagnostic>>> ErrorsByCompilation = new();

    /// <summary>
    /// The source text of the one generated file whose hint name ends with <paramref name="hintNameSuffix"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No generated file, or more than one, matches; the message lists the hint names.</exception>
    public string GeneratedSource(string hintNameSuffix)
    {
        var matches = GeneratedSources.Where(s => s.HintName.EndsWith(hintNameSuffix, StringComparison.Ordinal)).ToList();
        if (matches.Count == 1)
        {
            return matches[0].SourceText.ToString();
        }
        string names = GeneratedSources.IsEmpty
            ? "(none)"
            : string.Join(Environment.NewLine, GeneratedSources.Select(s => "  " + s.HintName));
        throw new InvalidOperationException(
            $"Expected exactly one generated file whose hint name ends with '{hintNameSuffix}' but found {matches.Count}. " +
            $"Generated hint names:{Environment.NewLine}{names}{Environment.NewLine}{GeneratorHarness.Describe(this)}");
    }

    /// <summary>The errors of <see cref="OutputCompilation"/>: compile errors in the user's code and in the generated code.</summary>
    public ImmutableArray<Diagnostic> CompilationErrors =>
        ErrorsByCompilation.GetValue(
            OutputCompilation,
            static compilation => new StrongBox<ImmutableArray<Diagnostic>>(
                compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray())).Value;
}

/// <summary>
/// Runs the generator in memory over a source text, and compiles and loads the result.
/// </summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>
    /// A library compilation of <paramref name="source"/> (unsafe allowed, nullable enabled) that references every
    /// assembly of the running platform and Backprop.Symbolic.dll.
    /// </summary>
    public static CSharpCompilation CreateCompilation(
        string source,
        LanguageVersion languageVersion = LanguageVersion.CSharp12,
        string assemblyName = "UserCode")
    {
        var parseOptions = new CSharpParseOptions(languageVersion);
        var tree = CSharpSyntaxTree.ParseText(source, parseOptions, path: "UserCode.cs", encoding: Encoding.UTF8);
        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            allowUnsafe: true,
            nullableContextOptions: NullableContextOptions.Enable);
        return CSharpCompilation.Create(assemblyName, new[] { tree }, References.Value, options);
    }

    /// <summary>
    /// Runs <see cref="DifferentiableGenerator"/> over a compilation of <paramref name="source"/>, tracking the
    /// incremental steps.
    /// </summary>
    public static GeneratorRun Run(string source, LanguageVersion languageVersion = LanguageVersion.CSharp12)
    {
        CSharpCompilation input = CreateCompilation(source, languageVersion);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            generators: new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: (CSharpParseOptions)input.SyntaxTrees[0].Options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        GeneratorDriverRunResult runResult = driver.GetRunResult();
        GeneratorRunResult generatorResult = runResult.Results.Single();

        // The driver's diagnostics are the generator's own plus the driver's (CS8785 when the generator throws).
        var diagnostics = driverDiagnostics.Concat(generatorResult.Diagnostics).Distinct().ToImmutableArray();
        return new GeneratorRun(input, output, diagnostics, generatorResult.GeneratedSources, runResult);
    }

    /// <summary>
    /// Runs the generator, compiles the result into memory and loads it into a collectible load context.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The generator reported a diagnostic or threw, or the output does not compile; the message lists the
    /// diagnostics and every generated source.
    /// </exception>
    public static Assembly CompileAndLoad(string source, LanguageVersion languageVersion = LanguageVersion.CSharp12)
    {
        GeneratorRun run = Run(source, languageVersion);
        Exception? generatorException = run.RunResult.Results.Single().Exception;
        if (!run.GeneratorDiagnostics.IsEmpty || !run.CompilationErrors.IsEmpty || generatorException is not null)
        {
            throw new InvalidOperationException("The source did not generate and compile cleanly." + Environment.NewLine + Describe(run));
        }

        using var peStream = new MemoryStream();
        using var pdbStream = new MemoryStream();
        EmitResult emit = run.OutputCompilation.Emit(
            peStream,
            pdbStream,
            options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
        if (!emit.Success)
        {
            string errors = string.Join(Environment.NewLine, emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => "  " + d));
            throw new InvalidOperationException($"Emit failed:{Environment.NewLine}{errors}{Environment.NewLine}{Describe(run)}");
        }

        peStream.Position = 0;
        pdbStream.Position = 0;
        var context = new AssemblyLoadContext("Backprop.Symbolic.Generators.Tests." + Guid.NewGuid().ToString("N"), isCollectible: true);
        return context.LoadFromStream(peStream, pdbStream);
    }

    /// <summary>A readable account of a run: the generator's diagnostics, the compile errors and every generated source.</summary>
    internal static string Describe(GeneratorRun run)
    {
        var text = new StringBuilder();
        Exception? exception = run.RunResult.Results.Single().Exception;
        if (exception is not null)
        {
            text.AppendLine("The generator threw:").AppendLine(exception.ToString());
        }

        text.AppendLine($"Generator diagnostics ({run.GeneratorDiagnostics.Length}):");
        foreach (Diagnostic diagnostic in run.GeneratorDiagnostics)
        {
            text.AppendLine("  " + diagnostic);
        }

        text.AppendLine($"Compile errors ({run.CompilationErrors.Length}):");
        foreach (Diagnostic diagnostic in run.CompilationErrors)
        {
            text.AppendLine("  " + diagnostic);
        }

        text.AppendLine($"Generated sources ({run.GeneratedSources.Length}):");
        foreach (GeneratedSourceResult generated in run.GeneratedSources)
        {
            text.AppendLine($"----- {generated.HintName} -----");
            string[] lines = generated.SourceText.ToString().Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                text.AppendLine($"{i + 1,4}: {lines[i]}");
            }
        }
        return text.ToString();
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = new List<string>();
        var fileNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("The runtime reports no TRUSTED_PLATFORM_ASSEMBLIES.");
        foreach (string path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (fileNames.Add(Path.GetFileName(path)))
            {
                paths.Add(path);
            }
        }

        string runtimeLibrary = typeof(DifferentiableAttribute).Assembly.Location;
        if (fileNames.Add(Path.GetFileName(runtimeLibrary)))
        {
            paths.Add(runtimeLibrary);
        }

        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}
