using System;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Reporting;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;

namespace Samples.Shared;

/// <summary>The mean loss of one minibatch; the gradient lands in the parameter set's gradient buffer.</summary>
public delegate float BatchLossGradient(Tensor inputs, ReadOnlySpan<int> labels);

/// <summary>The same, reporting the network's activations and their adjoints to <paramref name="sink"/>.</summary>
public delegate float InstrumentedLossGradient(Tensor inputs, ReadOnlySpan<int> labels, IInstrumentSink? sink);

/// <summary>
/// Minibatch gradient descent as every training sample runs it: per epoch, for each shuffled minibatch, the generated
/// gradient (split across <see cref="TrainingOptions.Workers"/> threads when there are several, or reported to the
/// <see cref="Instruments"/>), an optimizer step and the loss summed over rows; then a check that the loss stayed finite
/// and a progress line with the mean loss and the training and validation accuracy.
/// </summary>
public sealed class TrainingLoop
{
    /// <summary>The network's parameters, which the optimizer steps.</summary>
    public required ParameterSet Parameters { get; init; }

    /// <summary>The optimizer.</summary>
    public required Optimizer Optimizer { get; init; }

    /// <summary>The generated gradient of one minibatch.</summary>
    public required BatchLossGradient LossGradient { get; init; }

    /// <summary>The class scores of every row of a data set (for the accuracies).</summary>
    public required Func<Tensor, Tensor> Scores { get; init; }

    /// <summary>The gradient of a share of a minibatch into a worker's buffer; needed when there are several workers.</summary>
    public BatchGradientFunction? WorkerGradient { get; init; }

    /// <summary>Instruments measured after every minibatch and summed up on each epoch's line, or null.</summary>
    public InstrumentSummary? Instruments { get; init; }

    /// <summary>The gradient reporting to <see cref="Instruments"/> (used on one thread only).</summary>
    public InstrumentedLossGradient? InstrumentedLossGradient { get; init; }

    /// <summary>
    /// Trains <see cref="TrainingOptions.Epochs"/> epochs of minibatches of <see cref="TrainingOptions.BatchSize"/> rows
    /// shuffled with <see cref="TrainingOptions.Seed"/>, and returns the progress with its history; or writes why to the
    /// error output and returns null when the loss diverged.
    /// </summary>
    public TrainingProgress? Run(Dataset train, Dataset validation, TrainingOptions options)
    {
        if (options.Workers > 1 && WorkerGradient is null)
        {
            throw new InvalidOperationException($"{options.Workers} workers need a {nameof(WorkerGradient)}.");
        }
        if (Instruments is not null && InstrumentedLossGradient is null)
        {
            throw new InvalidOperationException($"{nameof(Instruments)} need an {nameof(InstrumentedLossGradient)} to report to them.");
        }

        using var parallel = options.Workers > 1 ? new DataParallel(Parameters, options.Workers) : null;
        var batches = new MinibatchIterator(train, options.BatchSize, options.Seed);
        var progress = new TrainingProgress(options.Epochs);
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            double lossSum = 0.0;
            int rows = 0;
            foreach (Minibatch batch in batches.NextEpoch())
            {
                float loss = parallel is not null ? parallel.ComputeGradients(batch.Features, batch.Labels, WorkerGradient!)
                    : Instruments is not null ? InstrumentedLossGradient!(batch.Features, batch.Labels, Instruments.Sink)
                    : LossGradient(batch.Features, batch.Labels);
                Instruments?.Measure();
                Optimizer.Step(Parameters);
                lossSum += (double)loss * batch.Count;
                rows += batch.Count;
            }
            if (!double.IsFinite(lossSum))
            {
                Console.Error.WriteLine($"The loss diverged in epoch {epoch}; lower --learning-rate (now {options.LearningRate}).");
                return null;
            }
            progress.Report(new EpochMetrics(
                epoch,
                lossSum / rows,
                Metrics.Accuracy(Scores(train.Features), train.Labels),
                ValidationAccuracy: Metrics.Accuracy(Scores(validation.Features), validation.Labels))
            {
                Note = Instruments?.EndEpoch(),
            });
        }
        return progress;
    }
}
