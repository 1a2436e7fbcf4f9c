using System;
using System.IO;

namespace Backprop.Symbolic.Packaging.Tests;

/// <summary>Finds the repository's root: the nearest folder above the test binaries holding the solution file.</summary>
internal static class RepositoryRoot
{
    public const string SolutionFileName = "Backprop.Symbolic.sln";

    public static string Path { get; } = Locate();

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, SolutionFileName)))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException(
            $"No folder above '{AppContext.BaseDirectory}' contains {SolutionFileName}; run the tests from a build inside the repository.");
    }
}
