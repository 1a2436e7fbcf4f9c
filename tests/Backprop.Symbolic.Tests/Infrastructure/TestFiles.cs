using System;
using System.IO;
using Xunit;

namespace Backprop.Symbolic.Tests.Infrastructure;

/// <summary>Paths for tests: the repository's sample data, and temporary directories that clean up after themselves.</summary>
internal static class TestFiles
{
    /// <summary>The repository's <c>samples/data</c> folder, found by walking up from the test assembly to the solution file.</summary>
    public static string SampleData(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Backprop.Symbolic.sln")))
            {
                string path = Path.Combine(dir.FullName, "samples", "data", fileName);
                Assert.True(File.Exists(path), $"Sample data file {path} is missing.");
                return path;
            }
        }
        throw new InvalidOperationException($"No Backprop.Symbolic.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A fresh temporary directory, deleted with its contents on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bps-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
