namespace Backprop.Symbolic.Data;

/// <summary>How <see cref="CsvLoader"/> reads a file: separator, lines to skip, header, label column, class count.</summary>
/// <remarks>
/// The defaults read a headerless, comma-separated file of numbers whose last column is the label, like the
/// UCI digits file <c>samples/data/digits.csv.gz</c>.
/// </remarks>
public sealed record CsvOptions
{
    /// <summary>The field separator; a comma by default.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>
    /// Lines to skip at the start of the file before anything is read (before the header, if any). The iris file
    /// <c>samples/data/iris.csv</c> needs 1: its first line holds counts and class names, not data.
    /// </summary>
    public int SkipLines { get; init; }

    /// <summary>Whether the first line read (after <see cref="SkipLines"/>) names the columns.</summary>
    public bool HasHeader { get; init; }

    /// <summary>
    /// The 0-based index of the label column; negative counts from the end (−1, the default, is the last column).
    /// Ignored when <see cref="LabelColumnName"/> is set.
    /// </summary>
    public int LabelColumn { get; init; } = -1;

    /// <summary>The label column's name in the header (needs <see cref="HasHeader"/>); compared ordinally.</summary>
    public string? LabelColumnName { get; init; }

    /// <summary>The number of classes; 0 (the default) takes the largest label plus one.</summary>
    public int ClassCount { get; init; }

    /// <summary>The defaults: comma-separated, no header, label in the last column.</summary>
    public static CsvOptions Default { get; } = new();
}
