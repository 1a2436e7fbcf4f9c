using System;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace Backprop.Symbolic.Packaging.Tests;

[Collection(PackedPackageCollection.Name)]
public sealed class PackageContentsTests
{
    private readonly PackedPackage _package;

    public PackageContentsTests(PackedPackage package)
    {
        _package = package;
        _package.AssertPacked();
    }

    private string Listing => "Package entries:" + Environment.NewLine + string.Join(Environment.NewLine, _package.Entries);

    [Fact]
    public void Runtime_library_is_under_lib_net10()
    {
        Assert.True(_package.Entries.Contains("lib/net10.0/Backprop.Symbolic.dll"), Listing);
    }

    [Fact]
    public void Generator_is_an_analyzer_for_csharp()
    {
        Assert.True(_package.Entries.Contains("analyzers/dotnet/cs/Backprop.Symbolic.Generators.dll"), Listing);
    }

    [Fact]
    public void Generator_is_not_a_library_reference()
    {
        var misplaced = _package.Entries
            .Where(e => e.Contains("Backprop.Symbolic.Generators", StringComparison.OrdinalIgnoreCase)
                        && !e.StartsWith("analyzers/dotnet/cs/", StringComparison.Ordinal))
            .ToArray();
        Assert.True(misplaced.Length == 0, "Generator files outside analyzers/dotnet/cs: " + string.Join(", ", misplaced) + Environment.NewLine + Listing);
        Assert.DoesNotContain(_package.Entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generators", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Compiler_assemblies_are_not_shipped()
    {
        Assert.DoesNotContain(_package.Entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Nuspec_has_the_packed_identity_and_no_compiler_or_generator_dependency()
    {
        var doc = XDocument.Parse(_package.Nuspec);
        XNamespace ns = doc.Root!.Name.Namespace;
        var metadata = doc.Root.Element(ns + "metadata")!;
        Assert.Equal(PackedPackage.PackageId, metadata.Element(ns + "id")?.Value);
        Assert.Equal(_package.Version, metadata.Element(ns + "version")?.Value);

        var dependencies = doc.Descendants(ns + "dependency").Select(d => (string?)d.Attribute("id") ?? "").ToArray();
        Assert.DoesNotContain(dependencies, id => id.StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(dependencies, id => id.Equals("Backprop.Symbolic.Generators", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(dependencies, id => id.Equals("PolySharp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("Microsoft.CodeAnalysis", _package.Nuspec, StringComparison.OrdinalIgnoreCase);
    }
}
