using System;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;
using Samples.Shared;

namespace DigitsConv;

/// <summary>
/// Trains the <see cref="ConvNetwork"/> CNN on the UCI handwritten digits read as 1 × 8 × 8 images: the same seeded,
/// stratified split as samples/Digits (70 % training, 10 % validation, 20 % test), pixels scaled from 0..16 to 0..1,
/// a gradient check, Adam on minibatches, a progress line per epoch, loss and accuracy curves, a safetensors checkpoint
/// reloaded to show it gives the same test accuracy, and the test accuracy on the last line.
/// The epoch loop (<see cref="TrainingLoop"/>), the command line, the checkpoint round trip and the report are the
/// ones every training sample shares, in samples/Shared.
/// </summary>
public static class Program
{
    /// <summary>The largest pixel value of the data set (4 × 4 blocks of 32 × 32 bitmaps counted).</summary>
    private const float MaxPixel = 16f;

    public static int Main(string[] args) => Options.Command().Invoke(args, Run);

    private static int Run(Options options)
    {
        Dataset digits = CsvLoader.Load(options.Data);
        if (digits.FeatureCount != ConvModel.Side * ConvModel.Side)
        {
            Console.Error.WriteLine($"Expected {ConvModel.Side * ConvModel.Side} pixels per row, found {digits.FeatureCount}.");
            return 1;
        }
        DatasetSplit split = DatasetSplitter.Split(digits, 0.7, 0.1, 0.2, options.SplitSeed, stratify: true);
        Dataset train = Scaled(split.Train), validation = Scaled(split.Validation), test = Scaled(split.Test);
        Console.WriteLine($"digits: {train.Count} training, {validation.Count} validation, {test.Count} test images of 1 × {ConvModel.Side} × {ConvModel.Side}");

        var model = new ConvModel(digits.ClassCount, options);
        Optimizer optimizer = options.CreateOptimizer();
        Console.WriteLine($"network: conv 3×3×{options.Filters1} pad 1, relu, maxpool 2, conv 3×3×{options.Filters2} pad 1, relu, dense {options.Filters2 * 16}-{digits.ClassCount}; " +
            $"{model.Parameters.ElementCount} parameters, {options.Optimizer} lr {options.LearningRate}, batch {options.BatchSize}, {options.Epochs} epochs");

        if (options.CheckGradient)
        {
            // On the first images of the training split.
            Tensor x = train.Features.Slice(0, 0, 8);
            int[] y = train.Labels.Slice(0, 8).ToArray();
            if (!GradientChecks.Run(model, x, y, options.Seed))
            {
                Console.Error.WriteLine("The generated gradient disagrees with the check.");
                return 1;
            }
        }

        var loop = new TrainingLoop
        {
            Parameters = model.Parameters,
            Optimizer = optimizer,
            LossGradient = model.LossGradient,
            WorkerGradient = model.LossGradient,
            Scores = model.Logits,
        };
        if (loop.Run(train, validation, options) is not { } progress)
        {
            return 1;
        }
        TestReport.SaveCurves(progress, options.Out);
        double testAccuracy = TestReport.AccuracyAndConfusion(model.Logits(test.Features), test, digits.ClassCount, "digit");

        var reloaded = new ConvModel(digits.ClassCount, options with { Seed = options.Seed + 1 });
        if (!CheckpointRoundTrip.Reproduces("digits-cnn.safetensors", options, model.Parameters,
                [new("network", $"conv3x3x{options.Filters1}-relu-maxpool2-conv3x3x{options.Filters2}-relu-dense{digits.ClassCount}")],
                testAccuracy, reloaded.Parameters, () => Metrics.Accuracy(reloaded.Logits(test.Features), test.Labels)))
        {
            return 1;
        }
        return TestReport.Finish(testAccuracy);
    }

    /// <summary>The split with its pixels scaled from 0..16 to 0..1 (one scale for every pixel, as images are scaled).</summary>
    private static Dataset Scaled(Dataset split) => split.WithFeatures(split.Features * (1f / MaxPixel));
}
