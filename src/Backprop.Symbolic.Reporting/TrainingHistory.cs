using System;
using System.Collections;
using System.Collections.Generic;

namespace Backprop.Symbolic.Reporting;

/// <summary>The metrics of every epoch so far, in order: what the progress display shows and the curves plot.</summary>
public sealed class TrainingHistory : IReadOnlyList<EpochMetrics>
{
    private readonly List<EpochMetrics> _epochs = new();

    /// <summary>Appends an epoch's metrics; epochs must be added in increasing order.</summary>
    /// <exception cref="ArgumentException">The epoch number does not follow the last one.</exception>
    public void Add(EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (_epochs.Count > 0 && metrics.Epoch <= _epochs[^1].Epoch)
        {
            throw new ArgumentException(
                $"Epoch {metrics.Epoch} was added after epoch {_epochs[^1].Epoch}; add epochs in increasing order.", nameof(metrics));
        }
        _epochs.Add(metrics);
    }

    /// <inheritdoc/>
    public int Count => _epochs.Count;

    /// <inheritdoc/>
    public EpochMetrics this[int index] => _epochs[index];

    /// <summary>The last epoch's metrics, or null before the first.</summary>
    public EpochMetrics? Last => _epochs.Count == 0 ? null : _epochs[^1];

    /// <summary>One metric over all epochs, as plot coordinates (epochs whose value is NaN are left out).</summary>
    public (double[] Epochs, double[] Values) Series(Func<EpochMetrics, double> metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var xs = new List<double>(_epochs.Count);
        var ys = new List<double>(_epochs.Count);
        foreach (EpochMetrics e in _epochs)
        {
            double v = metric(e);
            if (!double.IsNaN(v))
            {
                xs.Add(e.Epoch);
                ys.Add(v);
            }
        }
        return (xs.ToArray(), ys.ToArray());
    }

    /// <inheritdoc/>
    public IEnumerator<EpochMetrics> GetEnumerator() => _epochs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
