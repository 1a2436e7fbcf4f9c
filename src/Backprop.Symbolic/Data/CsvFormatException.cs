using System;

namespace Backprop.Symbolic.Data;

/// <summary>
/// A CSV file that cannot be read as a dataset: a value that is not a number, a ragged row, an empty file, a
/// missing label column, or a corrupt or truncated gzip stream. The message names the source and, where there is
/// one, the line and the column.
/// </summary>
public sealed class CsvFormatException : FormatException
{
    /// <summary>An error with a message that says what is wrong and where.</summary>
    public CsvFormatException(string message, string source, int line = 0, int column = 0, Exception? innerException = null)
        : base(message, innerException)
    {
        SourceName = source;
        Line = line;
        Column = column;
    }

    /// <summary>The file (or stream name) being read.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line number in the (decompressed) file, counting skipped and header lines; 0 when the problem is not on one line.</summary>
    public int Line { get; }

    /// <summary>The 1-based column (field) number; 0 when the problem is not in one field.</summary>
    public int Column { get; }
}
