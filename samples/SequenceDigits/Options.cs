using System;
using System.CommandLine;
using System.IO;
using Backprop.Symbolic.Training.Optimizers;

namespace SequenceDigits;

/// <summary>The sample's options (<c>--help</c> lists them with their defaults).</summary>
public sealed record Options
{
    public string Optimizer { get; init; } = "adam";
    public float LearningRate { get; init; } = 0.01f;
    public int Epochs { get; init; } = 20;
    public int Hidden { get; init; } = 32;
    public int BatchSize { get; init; } = 32;
    public int Seed { get; init; } = 1;
    public int SplitSeed { get; init; } = 1;
    public string Out { get; init; } = "sequence-digits-output";
    public bool CheckGradient { get; init; } = true;
    public bool Instruments { get; init; }
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
        : Hidden < 1 ? "--hidden must be at least 1."
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
        var hidden = new Option<int>("--hidden") { Description = "Size of the LSTM's hidden state h (the cell state c has the same size)", DefaultValueFactory = _ => d.Hidden };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per minibatch", DefaultValueFactory = _ => d.BatchSize };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling", DefaultValueFactory = _ => d.Seed };
        var splitSeed = new Option<int>("--split-seed") { Description = "Seed of the training/validation/test split", DefaultValueFactory = _ => d.SplitSeed };
        var output = new Option<string>("--out") { Description = "Folder for the curves (PNG) and the checkpoint (safetensors)", DefaultValueFactory = _ => d.Out };
        var checkGradient = new Option<bool>("--check-gradient") { Description = "Check the generated gradient against central differences before training", DefaultValueFactory = _ => d.CheckGradient };
        var instruments = new Option<bool>("--instruments") { Description = "Add to each epoch's line the gradient-norm ratio ‖∂L/∂W‖/‖W‖ of each weight matrix, and the norm of the LSTM state's adjoint at the first and the last time step", DefaultValueFactory = _ => d.Instruments };
        var data = new Option<string>("--data") { Description = "The digits CSV (gzip)", DefaultValueFactory = _ => d.Data };

        var command = new RootCommand("Trains an LSTM that reads each UCI handwritten digit row by row, with a compile-time generated gradient.")
        {
            optimizer, learningRate, epochs, hidden, batchSize, seed, splitSeed, output, checkGradient, instruments, data,
        };
        command.SetAction(parse =>
        {
            var parsed = new Options
            {
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(learningRate),
                Epochs = parse.GetValue(epochs),
                Hidden = parse.GetValue(hidden),
                BatchSize = parse.GetValue(batchSize),
                Seed = parse.GetValue(seed),
                SplitSeed = parse.GetValue(splitSeed),
                Out = parse.GetValue(output)!,
                CheckGradient = parse.GetValue(checkGradient),
                Instruments = parse.GetValue(instruments),
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
