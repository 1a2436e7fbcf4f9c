using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Symbolic.Packaging.Tests;

/// <summary>
/// Builds and runs a console project that knows the library only as a NuGet package from a local folder
/// feed: the generator must load from analyzers/dotnet/cs and write <c>FGradient</c> for it.
/// </summary>
[Collection(PackedPackageCollection.Name)]
public sealed class ConsumerProjectTests
{
    private const string NuGetOrg = "https://api.nuget.org/v3/index.json";

    // f(x, y) = x²y + sin x at (2, 3): f = 12 + sin 2, ∂f/∂x = 2xy + cos x = 12 + cos 2, ∂f/∂y = x² = 4.
    private const string ProgramSource = """
        using System;
        using System.Globalization;
        using Backprop.Symbolic;

        namespace PackageConsumer;

        public static partial class Functions
        {
            [Differentiable]
            public static double F(double x, double y)
            {
                double s = x * y;
                return s * x + Math.Sin(x);
            }
        }

        public static class Program
        {
            public static int Main()
            {
                double value = Functions.FGradient(2.0, 3.0, out double dX, out double dY);
                Console.WriteLine("value=" + value.ToString("R", CultureInfo.InvariantCulture));
                Console.WriteLine("dX=" + dX.ToString("R", CultureInfo.InvariantCulture));
                Console.WriteLine("dY=" + dY.ToString("R", CultureInfo.InvariantCulture));
                return 0;
            }
        }
        """;

    private readonly PackedPackage _package;

    public ConsumerProjectTests(PackedPackage package)
    {
        _package = package;
        _package.AssertPacked();
    }

    [Fact]
    public void Consumer_of_the_package_gets_a_working_generated_gradient()
    {
        string consumer = Path.Combine(_package.Root, "consumer-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(consumer);
        WriteConsumerProject(consumer);

        // A fresh package cache: a stale copy of the package can never stand in for the one just packed.
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(_package.Root, "nuget-packages"),
        };

        var build = DotnetCli.Run(consumer, ["build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false"], environment);
        Assert.True(build.ExitCode == 0, "The consumer project did not build against the package." + Environment.NewLine + build.Describe());
        string buildLog = build.StandardOutput + build.StandardError;
        // CS8032: an analyzer could not be loaded; CS9057: the generator needs a newer compiler.
        Assert.False(buildLog.Contains("CS8032", StringComparison.Ordinal) || buildLog.Contains("CS9057", StringComparison.Ordinal),
            "The generator did not load in the consumer's compiler." + Environment.NewLine + build.Describe());

        string restored = Path.Combine(_package.Root, "nuget-packages", "backprop.symbolic", _package.Version.ToLowerInvariant());
        Assert.True(Directory.Exists(restored), $"The package was not restored from the local feed into '{restored}'." + Environment.NewLine + build.Describe());

        var run = DotnetCli.Run(consumer, ["run", "-c", "Release", "--no-build"], environment);
        Assert.True(run.ExitCode == 0, "The consumer program failed." + Environment.NewLine + run.Describe());

        var printed = ParseValues(run.StandardOutput);
        AssertClose(12.0 + Math.Sin(2.0), printed, "value", run);
        AssertClose(12.0 + Math.Cos(2.0), printed, "dX", run);
        AssertClose(4.0, printed, "dY", run);
    }

    private void WriteConsumerProject(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "PackageConsumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{PackedPackage.PackageId}" Version="[{_package.Version}]" />
              </ItemGroup>
            </Project>
            """);

        // Only the local feed may serve the package under test; everything else comes from the registry.
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{_package.FeedDirectory}" />
                <add key="nuget.org" value="{NuGetOrg}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local">
                  <package pattern="{PackedPackage.PackageId}" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);

        File.WriteAllText(Path.Combine(directory, "Program.cs"), ProgramSource);
    }

    private static Dictionary<string, double> ParseValues(string output)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n').Select(l => l.Trim()))
        {
            int eq = line.IndexOf('=');
            if (eq > 0 && double.TryParse(line[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                values[line[..eq]] = v;
            }
        }
        return values;
    }

    private static void AssertClose(double expected, Dictionary<string, double> printed, string name, ProcessResult run)
    {
        Assert.True(printed.TryGetValue(name, out double actual), $"The consumer printed no '{name}=' line." + Environment.NewLine + run.Describe());
        Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Max(1.0, Math.Abs(expected)),
            $"{name}: expected {expected:R}, printed {actual:R}." + Environment.NewLine + run.Describe());
    }
}
