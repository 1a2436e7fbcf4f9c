using System;
using System.Collections.Generic;
using System.IO;

namespace Backprop.Symbolic.Reporting;

/// <summary>The loss and accuracy curves of a training run, as PNG files.</summary>
public static class TrainingCurves
{
    /// <summary>
    /// Writes <c>loss.png</c> (training and validation loss against epoch) and <c>accuracy.png</c> (training and
    /// validation accuracy) into <paramref name="folder"/>, leaving out metrics that were never measured.
    /// Returns the paths written.
    /// </summary>
    /// <exception cref="ArgumentException">The history is empty.</exception>
    public static IReadOnlyList<string> SavePng(TrainingHistory history, string folder)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (history.Count == 0)
        {
            throw new ArgumentException("The history has no epoch yet; report at least one before plotting.", nameof(history));
        }
        var written = new List<string>(2);
        string loss = Path.Combine(folder, "loss.png");
        if (Save(loss, "Loss", "loss", history, ("training", e => e.TrainingLoss), ("validation", e => e.ValidationLoss)))
        {
            written.Add(loss);
        }
        string accuracy = Path.Combine(folder, "accuracy.png");
        if (Save(accuracy, "Accuracy", "accuracy", history, ("training", e => e.TrainingAccuracy), ("validation", e => e.ValidationAccuracy)))
        {
            written.Add(accuracy);
        }
        return written;
    }

    private static bool Save(
        string path,
        string title,
        string yLabel,
        TrainingHistory history,
        params (string Name, Func<EpochMetrics, double> Metric)[] metrics)
    {
        var series = new List<LineSeries>();
        foreach ((string name, Func<EpochMetrics, double> metric) in metrics)
        {
            (double[] x, double[] y) = history.Series(metric);
            if (x.Length > 0)
            {
                series.Add(new LineSeries(name, x, y));
            }
        }
        if (series.Count == 0)
        {
            return false;
        }
        LinePlot.SavePng(path, title, "epoch", yLabel, series);
        return true;
    }
}
