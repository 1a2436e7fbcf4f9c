using System;
using System.CommandLine;
using System.IO;
using Backprop.Symbolic.Training.Initializers;
using Backprop.Symbolic.Training.Optimizers;

namespace Digits;

/// <summary>The sample's options (<c>--help</c> lists them with their defaults).</summary>
public sealed record Options
{
    public string Optimizer { get; init; } = "adam";
    public float LearningRate { get; init; } = 0.003f;
    public float WeightDecay { get; init; }
    public int Epochs { get; init; } = 40;
    public int Hidden1 { get; init; } = 64;
    public int Hidden2 { get; init; } = 32;
    public int BatchSize { get; init; } = 32;
    public int Seed { get; init; } = 1;
    public int SplitSeed { get; init; } = 1;
    public string Init { get; init; } = "xavier";
    public double InitMean { get; init; }
    public double InitStd { get; init; } = 0.1;
    public string Out { get; init; } = "digits-output";
    public int Workers { get; init; } = 1;
    public bool CheckGradient { get; init; } = true;
    public bool Instruments { get; init; }
    public string Data { get; init; } = Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");

    /// <summary>The initializer of weight matrix <paramref name="layer"/> (0, 1, 2), seeded from <see cref="Seed"/> and the layer.</summary>
    public Initializer WeightInitializer(int layer)
    {
        long seed = (Seed * 1000L) + layer;
        return Init switch
        {
            "normal" => Initializer.Normal(InitMean, InitStd, seed),
            "xavier" => Initializer.XavierNormal(seed),
            "xavier-uniform" => Initializer.XavierUniform(seed),
            "he" => Initializer.HeNormal(seed),
            "he-uniform" => Initializer.HeUniform(seed),
            _ => throw new ArgumentException($"Unknown initializer '{Init}'."),
        };
    }

    /// <summary>The optimizer named by <see cref="Optimizer"/>, with <see cref="LearningRate"/> and its usual defaults otherwise.</summary>
    public Optimizer CreateOptimizer() => Optimizer switch
    {
        "sgd" => new Sgd(LearningRate, weightDecay: WeightDecay),
        "momentum" => new Momentum(LearningRate, weightDecay: WeightDecay),
        "nesterov" => new Nesterov(LearningRate, weightDecay: WeightDecay),
        "rmsprop" => new RmsProp(LearningRate),
        "adam" => new Adam(LearningRate, weightDecay: WeightDecay),
        "adamw" => new AdamW(LearningRate, weightDecay: WeightDecay),
        _ => throw new ArgumentException($"Unknown optimizer '{Optimizer}'."),
    };

    /// <summary>What is wrong with these options, or null.</summary>
    public string? Problem() =>
        Epochs < 1 ? "--epochs must be at least 1."
        : BatchSize < 1 ? "--batch-size must be at least 1."
        : !(LearningRate > 0) || !float.IsFinite(LearningRate) ? "--learning-rate must be a number above 0."
        : Hidden1 < 1 || Hidden2 < 1 ? "--hidden takes two sizes of at least 1, e.g. --hidden 64 32."
        : !(InitStd >= 0) ? "--init-std must be 0 or more."
        : Workers < 1 || Workers > BatchSize ? "--workers must be between 1 and --batch-size."
        : !File.Exists(Data) ? $"The digits data '{Data}' does not exist; pass its path with --data."
        : null;

    /// <summary>The command line: every option with its default, and the action to run with the parsed options.</summary>
    public static RootCommand Command(Func<Options, int> run)
    {
        var d = new Options();
        var optimizer = new Option<string>("--optimizer") { Description = "Gradient-descent algorithm", DefaultValueFactory = _ => d.Optimizer };
        optimizer.AcceptOnlyFromAmong("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw");
        var learningRate = new Option<float>("--learning-rate", "--lr") { Description = "Learning rate", DefaultValueFactory = _ => d.LearningRate };
        var weightDecay = new Option<float>("--weight-decay") { Description = "Weight decay (L2 for sgd/momentum/nesterov/adam, decoupled for adamw)", DefaultValueFactory = _ => d.WeightDecay };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training split", DefaultValueFactory = _ => d.Epochs };
        var hidden = new Option<int[]>("--hidden")
        {
            Description = "Sizes of the two hidden layers",
            DefaultValueFactory = _ => new[] { d.Hidden1, d.Hidden2 },
            AllowMultipleArgumentsPerToken = true,
            Arity = new ArgumentArity(2, 2),
        };
        var batchSize = new Option<int>("--batch-size") { Description = "Rows per minibatch", DefaultValueFactory = _ => d.BatchSize };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling", DefaultValueFactory = _ => d.Seed };
        var splitSeed = new Option<int>("--split-seed") { Description = "Seed of the training/validation/test split", DefaultValueFactory = _ => d.SplitSeed };
        var init = new Option<string>("--init") { Description = "Weight initializer: A_ij ~ N(mean, std) with 'normal', or a named scheme", DefaultValueFactory = _ => d.Init };
        init.AcceptOnlyFromAmong("normal", "xavier", "xavier-uniform", "he", "he-uniform");
        var initMean = new Option<double>("--init-mean") { Description = "Mean of A_ij with --init normal", DefaultValueFactory = _ => d.InitMean };
        var initStd = new Option<double>("--init-std") { Description = "Standard deviation of A_ij with --init normal", DefaultValueFactory = _ => d.InitStd };
        var output = new Option<string>("--out") { Description = "Folder for the curves (PNG) and the checkpoint (safetensors)", DefaultValueFactory = _ => d.Out };
        var workers = new Option<int>("--workers") { Description = "Threads a minibatch is split across (data parallelism)", DefaultValueFactory = _ => d.Workers };
        var checkGradient = new Option<bool>("--check-gradient") { Description = "Check the generated gradient against central differences before training", DefaultValueFactory = _ => d.CheckGradient };
        var instruments = new Option<bool>("--instruments") { Description = "Add to each epoch's line the gradient-norm ratio ‖∂L/∂W‖/‖W‖ of each weight matrix and the saturation of each hidden layer", DefaultValueFactory = _ => d.Instruments };
        var data = new Option<string>("--data") { Description = "The digits CSV (gzip)", DefaultValueFactory = _ => d.Data };

        var command = new RootCommand("Trains an MLP on the UCI handwritten digits with a compile-time generated gradient.")
        {
            optimizer, learningRate, weightDecay, epochs, hidden, batchSize, seed, splitSeed, init, initMean, initStd, output, workers, checkGradient, instruments, data,
        };
        command.SetAction(parse =>
        {
            int[] h = parse.GetValue(hidden)!;
            var parsed = new Options
            {
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(learningRate),
                WeightDecay = parse.GetValue(weightDecay),
                Epochs = parse.GetValue(epochs),
                Hidden1 = h[0],
                Hidden2 = h[1],
                BatchSize = parse.GetValue(batchSize),
                Seed = parse.GetValue(seed),
                SplitSeed = parse.GetValue(splitSeed),
                Init = parse.GetValue(init)!,
                InitMean = parse.GetValue(initMean),
                InitStd = parse.GetValue(initStd),
                Out = parse.GetValue(output)!,
                Workers = parse.GetValue(workers),
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
