using System;
using Backprop.Symbolic.Training.Optimizers;

namespace Samples.Shared;

/// <summary>The optimizers the samples offer by name (the values of their <c>--optimizer</c> option).</summary>
public static class OptimizerFactory
{
    /// <summary>Every name <see cref="Create"/> knows.</summary>
    public static readonly string[] Names = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"];

    /// <summary>
    /// The optimizer called <paramref name="name"/> with <paramref name="learningRate"/>, <paramref name="weightDecay"/>
    /// and its usual defaults otherwise.
    /// </summary>
    public static Optimizer Create(string name, float learningRate, float weightDecay = 0f) => name switch
    {
        "sgd" => new Sgd(learningRate, weightDecay: weightDecay),
        "momentum" => new Momentum(learningRate, weightDecay: weightDecay),
        "nesterov" => new Nesterov(learningRate, weightDecay: weightDecay),
        "rmsprop" => new RmsProp(learningRate, weightDecay: weightDecay),
        "adam" => new Adam(learningRate, weightDecay: weightDecay),
        "adamw" => new AdamW(learningRate, weightDecay: weightDecay),
        _ => throw new ArgumentException($"Unknown optimizer '{name}'; use one of {string.Join(", ", Names)}."),
    };
}
