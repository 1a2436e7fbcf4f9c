using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Symbolic.Training.Optimizers;

/// <summary>
/// RMSProp (Tieleman and Hinton, 2012): <c>g ← g + λθ</c>; <c>s ← ρs + (1 − ρ)g²</c>; <c>θ ← θ − η·g / (√s + ε)</c>,
/// with s starting at 0 and ε outside the square root, as PyTorch and Keras do; λ is L2 weight decay added to the
/// gradient, as PyTorch's <c>weight_decay</c>.
/// </summary>
/// <remarks>
/// Defaults: η = 0.001, ρ = 0.9 (the value of Hinton's lecture and of Keras/TensorFlow; PyTorch's default
/// <c>alpha</c> is 0.99), ε = 1e-8 (PyTorch's), λ = 0.
/// </remarks>
public sealed class RmsProp : Optimizer
{
    /// <summary>RMSProp with learning rate η, decay ρ, ε and L2 weight decay λ.</summary>
    public RmsProp(float learningRate = 0.001f, float rho = 0.9f, float epsilon = 1e-8f, float weightDecay = 0f)
        : base(learningRate)
    {
        Rho = Require(rho, 0, 1, nameof(rho), highExclusive: true);
        Epsilon = Require(epsilon, 0, float.MaxValue, nameof(epsilon));
        WeightDecay = Require(weightDecay, 0, float.MaxValue, nameof(weightDecay));
    }

    /// <summary>The L2 weight-decay factor λ added to the gradient as λθ.</summary>
    public float WeightDecay { get; }

    /// <summary>The decay ρ of the running mean of squared gradients.</summary>
    public float Rho { get; }

    /// <summary>The ε added to the root mean square.</summary>
    public float Epsilon { get; }

    /// <summary>One buffer: the running mean of squared gradients s.</summary>
    protected override int StateBufferCount => 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> values, ReadOnlySpan<float> gradients, long step)
    {
        float rate = LearningRate;
        float rho = Rho;
        float oneMinusRho = 1f - rho;
        float epsilon = Epsilon;
        float decay = WeightDecay;
        Span<float> meanSquare = State(0);
        ref float theta = ref MemoryMarshal.GetReference(values);
        ref float grad = ref MemoryMarshal.GetReference(gradients);
        ref float ms = ref MemoryMarshal.GetReference(meanSquare);
        int n = values.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vRate = Vector256.Create(rate);
            var vRho = Vector256.Create(rho);
            var vOneMinusRho = Vector256.Create(oneMinusRho);
            var vEpsilon = Vector256.Create(epsilon);
            var vDecay = Vector256.Create(decay);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> t = Vector256.LoadUnsafe(ref theta, (nuint)i);
                Vector256<float> g = Vector256.FusedMultiplyAdd(vDecay, t, Vector256.LoadUnsafe(ref grad, (nuint)i));
                Vector256<float> s = Vector256.FusedMultiplyAdd(vRho, Vector256.LoadUnsafe(ref ms, (nuint)i), vOneMinusRho * g * g);
                s.StoreUnsafe(ref ms, (nuint)i);
                (t - (vRate * g / (Vector256.Sqrt(s) + vEpsilon))).StoreUnsafe(ref theta, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float g = MathF.FusedMultiplyAdd(decay, values[i], gradients[i]);
            float s = MathF.FusedMultiplyAdd(rho, meanSquare[i], oneMinusRho * g * g);
            meanSquare[i] = s;
            values[i] -= rate * g / (MathF.Sqrt(s) + epsilon);
        }
    }
}
