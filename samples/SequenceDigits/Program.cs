using System;
using System.Diagnostics;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;
using Samples.Shared;

namespace SequenceDigits;

/// <summary>
/// Trains the <see cref="SequenceNetwork"/> LSTM on the UCI handwritten digits read as sequences of 8 rows: the split,
/// scaling, minibatches, optimizer, progress, curves and checkpoint are the runtime's, as in samples/Digits; the
/// gradient is the generated backpropagation through time. The last line is the test accuracy.
/// The epoch loop (<see cref="TrainingLoop"/>), the command line, the checkpoint round trip and the report are the
/// ones every training sample shares, in samples/Shared.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Options.Command().Invoke(args, Run);

    private static int Run(Options options)
    {
        var clock = Stopwatch.StartNew();
        Dataset digits = CsvLoader.Load(options.Data);
        if (digits.FeatureCount != SequenceModel.Steps * SequenceModel.Width)
        {
            Console.Error.WriteLine($"Expected 8×8 images ({SequenceModel.Steps * SequenceModel.Width} pixels), but '{options.Data}' has {digits.FeatureCount} features.");
            return 1;
        }
        DatasetSplit split = DatasetSplitter.Split(digits, 0.7, 0.1, 0.2, options.SplitSeed, stratify: true);
        Standardizer scaler = Standardizer.Fit(split.Train);
        Dataset train = scaler.Transform(split.Train);
        Dataset validation = scaler.Transform(split.Validation);
        Dataset test = scaler.Transform(split.Test);
        Console.WriteLine($"digits: {train.Count} training, {validation.Count} validation, {test.Count} test images, each read as {SequenceModel.Steps} rows of {SequenceModel.Width} pixels");

        var model = new SequenceModel(options.Hidden, digits.ClassCount, options);
        Optimizer optimizer = options.CreateOptimizer();
        Console.WriteLine($"network: LSTM over {SequenceModel.Steps} steps, hidden {options.Hidden}, then a {options.Hidden}-{digits.ClassCount} classifier; " +
            $"{model.Parameters.ElementCount} parameters, {options.Optimizer} lr {options.LearningRate}, batch {options.BatchSize}, {options.Epochs} epochs");

        // The generated backpropagation through time against central differences of the loss, on a few images.
        if (options.CheckGradient
            && !GradientCheckLine.Passes(model.Parameters, train, 8, (x, y) => model.Loss(x, y), (x, y) => model.LossGradient(x, y)))
        {
            return 1;
        }

        var loop = new TrainingLoop
        {
            Parameters = model.Parameters,
            Optimizer = optimizer,
            LossGradient = model.LossGradient,
            InstrumentedLossGradient = model.LossGradient,
            Instruments = options.Instruments ? new InstrumentSummary(model.Parameters, activations: true, maxSteps: SequenceModel.Steps) : null,
            Scores = model.Logits,
        };
        if (loop.Run(train, validation, options) is not { } progress)
        {
            return 1;
        }
        TestReport.SaveCurves(progress, options.Out);
        double testAccuracy = TestReport.AccuracyAndConfusion(model.Logits(test.Features), test, digits.ClassCount, "digit");

        var reloaded = new SequenceModel(options.Hidden, digits.ClassCount, options with { Seed = options.Seed + 1 });
        if (!CheckpointRoundTrip.Reproduces("sequence-digits-lstm.safetensors", options, model.Parameters,
                [new("network", $"lstm {SequenceModel.Width}-{options.Hidden} over {SequenceModel.Steps} steps, {options.Hidden}-{digits.ClassCount} classifier")],
                testAccuracy, reloaded.Parameters, () => Metrics.Accuracy(reloaded.Logits(test.Features), test.Labels)))
        {
            return 1;
        }
        TestReport.PrintTime("wall time", clock);
        return TestReport.Finish(testAccuracy);
    }
}
