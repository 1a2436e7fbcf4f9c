using System;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;
using Samples.Shared;

namespace Digits;

/// <summary>
/// Trains the <see cref="DigitsNetwork"/> MLP on the UCI handwritten digits: a seeded, stratified split (70 % training,
/// 10 % validation, 20 % test), standardization fitted on the training split, minibatch gradient descent with the
/// generated gradient, a progress line per epoch, loss and accuracy curves, a safetensors checkpoint reloaded to show
/// that it gives the same test accuracy, and the test accuracy on the last line.
/// The epoch loop (<see cref="TrainingLoop"/>), the command line, the checkpoint round trip and the report are the
/// ones every training sample shares, in samples/Shared.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Options.Command().Invoke(args, Run);

    private static int Run(Options options)
    {
        Dataset digits = CsvLoader.Load(options.Data);
        DatasetSplit split = DatasetSplitter.Split(digits, 0.7, 0.1, 0.2, options.SplitSeed, stratify: true);
        Standardizer scaler = Standardizer.Fit(split.Train);
        Dataset train = scaler.Transform(split.Train);
        Dataset validation = scaler.Transform(split.Validation);
        Dataset test = scaler.Transform(split.Test);
        Console.WriteLine($"digits: {train.Count} training, {validation.Count} validation, {test.Count} test images of {digits.FeatureCount} pixels");

        var model = new DigitsModel(digits.FeatureCount, options.Hidden1, options.Hidden2, digits.ClassCount, options);
        Optimizer optimizer = options.CreateOptimizer();
        Console.WriteLine($"network: {digits.FeatureCount}-{options.Hidden1}-{options.Hidden2}-{digits.ClassCount} tanh MLP, {model.Parameters.ElementCount} parameters, " +
            $"init {options.Init}, {options.Optimizer} lr {options.LearningRate}, batch {options.BatchSize}, {options.Epochs} epochs");

        // The generated gradient against central differences of the loss, on the first rows of the training split.
        if (options.CheckGradient
            && !GradientCheckLine.Passes(model.Parameters, train, 16, (x, y) => model.Loss(x, y), (x, y) => model.LossGradient(x, y)))
        {
            return 1;
        }

        var loop = new TrainingLoop
        {
            Parameters = model.Parameters,
            Optimizer = optimizer,
            LossGradient = model.LossGradient,
            WorkerGradient = model.LossGradient,
            InstrumentedLossGradient = model.LossGradient,
            Instruments = options.Instruments ? new InstrumentSummary(model.Parameters, activations: options.Workers == 1) : null,
            Scores = model.Logits,
        };
        if (loop.Run(train, validation, options) is not { } progress)
        {
            return 1;
        }
        TestReport.SaveCurves(progress, options.Out);
        double testAccuracy = TestReport.AccuracyAndConfusion(model.Logits(test.Features), test, digits.ClassCount, "digit");

        var reloaded = new DigitsModel(digits.FeatureCount, options.Hidden1, options.Hidden2, digits.ClassCount, options with { Seed = options.Seed + 1 });
        if (!CheckpointRoundTrip.Reproduces("digits-mlp.safetensors", options, model.Parameters,
                [new("network", $"{digits.FeatureCount}-{options.Hidden1}-{options.Hidden2}-{digits.ClassCount} tanh")],
                testAccuracy, reloaded.Parameters, () => Metrics.Accuracy(reloaded.Logits(test.Features), test.Labels)))
        {
            return 1;
        }
        return TestReport.Finish(testAccuracy);
    }
}
