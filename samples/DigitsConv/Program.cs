using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Backprop.Symbolic.Checkpoints;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Reporting;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;

namespace DigitsConv;

/// <summary>
/// Trains the <see cref="ConvNetwork"/> CNN on the UCI handwritten digits read as 1 × 8 × 8 images: the same seeded,
/// stratified split as samples/Digits (70 % training, 10 % validation, 20 % test), pixels scaled from 0..16 to 0..1,
/// a gradient check, Adam on minibatches, a progress line per epoch, loss and accuracy curves, a safetensors checkpoint
/// reloaded to show it gives the same test accuracy, and the test accuracy on the last line.
/// </summary>
public static class Program
{
    /// <summary>The largest pixel value of the data set (4 × 4 blocks of 32 × 32 bitmaps counted).</summary>
    private const float MaxPixel = 16f;

    public static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        return Options.Command(Run).Parse(args).Invoke();
    }

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

        using var parallel = options.Workers > 1 ? new DataParallel(model.Parameters, options.Workers) : null;
        BatchGradientFunction workerGradient = model.LossGradient;
        var batches = new MinibatchIterator(train, options.BatchSize, options.Seed);
        var progress = new TrainingProgress(options.Epochs);
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            double lossSum = 0.0;
            int images = 0;
            foreach (Minibatch batch in batches.NextEpoch())
            {
                float loss = parallel is null
                    ? model.LossGradient(batch.Features, batch.Labels)
                    : parallel.ComputeGradients(batch.Features, batch.Labels, workerGradient);
                optimizer.Step(model.Parameters);
                lossSum += (double)loss * batch.Count;
                images += batch.Count;
            }
            if (!double.IsFinite(lossSum))
            {
                Console.Error.WriteLine($"The loss diverged in epoch {epoch}; lower --learning-rate (now {options.LearningRate}).");
                return 1;
            }
            progress.Report(new EpochMetrics(
                epoch,
                lossSum / images,
                Metrics.Accuracy(model.Logits(train.Features), train.Labels),
                ValidationAccuracy: Metrics.Accuracy(model.Logits(validation.Features), validation.Labels)));
        }

        Directory.CreateDirectory(options.Out);
        foreach (string png in TrainingCurves.SavePng(progress.History, options.Out))
        {
            Console.WriteLine($"curves: {png}");
        }

        Tensor testScores = model.Logits(test.Features);
        double testAccuracy = Metrics.Accuracy(testScores, test.Labels);
        var confusion = new ConfusionMatrix(digits.ClassCount);
        confusion.Add(testScores, test.Labels);
        Console.WriteLine("test confusion matrix (rows: actual digit, columns: predicted):");
        Console.WriteLine(confusion);

        string checkpoint = Path.Combine(options.Out, "digits-cnn.safetensors");
        SafeTensors.Save(checkpoint, model.Parameters.Named(), new Dictionary<string, string>
        {
            ["network"] = $"conv3x3x{options.Filters1}-relu-maxpool2-conv3x3x{options.Filters2}-relu-dense{digits.ClassCount}",
            ["epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
        });
        var reloaded = new ConvModel(digits.ClassCount, options with { Seed = options.Seed + 1 });
        SafeTensors.LoadInto(checkpoint, reloaded.Parameters.Named());
        double reloadedAccuracy = Metrics.Accuracy(reloaded.Logits(test.Features), test.Labels);
        bool same = reloadedAccuracy == testAccuracy;
        Console.WriteLine($"checkpoint: {checkpoint} ({new FileInfo(checkpoint).Length} bytes), reloaded into a fresh network: test accuracy {reloadedAccuracy:0.0000}" +
            (same ? " (the same)" : " (DIFFERENT)"));
        if (!same)
        {
            Console.Error.WriteLine("The reloaded checkpoint does not reproduce the trained network.");
            return 1;
        }

        Console.WriteLine($"test accuracy: {testAccuracy:0.0000}");
        return 0;
    }

    /// <summary>The split with its pixels scaled from 0..16 to 0..1 (one scale for every pixel, as images are scaled).</summary>
    private static Dataset Scaled(Dataset split) => split.WithFeatures(split.Features * (1f / MaxPixel));
}
