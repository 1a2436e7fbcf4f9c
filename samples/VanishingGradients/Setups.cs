using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training.Initializers;

namespace VanishingGradients;

/// <summary>An activation the stacks use: its name, and its layer's generated forward computation and pullback.</summary>
/// <param name="Value">y = f(x·A) into the workspace (<c>{Name}Value</c>).</param>
/// <param name="Pullback">Adds ∂L/∂x and ∂L/∂A from ∂L/∂y (<c>{Name}Pullback</c>; a <c>default</c> adjoint is skipped).</param>
public sealed record Activation(string Name, Func<Tensor, Tensor, Tensor> Value, Action<Tensor, Tensor, Tensor, Tensor, Tensor> Pullback)
{
    public static readonly Activation Sigmoid = new("sigmoid", Layers.SigmoidLayerValue, Layers.SigmoidLayerPullback);
    public static readonly Activation Tanh = new("tanh", Layers.TanhLayerValue, Layers.TanhLayerPullback);
    public static readonly Activation Relu = new("relu", Layers.ReluLayerValue, Layers.ReluLayerPullback);

    public static readonly Activation[] All = { Sigmoid, Tanh, Relu };

    public static Activation Named(string name) => Array.Find(All, a => a.Name == name)
        ?? throw new ArgumentException($"Unknown activation '{name}'; use sigmoid, tanh or relu.");

    public override string ToString() => Name;
}

/// <summary>How the weights A_ij are drawn.</summary>
public sealed record Draw(string Name, string Formula, Func<long, Initializer> Create)
{
    /// <summary>A_ij ~ N(0, 1): the seed's setting.</summary>
    public static readonly Draw Standard = new("N(0,1)", "σ = 1", seed => Initializer.Normal(0, 1, seed));

    /// <summary>Glorot and Bengio: σ² = 2 / (fan-in + fan-out).</summary>
    public static readonly Draw Xavier = new("Xavier", "σ² = 2/(in+out)", seed => Initializer.XavierNormal(seed));

    /// <summary>He et al.: σ² = 2 / fan-in.</summary>
    public static readonly Draw He = new("He", "σ² = 2/in", seed => Initializer.HeNormal(seed));

    public static readonly Draw[] All = { Standard, Xavier, He };

    public static Draw Named(string name) => Array.Find(All, d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)
        || (name == "normal" && d == Standard)) ?? throw new ArgumentException($"Unknown draw '{name}'; use normal, xavier or he.");

    public override string ToString() => Name;
}
