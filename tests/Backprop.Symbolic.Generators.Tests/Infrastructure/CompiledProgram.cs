using System;
using System.Reflection;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// A test source that is generated, compiled and loaded once, on first use, and shared by the tests of a class
/// (each compilation costs time, so a class puts many methods in one source).
/// </summary>
public sealed class CompiledProgram
{
    private readonly Lazy<Assembly> _assembly;

    public CompiledProgram(string source, LanguageVersion languageVersion = LanguageVersion.CSharp12)
    {
        Source = source;
        LanguageVersion = languageVersion;
        _assembly = new Lazy<Assembly>(() => GeneratorHarness.CompileAndLoad(source, languageVersion));
    }

    public string Source { get; }

    public LanguageVersion LanguageVersion { get; }

    /// <summary>The loaded assembly; throws (every time) with the diagnostics and generated sources if the source does not generate and compile cleanly.</summary>
    public Assembly Assembly => _assembly.Value;

    /// <summary>The type with the given metadata name (<c>Ns.Outer+Inner</c>, <c>Ns.Generic`1</c>).</summary>
    public Type Type(string metadataName) =>
        Assembly.GetType(metadataName, throwOnError: false)
        ?? throw new ArgumentException($"The compiled test source has no type '{metadataName}'. Types: {string.Join(", ", Array.ConvertAll(Assembly.GetTypes(), t => t.FullName))}");

    /// <summary>The generator's output for this source, with line numbers, for failure messages.</summary>
    public string DescribeGeneratedCode() => GeneratorHarness.Describe(GeneratorHarness.Run(Source, LanguageVersion));
}
