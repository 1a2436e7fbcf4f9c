using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace Backprop.Symbolic.Packaging.Tests;

/// <summary>
/// Packs src/Backprop.Symbolic once per test run, with a version no other run uses, into a temporary
/// feed folder. The build goes to a temporary artifacts folder, leaving the repository's bin/ and obj/ alone.
/// </summary>
public sealed class PackedPackage : IDisposable
{
    public const string PackageId = "Backprop.Symbolic";

    public PackedPackage()
    {
        Root = Path.Combine(Path.GetTempPath(), "bps-packaging-" + Guid.NewGuid().ToString("N")[..12]);
        FeedDirectory = Path.Combine(Root, "feed");
        Directory.CreateDirectory(FeedDirectory);
        Version = $"0.0.1-pkgtest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

        string project = Path.Combine(RepositoryRoot.Path, "src", "Backprop.Symbolic", "Backprop.Symbolic.csproj");
        PackResult = DotnetCli.Run(RepositoryRoot.Path,
        [
            "pack", project,
            "-c", "Release",
            "-o", FeedDirectory,
            "--artifacts-path", Path.Combine(Root, "artifacts"),
            "-p:Version=" + Version,
            "-p:UseSharedCompilation=false",
            "-nodeReuse:false",
        ]);

        PackagePath = Path.Combine(FeedDirectory, $"{PackageId}.{Version}.nupkg");
        if (PackResult.ExitCode == 0 && File.Exists(PackagePath))
        {
            using var zip = ZipFile.OpenRead(PackagePath);
            Entries = zip.Entries.Select(e => e.FullName).ToArray();
            var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase));
            using var reader = new StreamReader(nuspec.Open());
            Nuspec = reader.ReadToEnd();
        }
    }

    /// <summary>The temporary folder holding the feed, the build artifacts and any consumer project.</summary>
    public string Root { get; }

    public string FeedDirectory { get; }

    public string Version { get; }

    public string PackagePath { get; }

    public ProcessResult PackResult { get; }

    /// <summary>The package's entry names (forward slashes); empty if packing failed.</summary>
    public IReadOnlyList<string> Entries { get; } = Array.Empty<string>();

    public string Nuspec { get; } = "";

    /// <summary>Fails the calling test, with the pack output, unless packing produced the package.</summary>
    public void AssertPacked()
    {
        Assert.True(PackResult.ExitCode == 0, "dotnet pack failed." + Environment.NewLine + PackResult.Describe());
        Assert.True(File.Exists(PackagePath),
            $"dotnet pack succeeded but '{PackagePath}' is missing; the feed holds: " +
            string.Join(", ", Directory.GetFiles(FeedDirectory).Select(Path.GetFileName)) + Environment.NewLine + PackResult.Describe());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PackedPackageCollection : ICollectionFixture<PackedPackage>
{
    public const string Name = "Packed package";
}
