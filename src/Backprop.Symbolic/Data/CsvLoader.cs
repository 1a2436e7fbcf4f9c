using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Data;

/// <summary>
/// Reads a numeric CSV file (optionally gzip-compressed) into a <see cref="Dataset"/>: every column but the label
/// column is a float feature, the label column holds class indices 0, 1, 2, ….
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Numbers use the invariant culture (<c>1.5</c>, <c>-2e-3</c>), whatever the machine's culture.</item>
/// <item>Fields are trimmed of spaces; a header name may be enclosed in double quotes. Quoted fields containing the
/// separator are not supported.</item>
/// <item>Blank lines are skipped. NaN, infinities and empty fields are errors (missing values are not supported).</item>
/// <item>Gzip is detected by the <c>.gz</c> extension and by the signature bytes <c>1F 8B</c>; the stream is
/// checked against its trailer, so a truncated or corrupt file is reported instead of read in part.</item>
/// <item>Every problem throws <see cref="CsvFormatException"/> naming the source, the line and the column.</item>
/// </list>
/// </remarks>
public static class CsvLoader
{
    /// <summary>Reads the CSV file at <paramref name="path"/> (gzip if it ends in <c>.gz</c> or starts with the gzip signature).</summary>
    /// <exception cref="CsvFormatException">The file is empty, ragged, holds a value that is not a number, or is corrupt gzip.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static Dataset Load(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(file, path, options);
    }

    /// <summary>
    /// Reads CSV from <paramref name="stream"/>. <paramref name="sourceName"/> names the source in error messages;
    /// gzip is detected by its signature bytes or a name ending in <c>.gz</c>. The stream is not disposed.
    /// </summary>
    /// <exception cref="CsvFormatException">The content is empty, ragged, holds a value that is not a number, or is corrupt gzip.</exception>
    public static Dataset Load(Stream stream, string sourceName, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        options ??= CsvOptions.Default;
        Validate(options);
        Stream content = GzipInput.Open(stream, sourceName);
        try
        {
            using var reader = new StreamReader(content, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
            return Parse(reader, sourceName, options);
        }
        finally
        {
            if (!ReferenceEquals(content, stream))
            {
                content.Dispose();
            }
        }
    }

    private static void Validate(CsvOptions options)
    {
        if (options.SkipLines < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SkipLines, "CsvOptions.SkipLines cannot be negative.");
        }
        if (options.ClassCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ClassCount, "CsvOptions.ClassCount cannot be negative.");
        }
        if (options.LabelColumnName is not null && !options.HasHeader)
        {
            throw new ArgumentException(
                $"CsvOptions.LabelColumnName ('{options.LabelColumnName}') needs a header: set HasHeader = true, or choose the column by LabelColumn.",
                nameof(options));
        }
        if (options.Separator is '\r' or '\n' or '"')
        {
            throw new ArgumentException($"CsvOptions.Separator cannot be a line break or a double quote.", nameof(options));
        }
    }

    private static Dataset Parse(StreamReader reader, string source, CsvOptions options)
    {
        int lineNumber = 0;
        for (int i = 0; i < options.SkipLines; i++)
        {
            if (reader.ReadLine() is null)
            {
                throw new CsvFormatException(
                    $"{source}: the file has only {lineNumber} lines, fewer than the {options.SkipLines} to skip (CsvOptions.SkipLines); it holds no data.",
                    source);
            }
            lineNumber++;
        }

        string[]? header = null;
        int headerLine = 0;
        if (options.HasHeader)
        {
            string? line = NextNonBlankLine(reader, ref lineNumber);
            if (line is null)
            {
                throw new CsvFormatException($"{source}: the file is empty; a header line was expected (CsvOptions.HasHeader).", source);
            }
            header = SplitHeader(line, options.Separator);
            headerLine = lineNumber;
        }

        var features = new List<float>();
        var labels = new List<int>();
        int columns = header?.Length ?? 0;
        int shapeLine = headerLine;
        int labelColumn = -1;
        string? text;
        while ((text = NextNonBlankLine(reader, ref lineNumber)) is not null)
        {
            ReadOnlySpan<char> line = text;
            int fieldCount = CountFields(line, options.Separator);
            if (labelColumn < 0)
            {
                if (columns == 0)
                {
                    columns = fieldCount;
                    shapeLine = lineNumber;
                }
                labelColumn = ResolveLabelColumn(options, header, columns, source, shapeLine);
            }
            if (fieldCount != columns)
            {
                throw new CsvFormatException(
                    $"{source}, line {lineNumber}: the row has {fieldCount} fields but line {shapeLine} ({(header is null ? "the first row" : "the header")}) has {columns}; every row needs the same number of fields.",
                    source, lineNumber);
            }
            int column = 0;
            while (true)
            {
                int end = line.IndexOf(options.Separator);
                ReadOnlySpan<char> field = (end < 0 ? line : line.Slice(0, end)).Trim();
                if (column == labelColumn)
                {
                    labels.Add(ParseLabel(field, options.ClassCount, source, lineNumber, column + 1));
                }
                else
                {
                    features.Add(ParseValue(field, source, lineNumber, column + 1));
                }
                if (end < 0)
                {
                    break;
                }
                line = line.Slice(end + 1);
                column++;
            }
        }

        if (labels.Count == 0)
        {
            throw new CsvFormatException(
                lineNumber == 0
                    ? $"{source}: the file is empty; it holds no data rows."
                    : $"{source}: the file holds no data rows after line {lineNumber}.",
                source);
        }
        int width = columns - 1;
        var tensor = new Tensor(features.ToArray(), 0, TensorShape.Of(labels.Count, width));
        return new Dataset(tensor, labels.ToArray(), options.ClassCount);
    }

    private static string? NextNonBlankLine(StreamReader reader, ref int lineNumber)
    {
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                return line;
            }
        }
        return null;
    }

    private static int CountFields(ReadOnlySpan<char> line, char separator) => line.Count(separator) + 1;

    private static string[] SplitHeader(string line, char separator)
    {
        string[] names = line.Split(separator);
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i].Trim();
            if (name.Length >= 2 && name[0] == '"' && name[^1] == '"')
            {
                name = name.Substring(1, name.Length - 2);
            }
            names[i] = name;
        }
        return names;
    }

    private static int ResolveLabelColumn(CsvOptions options, string[]? header, int columns, string source, int line)
    {
        if (columns < 2)
        {
            throw new CsvFormatException(
                $"{source}, line {line}: the row has {columns} field; a dataset needs at least one feature column and a label column.",
                source, line);
        }
        if (options.LabelColumnName is not null)
        {
            int found = Array.IndexOf(header!, options.LabelColumnName);
            if (found < 0)
            {
                throw new CsvFormatException(
                    $"{source}, line {line}: the header has no column named '{options.LabelColumnName}' (CsvOptions.LabelColumnName); its columns are: {string.Join(", ", header!)}.",
                    source, line);
            }
            return found;
        }
        int index = options.LabelColumn < 0 ? columns + options.LabelColumn : options.LabelColumn;
        if (index < 0 || index >= columns)
        {
            throw new CsvFormatException(
                $"{source}, line {line}: label column {options.LabelColumn} (CsvOptions.LabelColumn) does not exist in rows of {columns} fields; use 0..{columns - 1}, or -1..-{columns} from the end.",
                source, line);
        }
        return index;
    }

    private static float ParseValue(ReadOnlySpan<char> field, string source, int line, int column)
    {
        if (field.IsEmpty)
        {
            throw new CsvFormatException(
                $"{source}, line {line}, column {column}: the value is empty; missing values are not supported.", source, line, column);
        }
        if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
        {
            throw new CsvFormatException(
                $"{source}, line {line}, column {column}: '{field}' is not a number (numbers are read in the invariant culture, e.g. 1.5 or -2e-3).",
                source, line, column);
        }
        if (!float.IsFinite(value))
        {
            throw new CsvFormatException(
                $"{source}, line {line}, column {column}: '{field}' is not a finite float32; NaN, infinities and values beyond ±3.4e38 are not supported.",
                source, line, column);
        }
        return value;
    }

    private static int ParseLabel(ReadOnlySpan<char> field, int classCount, string source, int line, int column)
    {
        if (!int.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out int label))
        {
            // Accept whole numbers written as floats ("2.0"), as some tools write labels.
            if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)
                || number != Math.Floor(number) || number < int.MinValue || number > int.MaxValue)
            {
                throw new CsvFormatException(
                    $"{source}, line {line}, column {column}: the label '{field}' is not a class index (a whole number 0, 1, 2, …).",
                    source, line, column);
            }
            label = (int)number;
        }
        if (label < 0 || (classCount > 0 && label >= classCount))
        {
            throw new CsvFormatException(
                classCount > 0
                    ? $"{source}, line {line}, column {column}: the label {label} is outside 0..{classCount - 1} (CsvOptions.ClassCount = {classCount})."
                    : $"{source}, line {line}, column {column}: the label {label} is negative; labels are class indices 0, 1, 2, ….",
                source, line, column);
        }
        return label;
    }
}
