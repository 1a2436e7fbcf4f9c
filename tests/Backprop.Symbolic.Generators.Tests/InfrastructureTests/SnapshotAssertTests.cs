using System;
using System.IO;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Sdk;

namespace Backprop.Symbolic.Generators.Tests.InfrastructureTests;

/// <summary>
/// The snapshot helper follows Verify's conventions: a missing or different verified file fails and writes a received
/// file; it never creates a verified file.
/// </summary>
public sealed class SnapshotAssertTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "snapshot-tests-" + Guid.NewGuid().ToString("N"));

    // SnapshotAssert puts snapshots beside the calling file; a test file path in a temporary folder stands in for it.
    private string CallerFile => Path.Combine(_folder, "SomeTests.cs");

    private string Verified(string name) => Path.Combine(_folder, "Snapshots", name + ".verified.cs");

    private string Received(string name) => Path.Combine(_folder, "Snapshots", name + ".received.cs");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Missing_verified_file_fails_and_writes_only_a_received_file()
    {
        var error = Assert.Throws<XunitException>(() => SnapshotAssert.Matches("class A { }\n", "Missing", CallerFile));

        Assert.Contains("No verified snapshot", error.Message);
        Assert.Contains("Missing.received.cs", error.Message);
        Assert.False(File.Exists(Verified("Missing")));
        Assert.Equal("class A { }\n", File.ReadAllText(Received("Missing")));
    }

    [Fact]
    public void Matching_text_passes_whatever_the_line_endings_and_removes_a_stale_received_file()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Verified("Same"))!);
        File.WriteAllText(Verified("Same"), "line one\r\nline two\r\n");
        File.WriteAllText(Received("Same"), "old");

        SnapshotAssert.Matches("line one\nline two\n", "Same", CallerFile);

        Assert.False(File.Exists(Received("Same")));
    }

    [Fact]
    public void Different_text_fails_with_the_first_differing_lines_and_writes_a_received_file()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Verified("Changed"))!);
        File.WriteAllText(Verified("Changed"), "a\nb\nc\nd\n");

        var error = Assert.Throws<XunitException>(() => SnapshotAssert.Matches("a\nb\nX\nd\n", "Changed", CallerFile));

        Assert.Contains("First difference at line 3", error.Message);
        Assert.Contains("-    3   c", error.Message);
        Assert.Contains("+    3   X", error.Message);
        Assert.Contains("renaming", error.Message);
        Assert.Equal("a\nb\nc\nd\n", File.ReadAllText(Verified("Changed")));
        Assert.Equal("a\nb\nX\nd\n", File.ReadAllText(Received("Changed")));
    }
}
