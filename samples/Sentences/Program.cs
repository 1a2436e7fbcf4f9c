using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Data.Text;
using Backprop.Symbolic.GradientChecking;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;
using Samples.Shared;

namespace Sentences;

/// <summary>
/// Identifies the language of sentences from the Debian fortunes packages: a seeded, stratified split (70 % training,
/// 10 % validation, 20 % test), lower-cased word tokens with a vocabulary from the training split (unknown words share
/// one id) and hashed character n-grams, the <see cref="SentenceNetwork"/> trained with Adam on minibatches through
/// its generated gradient, a progress line per epoch, loss and accuracy curves, the accuracy of each language and the
/// confusion matrix on the test split, a safetensors checkpoint reloaded to show it gives the same test accuracy, and
/// the test accuracy on the last line.
/// The epoch loop (<see cref="TrainingLoop"/>), the command line, the checkpoint round trip and the report are the
/// ones every training sample shares, in samples/Shared.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Options.Command().Invoke(args, Run);

    private static int Run(Options options)
    {
        var clock = Stopwatch.StartNew();
        LabelledSentences corpus = LabelledSentences.Load(options.Data);
        int classes = corpus.Languages.Length;

        // The split works on row numbers; the vocabulary is then built from the training sentences alone.
        Tensor rowNumbers = Tensor.Zeros(corpus.Texts.Length, 1);
        for (int i = 0; i < corpus.Texts.Length; i++)
        {
            rowNumbers[i, 0] = i;
        }
        DatasetSplit split = DatasetSplitter.Split(new Dataset(rowNumbers, corpus.Labels, classes), 0.7, 0.1, 0.2, options.SplitSeed, stratify: true);
        string[][] tokens = corpus.Texts.Select(WordTokenizer.Tokenize).ToArray();
        Vocabulary vocabulary = Vocabulary.Build(split.TrainRows.Select(r => (IReadOnlyList<string>)tokens[r]), options.MinCount);
        var encoder = new SentenceEncoder(vocabulary, options.Window, options.NGram, options.NGramBuckets, options.NGramSlots);
        Dataset Encode(int[] rows) => new(encoder.Encode(rows.Select(r => tokens[r]).ToArray()), rows.Select(r => corpus.Labels[r]).ToArray(), classes);
        Dataset train = Encode(split.TrainRows), validation = Encode(split.ValidationRows), test = Encode(split.TestRows);

        Console.WriteLine($"sentences: {train.Count} training, {validation.Count} validation, {test.Count} test, in {classes} languages ({string.Join(", ", corpus.Languages)})");
        Console.WriteLine($"tokens: {vocabulary.Count - 2} words from the training split (min count {options.MinCount}) + <pad>, <oov>; " +
            $"{Percent(UnknownShare(split.TestRows, tokens, vocabulary))} of test words are out of vocabulary; window {options.Window}" +
            (encoder.UsesNGrams ? $"; character {options.NGram}-grams in {options.NGramBuckets} buckets, {options.NGramSlots} per word" : "; no character n-grams"));

        var model = new SentencesModel(encoder, classes, options);
        Optimizer optimizer = options.CreateOptimizer();
        string combine = options.Pooled ? $"mean over the {options.Window} positions" : $"concatenated over {options.Window} positions";
        Console.WriteLine($"network: embeddings {options.Embedding}, per-word tanh layer {options.Embedding}-{options.Hidden} shared by every position, {combine}, " +
            $"linear to {classes}; {model.Parameters.ElementCount} parameters, adam lr {options.LearningRate}, batch {options.BatchSize}, {options.Epochs} epochs");

        // The generated gradient against central differences of the loss, on the first sentences of the training split.
        if (options.CheckGradient
            && !GradientCheckLine.Passes(model.Parameters, train, 8, (x, y) => model.Loss(x, y), (x, y) => model.LossGradient(x, y),
                new GradientCheckOptions { MaxElementsPerTensor = 64 }))
        {
            return 1;
        }

        var loop = new TrainingLoop
        {
            Parameters = model.Parameters,
            Optimizer = optimizer,
            LossGradient = model.LossGradient,
            Scores = model.Scores,
        };
        if (loop.Run(train, validation, options) is not { } progress)
        {
            return 1;
        }
        Console.WriteLine($"training: {progress.Elapsed.TotalSeconds:0.0} s");
        TestReport.SaveCurves(progress, options.Out);

        Tensor testScores = model.Scores(test.Features);
        double testAccuracy = Metrics.Accuracy(testScores, test.Labels);
        ConfusionMatrix confusion = TestReport.Confusion(testScores, test, classes, corpus.Languages);
        Console.WriteLine("test accuracy per language: " +
            string.Join(", ", Enumerable.Range(0, classes).Select(c => $"{corpus.Languages[c]} {confusion.Recall(c):0.0000}")));
        TestReport.PrintConfusion(confusion, "language");

        var reloaded = new SentencesModel(encoder, classes, options with { Seed = options.Seed + 1 });
        if (!CheckpointRoundTrip.Reproduces("sentences.safetensors", options, model.Parameters,
                [
                    new("network", options.Pooled ? "per-word tanh, mean over positions" : "per-word tanh, concatenated over positions"),
                    new("languages", string.Join(",", corpus.Languages)),
                    new("window", options.Window.ToString(CultureInfo.InvariantCulture)),
                ],
                testAccuracy, reloaded.Parameters, () => Metrics.Accuracy(reloaded.Scores(test.Features), test.Labels)))
        {
            return 1;
        }
        TestReport.PrintTime("total", clock);
        return TestReport.Finish(testAccuracy);
    }

    /// <summary>The share of the words of sentences <paramref name="rows"/> that the vocabulary does not know.</summary>
    private static double UnknownShare(int[] rows, string[][] tokens, Vocabulary vocabulary)
    {
        int words = 0, unknown = 0;
        foreach (int r in rows)
        {
            foreach (string word in tokens[r])
            {
                words++;
                unknown += vocabulary.Contains(word) ? 0 : 1;
            }
        }
        return words == 0 ? 0 : (double)unknown / words;
    }

    private static string Percent(double share) => $"{100 * share:0.0} %";
}
