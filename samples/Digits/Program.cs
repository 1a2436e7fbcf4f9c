using System;
using System.Globalization;
using System.IO;
using Backprop.Symbolic.Checkpoints;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.GradientChecking;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Reporting;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;

namespace Digits;

/// <summary>
/// Trains the <see cref="DigitsNetwork"/> MLP on the UCI handwritten digits: a seeded, stratified split (70 % training,
/// 10 % validation, 20 % test), standardization fitted on the training split, minibatch gradient descent with the
/// generated gradient, a progress line per epoch, loss and accuracy curves, a safetensors checkpoint reloaded to show
/// that it gives the same test accuracy, and the test accuracy on the last line.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        return Options.Command(Run).Parse(args).Invoke();
    }

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

        if (options.CheckGradient)
        {
            // The generated gradient against central differences of the loss, on the first rows of the training split.
            Tensor x = train.Features.Slice(0, 0, 16);
            int[] y = train.Labels.Slice(0, 16).ToArray();
            GradientCheckReport check = GradientCheck.Check(model.Parameters, () => model.Loss(x, y), () => model.LossGradient(x, y));
            Console.WriteLine($"gradient check ({check.ElementsChecked} elements): worst {check.Worst}");
            if (!check.Passed)
            {
                Console.Error.WriteLine("The generated gradient disagrees with central differences.");
                return 1;
            }
        }

        using var parallel = options.Workers > 1 ? new DataParallel(model.Parameters, options.Workers) : null;
        BatchGradientFunction workerGradient = model.LossGradient;
        var batches = new MinibatchIterator(train, options.BatchSize, options.Seed);
        var progress = new TrainingProgress(options.Epochs);
        InstrumentSummary? instruments = options.Instruments ? new InstrumentSummary(model.Parameters, activations: parallel is null) : null;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            double lossSum = 0.0;
            int rows = 0;
            foreach (Minibatch batch in batches.NextEpoch())
            {
                float loss = parallel is not null ? parallel.ComputeGradients(batch.Features, batch.Labels, workerGradient)
                    : instruments is not null ? model.LossGradient(batch.Features, batch.Labels, instruments.Sink)
                    : model.LossGradient(batch.Features, batch.Labels);
                instruments?.Measure();
                optimizer.Step(model.Parameters);
                int n = batch.Features.Shape[0];
                lossSum += (double)loss * n;
                rows += n;
            }
            if (!double.IsFinite(lossSum))
            {
                Console.Error.WriteLine($"The loss diverged in epoch {epoch}; lower --learning-rate (now {options.LearningRate}).");
                return 1;
            }
            progress.Report(new EpochMetrics(
                epoch,
                lossSum / rows,
                Metrics.Accuracy(model.Logits(train.Features), train.Labels),
                ValidationAccuracy: Metrics.Accuracy(model.Logits(validation.Features), validation.Labels))
            {
                Note = instruments?.EndEpoch(),
            });
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

        string checkpoint = Path.Combine(options.Out, "digits-mlp.safetensors");
        SafeTensors.Save(checkpoint, model.Parameters.Named(), new[]
        {
            KeyValue("network", $"{digits.FeatureCount}-{options.Hidden1}-{options.Hidden2}-{digits.ClassCount} tanh"),
            KeyValue("epochs", options.Epochs.ToString(CultureInfo.InvariantCulture)),
            KeyValue("seed", options.Seed.ToString(CultureInfo.InvariantCulture)),
        });
        var reloaded = new DigitsModel(digits.FeatureCount, options.Hidden1, options.Hidden2, digits.ClassCount, options with { Seed = options.Seed + 1 });
        SafeTensors.LoadInto(checkpoint, reloaded.Parameters.Named());
        double reloadedAccuracy = Metrics.Accuracy(reloaded.Logits(test.Features), test.Labels);
        Console.WriteLine($"checkpoint: {checkpoint} ({new FileInfo(checkpoint).Length} bytes), reloaded into a fresh network: test accuracy {reloadedAccuracy:0.0000}" +
            (reloadedAccuracy == testAccuracy ? " (the same)" : " (DIFFERENT)"));
        if (reloadedAccuracy != testAccuracy)
        {
            Console.Error.WriteLine("The reloaded checkpoint does not reproduce the trained network.");
            return 1;
        }

        Console.WriteLine($"test accuracy: {testAccuracy:0.0000}");
        return 0;
    }

    private static System.Collections.Generic.KeyValuePair<string, string> KeyValue(string key, string value) => new(key, value);
}
