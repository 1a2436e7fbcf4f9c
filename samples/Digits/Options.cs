using System;
using System.CommandLine;
using Backprop.Symbolic.Training.Initializers;
using Samples.Shared;

namespace Digits;

/// <summary>The sample's options (<c>--help</c> lists them with their defaults): the shared training options and the MLP's own.</summary>
public sealed record Options : TrainingOptions
{
    public Options()
        : base(learningRate: 0.003f, epochs: 40, outFolder: "digits-output", dataFile: "digits.csv.gz")
    {
    }

    public int Hidden1 { get; init; } = 64;
    public int Hidden2 { get; init; } = 32;
    public string Init { get; init; } = "xavier";
    public double InitMean { get; init; }
    public double InitStd { get; init; } = 0.1;

    /// <summary>The initializer of weight matrix <paramref name="layer"/> (0, 1, 2), seeded from <see cref="TrainingOptions.Seed"/> and the layer.</summary>
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

    /// <inheritdoc/>
    protected override string? SampleProblem() =>
        Hidden1 < 1 || Hidden2 < 1 ? "--hidden takes two sizes of at least 1, e.g. --hidden 64 32."
        : !(InitStd >= 0) ? "--init-std must be 0 or more."
        : null;

    /// <summary>The command line: every option with its default.</summary>
    public static SampleCommand<Options> Command()
    {
        var command = new SampleCommand<Options>("Trains an MLP on the UCI handwritten digits with a compile-time generated gradient.");
        Options d = command.Defaults;
        var hidden = new Option<int[]>("--hidden")
        {
            Description = "Sizes of the two hidden layers",
            DefaultValueFactory = _ => new[] { d.Hidden1, d.Hidden2 },
            AllowMultipleArgumentsPerToken = true,
            Arity = new ArgumentArity(2, 2),
        };
        var init = new Option<string>("--init") { Description = "Weight initializer: A_ij ~ N(mean, std) with 'normal', or a named scheme", DefaultValueFactory = _ => d.Init };
        init.AcceptOnlyFromAmong("normal", "xavier", "xavier-uniform", "he", "he-uniform");

        return command
            .Optimizer(OptimizerFactory.Names)
            .LearningRate()
            .WeightDecay("Weight decay (L2 for sgd/momentum/nesterov/adam, decoupled for adamw)")
            .Epochs()
            .Add(hidden, (o, h) => o with { Hidden1 = h[0], Hidden2 = h[1] })
            .BatchSize("Rows")
            .Seeds()
            .Add(init, (o, v) => o with { Init = v })
            .Add(new Option<double>("--init-mean") { Description = "Mean of A_ij with --init normal", DefaultValueFactory = _ => d.InitMean }, (o, v) => o with { InitMean = v })
            .Add(new Option<double>("--init-std") { Description = "Standard deviation of A_ij with --init normal", DefaultValueFactory = _ => d.InitStd }, (o, v) => o with { InitStd = v })
            .Out()
            .Workers()
            .CheckGradient()
            .Instruments("Add to each epoch's line the gradient-norm ratio ‖∂L/∂W‖/‖W‖ of each weight matrix and the saturation of each hidden layer")
            .Data("The digits CSV (gzip)");
    }
}
