using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Backprop.Symbolic.Reporting;

/// <summary>One named line of a <see cref="LinePlot"/>.</summary>
/// <param name="Name">The legend entry.</param>
/// <param name="X">The x coordinates.</param>
/// <param name="Y">The y coordinates, as many as <paramref name="X"/>.</param>
public sealed record LineSeries(string Name, double[] X, double[] Y);

/// <summary>
/// Line charts saved as PNG (ScottPlot): training curves, gradient norms against layer or time step. A log-scale
/// y axis plots log₁₀ of the values and labels the ticks as powers of ten; values that are not positive are left
/// out of a log-scale chart.
/// </summary>
public static class LinePlot
{
    /// <summary>Default image width in pixels.</summary>
    public const int DefaultWidth = 800;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 500;

    /// <summary>Draws <paramref name="series"/> and saves the chart to <paramref name="path"/> (its folder is created).</summary>
    /// <exception cref="ArgumentException">A series has different numbers of x and y values, or there is none.</exception>
    public static void SavePng(
        string path,
        string title,
        string xLabel,
        string yLabel,
        IReadOnlyList<LineSeries> series,
        bool logScaleY = false,
        int width = DefaultWidth,
        int height = DefaultHeight)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0)
        {
            throw new ArgumentException("A chart needs at least one series.", nameof(series));
        }
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(logScaleY ? yLabel + " (log scale)" : yLabel);
        foreach (LineSeries line in series)
        {
            if (line.X.Length != line.Y.Length)
            {
                throw new ArgumentException(
                    $"Series '{line.Name}' has {line.X.Length} x values and {line.Y.Length} y values; they must pair up.", nameof(series));
            }
            (double[] xs, double[] ys) = logScaleY ? Log10(line.X, line.Y) : (line.X, line.Y);
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = line.Name;
            scatter.MarkerSize = xs.Length > 60 ? 0 : 4;
        }
        if (logScaleY)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = y => "1e" + Math.Round(y).ToString(CultureInfo.InvariantCulture),
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
            };
        }
        if (series.Count > 1)
        {
            plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        }
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        plot.SavePng(path, width, height);
    }

    private static (double[] X, double[] Y) Log10(double[] x, double[] y)
    {
        var xs = new List<double>(x.Length);
        var ys = new List<double>(y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            if (y[i] > 0 && double.IsFinite(y[i]))
            {
                xs.Add(x[i]);
                ys.Add(Math.Log10(y[i]));
            }
        }
        return (xs.ToArray(), ys.ToArray());
    }
}
