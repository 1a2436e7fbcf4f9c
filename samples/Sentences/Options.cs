using System.CommandLine;
using Backprop.Symbolic.Training.Initializers;
using Samples.Shared;

namespace Sentences;

/// <summary>
/// The sample's options (<c>--help</c> lists them with their defaults): the shared training options (the optimizer is
/// always Adam) and the encoder's and network's own.
/// </summary>
public sealed record Options : TrainingOptions
{
    public Options()
        : base(learningRate: 0.003f, epochs: 12, outFolder: "sentences-output", dataFile: "sentences.tsv.gz")
    {
    }

    public string Pooling { get; init; } = "concat";
    public int Window { get; init; } = 12;
    public int Embedding { get; init; } = 32;
    public int Hidden { get; init; } = 24;
    public int MinCount { get; init; } = 2;
    public int NGram { get; init; } = 3;
    public int NGramBuckets { get; init; } = 8192;
    public int NGramSlots { get; init; } = 8;

    /// <summary>True when the per-word results are averaged over the window instead of concatenated.</summary>
    public bool Pooled => Pooling == "mean";

    /// <summary>Xavier-normal weights, seeded from <see cref="TrainingOptions.Seed"/> and the tensor's number (so tensors differ).</summary>
    public Initializer WeightInitializer(int tensor) => Initializer.XavierNormal((Seed * 1000L) + tensor);

    /// <inheritdoc/>
    protected override string? SampleProblem() =>
        Window < 1 ? "--window must be at least 1."
        : Embedding < 1 || Hidden < 1 ? "--embedding and --hidden must be at least 1."
        : MinCount < 1 ? "--min-count must be at least 1."
        : NGram < 1 ? "--ngram must be at least 1."
        : NGramBuckets < 0 || NGramSlots < 0 ? "--ngram-buckets and --ngram-slots must be 0 or more (0 turns character n-grams off)."
        : null;

    /// <inheritdoc/>
    protected override string MissingData() => $"The sentences '{Data}' do not exist; pass their path with --data.";

    /// <summary>The command line: every option with its default.</summary>
    public static SampleCommand<Options> Command()
    {
        var command = new SampleCommand<Options>("Identifies the language of sentences with a network shared across word positions and a compile-time generated gradient.");
        Options d = command.Defaults;
        var pooling = new Option<string>("--pooling") { Description = "How the per-word results of a sentence are combined: concatenated over the window, or their mean", DefaultValueFactory = _ => d.Pooling };
        pooling.AcceptOnlyFromAmong("concat", "mean");

        return command
            .Add(pooling, (o, v) => o with { Pooling = v })
            .Add(new Option<int>("--window") { Description = "Word positions per sentence (longer sentences are cut, shorter ones padded)", DefaultValueFactory = _ => d.Window },
                (o, v) => o with { Window = v })
            .Add(new Option<int>("--embedding") { Description = "Width of the word and n-gram embeddings", DefaultValueFactory = _ => d.Embedding },
                (o, v) => o with { Embedding = v })
            .Add(new Option<int>("--hidden") { Description = "Width of the per-word network's output", DefaultValueFactory = _ => d.Hidden },
                (o, v) => o with { Hidden = v })
            .Add(new Option<int>("--min-count") { Description = "Training occurrences a word needs to get its own id (rarer words share the out-of-vocabulary id)", DefaultValueFactory = _ => d.MinCount },
                (o, v) => o with { MinCount = v })
            .Add(new Option<int>("--ngram") { Description = "Length of the character n-grams", DefaultValueFactory = _ => d.NGram },
                (o, v) => o with { NGram = v })
            .Add(new Option<int>("--ngram-buckets") { Description = "Hash buckets of the character n-grams (0: no n-grams)", DefaultValueFactory = _ => d.NGramBuckets },
                (o, v) => o with { NGramBuckets = v })
            .Add(new Option<int>("--ngram-slots") { Description = "Character n-grams kept per word (0: no n-grams)", DefaultValueFactory = _ => d.NGramSlots },
                (o, v) => o with { NGramSlots = v })
            .LearningRate("Adam's learning rate")
            .WeightDecay("Weight decay (L2)")
            .Epochs()
            .BatchSize("Sentences")
            .Seeds()
            .Out()
            .CheckGradient()
            .Data("The labelled sentences: language<TAB>sentence per line (gzip)");
    }
}
