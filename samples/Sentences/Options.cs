using System;
using System.CommandLine;
using System.IO;
using Backprop.Symbolic.Training.Initializers;
using Backprop.Symbolic.Training.Optimizers;

namespace Sentences;

/// <summary>The sample's options (<c>--help</c> lists them with their defaults).</summary>
public sealed record Options
{
    public string Pooling { get; init; } = "concat";
    public int Window { get; init; } = 12;
    public int Embedding { get; init; } = 32;
    public int Hidden { get; init; } = 24;
    public int MinCount { get; init; } = 2;
    public int NGram { get; init; } = 3;
    public int NGramBuckets { get; init; } = 8192;
    public int NGramSlots { get; init; } = 8;
    public float LearningRate { get; init; } = 0.003f;
    public float WeightDecay { get; init; }
    public int Epochs { get; init; } = 12;
    public int BatchSize { get; init; } = 32;
    public int Seed { get; init; } = 1;
    public int SplitSeed { get; init; } = 1;
    public string Out { get; init; } = "sentences-output";
    public bool CheckGradient { get; init; } = true;
    public string Data { get; init; } = Path.Combine(AppContext.BaseDirectory, "data", "sentences.tsv.gz");

    /// <summary>True when the per-word results are averaged over the window instead of concatenated.</summary>
    public bool Pooled => Pooling == "mean";

    /// <summary>Xavier-normal weights, seeded from <see cref="Seed"/> and the tensor's number (so tensors differ).</summary>
    public Initializer WeightInitializer(int tensor) => Initializer.XavierNormal((Seed * 1000L) + tensor);

    /// <summary>Adam with <see cref="LearningRate"/> and <see cref="WeightDecay"/>.</summary>
    public Optimizer CreateOptimizer() => new Adam(LearningRate, weightDecay: WeightDecay);

    /// <summary>What is wrong with these options, or null.</summary>
    public string? Problem() =>
        Epochs < 1 ? "--epochs must be at least 1."
        : BatchSize < 1 ? "--batch-size must be at least 1."
        : !(LearningRate > 0) || !float.IsFinite(LearningRate) ? "--learning-rate must be a number above 0."
        : Window < 1 ? "--window must be at least 1."
        : Embedding < 1 || Hidden < 1 ? "--embedding and --hidden must be at least 1."
        : MinCount < 1 ? "--min-count must be at least 1."
        : NGram < 1 ? "--ngram must be at least 1."
        : NGramBuckets < 0 || NGramSlots < 0 ? "--ngram-buckets and --ngram-slots must be 0 or more (0 turns character n-grams off)."
        : !File.Exists(Data) ? $"The sentences '{Data}' do not exist; pass their path with --data."
        : null;

    /// <summary>The command line: every option with its default, and the action to run with the parsed options.</summary>
    public static RootCommand Command(Func<Options, int> run)
    {
        var d = new Options();
        var pooling = new Option<string>("--pooling") { Description = "How the per-word results of a sentence are combined: concatenated over the window, or their mean", DefaultValueFactory = _ => d.Pooling };
        pooling.AcceptOnlyFromAmong("concat", "mean");
        var window = new Option<int>("--window") { Description = "Word positions per sentence (longer sentences are cut, shorter ones padded)", DefaultValueFactory = _ => d.Window };
        var embedding = new Option<int>("--embedding") { Description = "Width of the word and n-gram embeddings", DefaultValueFactory = _ => d.Embedding };
        var hidden = new Option<int>("--hidden") { Description = "Width of the per-word network's output", DefaultValueFactory = _ => d.Hidden };
        var minCount = new Option<int>("--min-count") { Description = "Training occurrences a word needs to get its own id (rarer words share the out-of-vocabulary id)", DefaultValueFactory = _ => d.MinCount };
        var ngram = new Option<int>("--ngram") { Description = "Length of the character n-grams", DefaultValueFactory = _ => d.NGram };
        var buckets = new Option<int>("--ngram-buckets") { Description = "Hash buckets of the character n-grams (0: no n-grams)", DefaultValueFactory = _ => d.NGramBuckets };
        var slots = new Option<int>("--ngram-slots") { Description = "Character n-grams kept per word (0: no n-grams)", DefaultValueFactory = _ => d.NGramSlots };
        var learningRate = new Option<float>("--learning-rate", "--lr") { Description = "Adam's learning rate", DefaultValueFactory = _ => d.LearningRate };
        var weightDecay = new Option<float>("--weight-decay") { Description = "Weight decay (L2)", DefaultValueFactory = _ => d.WeightDecay };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training split", DefaultValueFactory = _ => d.Epochs };
        var batchSize = new Option<int>("--batch-size") { Description = "Sentences per minibatch", DefaultValueFactory = _ => d.BatchSize };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling", DefaultValueFactory = _ => d.Seed };
        var splitSeed = new Option<int>("--split-seed") { Description = "Seed of the training/validation/test split", DefaultValueFactory = _ => d.SplitSeed };
        var output = new Option<string>("--out") { Description = "Folder for the curves (PNG) and the checkpoint (safetensors)", DefaultValueFactory = _ => d.Out };
        var checkGradient = new Option<bool>("--check-gradient") { Description = "Check the generated gradient against central differences before training", DefaultValueFactory = _ => d.CheckGradient };
        var data = new Option<string>("--data") { Description = "The labelled sentences: language<TAB>sentence per line (gzip)", DefaultValueFactory = _ => d.Data };

        var command = new RootCommand("Identifies the language of sentences with a network shared across word positions and a compile-time generated gradient.")
        {
            pooling, window, embedding, hidden, minCount, ngram, buckets, slots, learningRate, weightDecay, epochs, batchSize, seed, splitSeed, output, checkGradient, data,
        };
        command.SetAction(parse =>
        {
            var parsed = new Options
            {
                Pooling = parse.GetValue(pooling)!,
                Window = parse.GetValue(window),
                Embedding = parse.GetValue(embedding),
                Hidden = parse.GetValue(hidden),
                MinCount = parse.GetValue(minCount),
                NGram = parse.GetValue(ngram),
                NGramBuckets = parse.GetValue(buckets),
                NGramSlots = parse.GetValue(slots),
                LearningRate = parse.GetValue(learningRate),
                WeightDecay = parse.GetValue(weightDecay),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                Seed = parse.GetValue(seed),
                SplitSeed = parse.GetValue(splitSeed),
                Out = parse.GetValue(output)!,
                CheckGradient = parse.GetValue(checkGradient),
                Data = parse.GetValue(data)!,
            };
            if (parsed.Problem() is { } problem)
            {
                Console.Error.WriteLine(problem);
                return 2;
            }
            return run(parsed);
        });
        return command;
    }
}
