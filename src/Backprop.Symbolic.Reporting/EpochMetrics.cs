using System;

namespace Backprop.Symbolic.Reporting;

/// <summary>
/// What one epoch of training measured. Accuracies are fractions in [0, 1]; a metric that was not measured is
/// <see cref="double.NaN"/> and is left out of progress lines and plots.
/// </summary>
/// <param name="Epoch">The epoch's number, from 1.</param>
/// <param name="TrainingLoss">The mean loss over the epoch's minibatches.</param>
/// <param name="TrainingAccuracy">Accuracy on the training split (or the epoch's minibatches).</param>
/// <param name="ValidationLoss">Loss on the validation split.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation split.</param>
/// <param name="Elapsed">Wall time since training started.</param>
public sealed record EpochMetrics(
    int Epoch,
    double TrainingLoss,
    double TrainingAccuracy = double.NaN,
    double ValidationLoss = double.NaN,
    double ValidationAccuracy = double.NaN,
    TimeSpan Elapsed = default)
{
    /// <summary>Free-form extra text for the progress line (for example a gradient-norm summary); may be null.</summary>
    public string? Note { get; init; }
}
