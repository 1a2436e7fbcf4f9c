using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace VanishingGradients;

/// <summary>A plain console table: a header row and right-aligned cells, columns as wide as their widest cell.</summary>
public sealed class Table(params string[] header)
{
    private readonly List<string[]> _rows = new();

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Write()
    {
        var all = new List<string[]> { header };
        all.AddRange(_rows);
        int[] widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        foreach (string[] row in all)
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (ReferenceEquals(row, header))
            {
                Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }
        Console.WriteLine();
    }

    /// <summary>A number in scientific notation (three digits), or inf / NaN.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf") : value.ToString("0.00e+00", CultureInfo.InvariantCulture);

    public static string Fraction(double value) => double.IsNaN(value) ? "NaN" : value.ToString("0.00", CultureInfo.InvariantCulture);
}
