using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit.Sdk;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// Snapshot assertions with Verify's conventions: the approved text lives in
/// <c>Snapshots/{name}.verified.cs</c> next to the calling test file. On a mismatch, or when no verified file
/// exists, the actual text is written to <c>Snapshots/{name}.received.cs</c> and the assertion fails; a
/// snapshot is never accepted automatically. To accept, review the received file and rename it to
/// <c>.verified.cs</c> (tests/accept-snapshots.sh renames them all).
/// </summary>
public static class SnapshotAssert
{
    private const int DiffContextLines = 3;
    private const int MaxDiffLines = 12;

    /// <summary>Asserts that <paramref name="actual"/> equals the verified snapshot <paramref name="name"/>, line endings aside.</summary>
    public static void Matches(string actual, string name, [CallerFilePath] string callerFile = "")
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"'{name}' is not usable as a snapshot file name.", nameof(name));
        }
        string directory = Path.Combine(
            Path.GetDirectoryName(callerFile) ?? throw new ArgumentException("The caller's file path is unknown.", nameof(callerFile)),
            "Snapshots");
        string verifiedPath = Path.Combine(directory, name + ".verified.cs");
        string receivedPath = Path.Combine(directory, name + ".received.cs");
        string normalizedActual = Normalize(actual);

        if (!File.Exists(verifiedPath))
        {
            WriteReceived(receivedPath, normalizedActual);
            throw new XunitException(
                $"No verified snapshot '{verifiedPath}'. The actual text was written to '{receivedPath}'." + Environment.NewLine +
                HowToAccept(receivedPath, verifiedPath));
        }

        string verified = Normalize(File.ReadAllText(verifiedPath));
        if (verified == normalizedActual)
        {
            if (File.Exists(receivedPath))
            {
                File.Delete(receivedPath);
            }
            return;
        }

        WriteReceived(receivedPath, normalizedActual);
        throw new XunitException(
            $"The text differs from the verified snapshot '{verifiedPath}'. The actual text was written to '{receivedPath}'." + Environment.NewLine +
            Diff(verified, normalizedActual) +
            HowToAccept(receivedPath, verifiedPath));
    }

    /// <summary>Line endings become <c>\n</c>, so snapshots compare equal on every platform.</summary>
    public static string Normalize(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

    /// <summary>The first differing line of two texts with a few lines of context, as "-" (verified) and "+" (received) lines.</summary>
    public static string Diff(string verified, string received)
    {
        string[] expectedLines = verified.Split('\n');
        string[] actualLines = received.Split('\n');
        int first = 0;
        while (first < expectedLines.Length && first < actualLines.Length && expectedLines[first] == actualLines[first])
        {
            first++;
        }

        var text = new StringBuilder();
        text.AppendLine($"First difference at line {first + 1} (verified has {expectedLines.Length} lines, received has {actualLines.Length}):");
        for (int i = Math.Max(0, first - DiffContextLines); i < first; i++)
        {
            text.AppendLine($"  {i + 1,4}   {expectedLines[i]}");
        }
        for (int i = first; i < Math.Min(expectedLines.Length, first + MaxDiffLines / 2); i++)
        {
            text.AppendLine($"- {i + 1,4}   {expectedLines[i]}");
        }
        for (int i = first; i < Math.Min(actualLines.Length, first + MaxDiffLines / 2); i++)
        {
            text.AppendLine($"+ {i + 1,4}   {actualLines[i]}");
        }
        return text.ToString();
    }

    private static void WriteReceived(string receivedPath, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(receivedPath)!);
        File.WriteAllText(receivedPath, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static string HowToAccept(string receivedPath, string verifiedPath) =>
        $"If the received text is right, accept it by renaming '{Path.GetFileName(receivedPath)}' to '{Path.GetFileName(verifiedPath)}' " +
        "(or run tests/accept-snapshots.sh to accept every received snapshot) after reviewing it.";
}
