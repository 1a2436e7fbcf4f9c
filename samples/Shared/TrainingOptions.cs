using System;
using System.IO;
using Backprop.Symbolic.Training.Optimizers;

namespace Samples.Shared;

/// <summary>
/// What every training sample is told: the optimizer, the training loop's settings, the seeds, the data and the output
/// folder. A sample's own options record derives from this one, gives its defaults to the constructor and adds its own.
/// </summary>
public abstract record TrainingOptions
{
    /// <summary>The defaults a sample differs in: the learning rate, the epochs, the output folder and the data file (in the data folder next to the program).</summary>
    protected TrainingOptions(float learningRate, int epochs, string outFolder, string dataFile)
    {
        LearningRate = learningRate;
        Epochs = epochs;
        Out = outFolder;
        Data = Path.Combine(AppContext.BaseDirectory, "data", dataFile);
    }

    public string Optimizer { get; init; } = "adam";
    public float LearningRate { get; init; }
    public float WeightDecay { get; init; }
    public int Epochs { get; init; }
    public int BatchSize { get; init; } = 32;
    public int Seed { get; init; } = 1;
    public int SplitSeed { get; init; } = 1;
    public string Out { get; init; }
    public int Workers { get; init; } = 1;
    public bool CheckGradient { get; init; } = true;
    public bool Instruments { get; init; }
    public string Data { get; init; }

    /// <summary>The optimizer named by <see cref="Optimizer"/>, with <see cref="LearningRate"/>, <see cref="WeightDecay"/> and its usual defaults otherwise.</summary>
    public Optimizer CreateOptimizer() => OptimizerFactory.Create(Optimizer, LearningRate, WeightDecay);

    /// <summary>What is wrong with these options, or null: the training settings, then the sample's own, then the workers and the data.</summary>
    public string? Problem() =>
        Epochs < 1 ? "--epochs must be at least 1."
        : BatchSize < 1 ? "--batch-size must be at least 1."
        : !(LearningRate > 0) || !float.IsFinite(LearningRate) ? "--learning-rate must be a number above 0."
        : SampleProblem() is { } problem ? problem
        : Workers < 1 || Workers > BatchSize ? "--workers must be between 1 and --batch-size."
        : !File.Exists(Data) ? MissingData()
        : null;

    /// <summary>What is wrong with the sample's own options, or null.</summary>
    protected virtual string? SampleProblem() => null;

    /// <summary>The message when <see cref="Data"/> does not exist.</summary>
    protected virtual string MissingData() => $"The digits data '{Data}' does not exist; pass its path with --data.";
}
