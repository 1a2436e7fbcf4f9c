using System;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// A test source with one span marked as <c>[|...|]</c>: the markers are removed and the span they enclosed is kept,
/// so a test can state where a diagnostic must be reported without counting columns.
/// </summary>
public sealed record MarkedSource(string Source, TextSpan Span)
{
    private const string Open = "[|";
    private const string Close = "|]";

    /// <summary>Removes the one <c>[|...|]</c> marker from <paramref name="marked"/>.</summary>
    /// <exception cref="ArgumentException">There is not exactly one well-formed marker.</exception>
    public static MarkedSource Parse(string marked)
    {
        int open = marked.IndexOf(Open, StringComparison.Ordinal);
        int close = marked.IndexOf(Close, StringComparison.Ordinal);
        if (open < 0 || close < open
            || marked.IndexOf(Open, open + Open.Length, StringComparison.Ordinal) >= 0
            || marked.IndexOf(Close, close + Close.Length, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException("The test source must contain exactly one [|...|] marker.", nameof(marked));
        }

        string source = marked.Remove(close, Close.Length).Remove(open, Open.Length);
        return new MarkedSource(source, TextSpan.FromBounds(open, close - Open.Length));
    }
}
