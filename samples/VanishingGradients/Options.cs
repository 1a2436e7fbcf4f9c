using System;
using System.CommandLine;
using System.IO;

namespace VanishingGradients;

/// <summary>The sample's options (<c>--help</c> lists them with their defaults).</summary>
public sealed record Options
{
    public int Depth { get; init; } = 50;
    public int Batch { get; init; } = 256;
    public int TrainDepth { get; init; } = 10;
    public int Epochs { get; init; } = 5;
    public float LearningRate { get; init; } = 0.01f;
    public int Steps { get; init; } = 100;
    public int Hidden { get; init; } = 32;
    public int Seed { get; init; } = 1;
    public bool Training { get; init; } = true;
    public string Out { get; init; } = "vanishing-output";
    public string Data { get; init; } = Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");

    /// <summary>What is wrong with these options, or null.</summary>
    public string? Problem() =>
        Depth < 2 ? "--depth must be at least 2."
        : Batch < 1 ? "--batch must be at least 1."
        : TrainDepth < 1 ? "--train-depth must be at least 1."
        : Epochs < 1 ? "--epochs must be at least 1."
        : !(LearningRate > 0) || !float.IsFinite(LearningRate) ? "--lr must be a number above 0."
        : Steps < 1 ? "--steps must be at least 1."
        : Hidden < 1 ? "--hidden must be at least 1."
        : !File.Exists(Data) ? $"The digits data '{Data}' does not exist; pass its path with --data."
        : null;

    public static RootCommand Command(Func<Options, int> run)
    {
        var d = new Options();
        var depth = new Option<int>("--depth") { Description = "Layers of the deepest stack (the depth sweep runs 2, 5, 10, 20, … up to it)", DefaultValueFactory = _ => d.Depth };
        var batch = new Option<int>("--batch") { Description = "Digits in the batch the stacks are measured on", DefaultValueFactory = _ => d.Batch };
        var trainDepth = new Option<int>("--train-depth") { Description = "Layers of the stacks that are trained", DefaultValueFactory = _ => d.TrainDepth };
        var epochs = new Option<int>("--epochs") { Description = "Epochs each trained stack gets", DefaultValueFactory = _ => d.Epochs };
        var learningRate = new Option<float>("--lr") { Description = "Learning rate of SGD with momentum 0.9", DefaultValueFactory = _ => d.LearningRate };
        var steps = new Option<int>("--steps") { Description = "Time steps of the RNN and LSTM sequences", DefaultValueFactory = _ => d.Steps };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the RNN and the LSTM", DefaultValueFactory = _ => d.Hidden };
        var seed = new Option<int>("--seed") { Description = "Seed of the weights, the batch and the sequences", DefaultValueFactory = _ => d.Seed };
        var training = new Option<bool>("--train") { Description = "Train the stacks (the slowest part)", DefaultValueFactory = _ => d.Training };
        var output = new Option<string>("--out") { Description = "Folder for the plots (PNG)", DefaultValueFactory = _ => d.Out };
        var data = new Option<string>("--data") { Description = "The digits CSV (gzip)", DefaultValueFactory = _ => d.Data };
        var command = new RootCommand("Measures vanishing and exploding gradients in deep stacks and in an RNN against an LSTM.")
        {
            depth, batch, trainDepth, epochs, learningRate, steps, hidden, seed, training, output, data,
        };
        command.SetAction(parse =>
        {
            var parsed = new Options
            {
                Depth = parse.GetValue(depth),
                Batch = parse.GetValue(batch),
                TrainDepth = parse.GetValue(trainDepth),
                Epochs = parse.GetValue(epochs),
                LearningRate = parse.GetValue(learningRate),
                Steps = parse.GetValue(steps),
                Hidden = parse.GetValue(hidden),
                Seed = parse.GetValue(seed),
                Training = parse.GetValue(training),
                Out = parse.GetValue(output)!,
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
