using System.CommandLine;
using Samples.Shared;

namespace SequenceDigits;

/// <summary>The sample's options (<c>--help</c> lists them with their defaults): the shared training options and the LSTM's own.</summary>
public sealed record Options : TrainingOptions
{
    public Options()
        : base(learningRate: 0.01f, epochs: 20, outFolder: "sequence-digits-output", dataFile: "digits.csv.gz")
    {
    }

    public int Hidden { get; init; } = 32;

    /// <inheritdoc/>
    protected override string? SampleProblem() => Hidden < 1 ? "--hidden must be at least 1." : null;

    /// <summary>The command line: every option with its default.</summary>
    public static SampleCommand<Options> Command()
    {
        var command = new SampleCommand<Options>("Trains an LSTM that reads each UCI handwritten digit row by row, with a compile-time generated gradient.");
        Options d = command.Defaults;
        var hidden = new Option<int>("--hidden") { Description = "Size of the LSTM's hidden state h (the cell state c has the same size)", DefaultValueFactory = _ => d.Hidden };

        return command
            .Optimizer("sgd", "momentum", "rmsprop", "adam")
            .LearningRate()
            .Epochs()
            .Add(hidden, (o, v) => o with { Hidden = v })
            .BatchSize("Images")
            .Seeds()
            .Out()
            .CheckGradient()
            .Instruments("Add to each epoch's line the gradient-norm ratio ‖∂L/∂W‖/‖W‖ of each weight matrix, and the norm of the LSTM state's adjoint at the first and the last time step")
            .Data("The digits CSV (gzip)");
    }
}
