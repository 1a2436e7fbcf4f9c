namespace Backprop.Symbolic.Instruments;

/// <summary>
/// The function that produced an activation, which decides when one of its values counts as saturated (its derivative
/// nearly zero, so almost no gradient passes through it).
/// </summary>
public enum ActivationKind
{
    /// <summary>No activation (a product, a sum, a layer's result): nothing counts as saturated.</summary>
    None,

    /// <summary><c>Tanh</c>: saturated where |y| &gt; 0.97 (tanh' = 1 − y² &lt; 0.06).</summary>
    Tanh,

    /// <summary><c>Sigmoid</c>: saturated where y &lt; 0.03 or y &gt; 0.97 (σ' = σ(1 − σ) &lt; 0.03).</summary>
    Sigmoid,

    /// <summary><c>Relu</c>: saturated ("dead") where y is exactly 0 (relu' = 0).</summary>
    Relu,
}
