using System.CommandLine;
using Samples.Shared;

namespace DigitsConv;

/// <summary>The sample's options (<c>--help</c> lists them with their defaults): the shared training options and the CNN's own.</summary>
public sealed record Options : TrainingOptions
{
    public Options()
        : base(learningRate: 0.002f, epochs: 40, outFolder: "digits-conv-output", dataFile: "digits.csv.gz")
    {
    }

    public int Filters1 { get; init; } = 16;
    public int Filters2 { get; init; } = 32;

    /// <inheritdoc/>
    protected override string? SampleProblem() =>
        Filters1 < 1 || Filters2 < 1 ? "--filters takes two counts of at least 1, e.g. --filters 16 32." : null;

    /// <summary>The command line: every option with its default.</summary>
    public static SampleCommand<Options> Command()
    {
        var command = new SampleCommand<Options>("Trains a small convolutional network on the UCI handwritten digits with a compile-time generated gradient.");
        Options d = command.Defaults;
        var filters = new Option<int[]>("--filters")
        {
            Description = "Filters of the two convolutions",
            DefaultValueFactory = _ => new[] { d.Filters1, d.Filters2 },
            AllowMultipleArgumentsPerToken = true,
            Arity = new ArgumentArity(2, 2),
        };

        return command
            .Optimizer("sgd", "momentum", "rmsprop", "adam")
            .LearningRate()
            .Epochs()
            .Add(filters, (o, f) => o with { Filters1 = f[0], Filters2 = f[1] })
            .BatchSize("Images")
            .Seeds()
            .Out()
            .Workers()
            .CheckGradient()
            .Data("The digits CSV (gzip)");
    }
}
