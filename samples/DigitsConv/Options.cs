using System;
using System.CommandLine;
using System.IO;
using Backprop.Symbolic.Training.Optimizers;

namespace DigitsConv;

/// <summary>The sample's options (<c>--help</c> lists them with their defaults).</summary>
public sealed record Options
{
    public string Optimizer { get; init; } = "adam";
    public float LearningRate { get; init; } = 0.002f;
    public int Epochs { get; init; } = 40;
    public int Filters1 { get; init; } = 16;
    public int Filters2 { get; init; } = 32;
    public int BatchSize { get; init; } = 32;
    public int Seed { get; init; } = 1;
    public int SplitSeed { get; init; } = 1;
    public string Out { get; init; } = "digits-conv-output";
    public int Workers { get; init; } = 1;
    public bool CheckGradient { get; init; } = true;
    public string Data { get; init; } = Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");

    /// <summary>The optimizer named by <see cref="Optimizer"/>, with <see cref="LearningRate"/> and its usual defaults otherwise.</summary>
    public Optimizer CreateOptimizer() => Optimizer switch
    {
        "sgd" => new Sgd(LearningRate),
        "momentum" => new Momentum(LearningRate),
        "rmsprop" => new RmsProp(LearningRate),
        "adam" => new Adam(LearningRate),
        _ => throw new ArgumentException($"Unknown optimizer '{Optimizer}'."),
    };

    /// <summary>What is wrong with these options, or null.</summary>
    public string? Problem() =>
        Epochs < 1 ? "--epochs must be at least 1."
        : BatchSize < 1 ? "--batch-size must be at least 1."
        : !(LearningRate > 0) || !float.IsFinite(LearningRate) ? "--learning-rate must be a number above 0."
        : Filters1 < 1 || Filters2 < 1 ? "--filters takes two counts of at least 1, e.g. --filters 16 32."
        : Workers < 1 || Workers > BatchSize ? "--workers must be between 1 and --batch-size."
        : !File.Exists(Data) ? $"The digits data '{Data}' does not exist; pass its path with --data."
        : null;

    /// <summary>The command line: every option with its default, and the action to run with the parsed options.</summary>
    public static RootCommand Command(Func<Options, int> run)
    {
        var d = new Options();
        var optimizer = new Option<string>("--optimizer") { Description = "Gradient-descent algorithm", DefaultValueFactory = _ => d.Optimizer };
        optimizer.AcceptOnlyFromAmong("sgd", "momentum", "rmsprop", "adam");
        var learningRate = new Option<float>("--learning-rate", "--lr") { Description = "Learning rate", DefaultValueFactory = _ => d.LearningRate };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training split", DefaultValueFactory = _ => d.Epochs };
        var filters = new Option<int[]>("--filters")
        {
            Description = "Filters of the two convolutions",
            DefaultValueFactory = _ => new[] { d.Filters1, d.Filters2 },
            AllowMultipleArgumentsPerToken = true,
            Arity = new ArgumentArity(2, 2),
        };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per minibatch", DefaultValueFactory = _ => d.BatchSize };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling", DefaultValueFactory = _ => d.Seed };
        var splitSeed = new Option<int>("--split-seed") { Description = "Seed of the training/validation/test split", DefaultValueFactory = _ => d.SplitSeed };
        var output = new Option<string>("--out") { Description = "Folder for the curves (PNG) and the checkpoint (safetensors)", DefaultValueFactory = _ => d.Out };
        var workers = new Option<int>("--workers") { Description = "Threads a minibatch is split across (data parallelism)", DefaultValueFactory = _ => d.Workers };
        var checkGradient = new Option<bool>("--check-gradient") { Description = "Check the generated gradient against central differences before training", DefaultValueFactory = _ => d.CheckGradient };
        var data = new Option<string>("--data") { Description = "The digits CSV (gzip)", DefaultValueFactory = _ => d.Data };

        var command = new RootCommand("Trains a small convolutional network on the UCI handwritten digits with a compile-time generated gradient.")
        {
            optimizer, learningRate, epochs, filters, batchSize, seed, splitSeed, output, workers, checkGradient, data,
        };
        command.SetAction(parse =>
        {
            int[] f = parse.GetValue(filters)!;
            var parsed = new Options
            {
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(learningRate),
                Epochs = parse.GetValue(epochs),
                Filters1 = f[0],
                Filters2 = f[1],
                BatchSize = parse.GetValue(batchSize),
                Seed = parse.GetValue(seed),
                SplitSeed = parse.GetValue(splitSeed),
                Out = parse.GetValue(output)!,
                Workers = parse.GetValue(workers),
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
