using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Symbolic.Training.Optimizers;

/// <summary>
/// SGD with heavy-ball momentum, in PyTorch's formulation (<c>torch.optim.SGD</c>, dampening 0):
/// <c>g ← g + λθ</c>; <c>v ← μv + g</c>; <c>θ ← θ − η·v</c>, with v starting at 0 (so the first step is plain SGD).
/// </summary>
/// <remarks>
/// The velocity accumulates gradients, not learning-rate-scaled steps, so a schedule changing η rescales the whole
/// step at once (Sutskever et al.'s form, <c>v ← μv − ηg; θ ← θ + v</c>, differs only when η changes).
/// </remarks>
public class Momentum : Optimizer
{
    /// <summary>Momentum SGD with learning rate η (default 0.01), momentum μ (default 0.9) and L2 weight decay λ (default 0).</summary>
    public Momentum(float learningRate = 0.01f, float momentum = 0.9f, float weightDecay = 0f)
        : this(learningRate, momentum, weightDecay, nesterov: false)
    {
    }

    private protected Momentum(float learningRate, float momentum, float weightDecay, bool nesterov)
        : base(learningRate)
    {
        MomentumFactor = Require(momentum, 0, 1, nameof(momentum), highExclusive: true);
        WeightDecay = Require(weightDecay, 0, float.MaxValue, nameof(weightDecay));
        IsNesterov = nesterov;
    }

    /// <summary>The momentum factor μ.</summary>
    public float MomentumFactor { get; }

    /// <summary>The L2 weight-decay factor λ added to the gradient as λθ.</summary>
    public float WeightDecay { get; }

    /// <summary>True for Nesterov's accelerated gradient (<see cref="Nesterov"/>).</summary>
    public bool IsNesterov { get; }

    /// <summary>One buffer: the velocity v.</summary>
    protected override int StateBufferCount => 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> values, ReadOnlySpan<float> gradients, long step)
    {
        float rate = LearningRate;
        float mu = MomentumFactor;
        float decay = WeightDecay;
        // Nesterov steps along g + μv (the look-ahead); heavy ball along v, i.e. 0·g + 1·v.
        float gradientWeight = IsNesterov ? 1f : 0f;
        float velocityWeight = IsNesterov ? mu : 1f;
        Span<float> velocity = State(0);
        ref float theta = ref MemoryMarshal.GetReference(values);
        ref float grad = ref MemoryMarshal.GetReference(gradients);
        ref float vel = ref MemoryMarshal.GetReference(velocity);
        int n = values.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vRate = Vector256.Create(-rate);
            var vMu = Vector256.Create(mu);
            var vDecay = Vector256.Create(decay);
            var vGradientWeight = Vector256.Create(gradientWeight);
            var vVelocityWeight = Vector256.Create(velocityWeight);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> t = Vector256.LoadUnsafe(ref theta, (nuint)i);
                Vector256<float> g = Vector256.FusedMultiplyAdd(vDecay, t, Vector256.LoadUnsafe(ref grad, (nuint)i));
                Vector256<float> v = Vector256.FusedMultiplyAdd(vMu, Vector256.LoadUnsafe(ref vel, (nuint)i), g);
                v.StoreUnsafe(ref vel, (nuint)i);
                Vector256<float> direction = Vector256.FusedMultiplyAdd(vVelocityWeight, v, vGradientWeight * g);
                Vector256.FusedMultiplyAdd(vRate, direction, t).StoreUnsafe(ref theta, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float t = values[i];
            float g = MathF.FusedMultiplyAdd(decay, t, gradients[i]);
            float v = MathF.FusedMultiplyAdd(mu, velocity[i], g);
            velocity[i] = v;
            float direction = MathF.FusedMultiplyAdd(velocityWeight, v, gradientWeight * g);
            values[i] = MathF.FusedMultiplyAdd(-rate, direction, t);
        }
    }
}

/// <summary>
/// Nesterov's accelerated gradient in PyTorch's formulation (<c>torch.optim.SGD(nesterov=True)</c>, from
/// Sutskever et al. 2013 as rewritten by Bengio et al. 2012 to evaluate the gradient at the current point):
/// <c>g ← g + λθ</c>; <c>v ← μv + g</c>; <c>θ ← θ − η·(g + μv)</c>.
/// </summary>
public sealed class Nesterov : Momentum
{
    /// <summary>Nesterov momentum with learning rate η (default 0.01), momentum μ (default 0.9) and L2 weight decay λ (default 0).</summary>
    public Nesterov(float learningRate = 0.01f, float momentum = 0.9f, float weightDecay = 0f)
        : base(learningRate, momentum, weightDecay, nesterov: true)
    {
    }
}
