using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Symbolic.Training.Optimizers;

/// <summary>
/// Plain stochastic gradient descent: <c>g ← g + λθ</c> (L2 weight decay, off by default), then <c>θ ← θ − η·g</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>SGD with learning rate η (default 0.01) and L2 weight decay λ (default 0).</summary>
    public Sgd(float learningRate = 0.01f, float weightDecay = 0f)
        : base(learningRate)
    {
        WeightDecay = Require(weightDecay, 0, float.MaxValue, nameof(weightDecay));
    }

    /// <summary>The L2 weight-decay factor λ added to the gradient as λθ.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> values, ReadOnlySpan<float> gradients, long step)
    {
        float rate = LearningRate;
        float decay = WeightDecay;
        ref float theta = ref MemoryMarshal.GetReference(values);
        ref float grad = ref MemoryMarshal.GetReference(gradients);
        int n = values.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vRate = Vector256.Create(-rate);
            var vDecay = Vector256.Create(decay);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> t = Vector256.LoadUnsafe(ref theta, (nuint)i);
                Vector256<float> g = Vector256.FusedMultiplyAdd(vDecay, t, Vector256.LoadUnsafe(ref grad, (nuint)i));
                Vector256.FusedMultiplyAdd(vRate, g, t).StoreUnsafe(ref theta, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float t = values[i];
            float g = MathF.FusedMultiplyAdd(decay, t, gradients[i]);
            values[i] = MathF.FusedMultiplyAdd(-rate, g, t);
        }
    }
}
