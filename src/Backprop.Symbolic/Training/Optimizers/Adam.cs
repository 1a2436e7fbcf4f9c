using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Symbolic.Training.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015, Algorithm 1), with bias correction:
/// <c>m ← β₁m + (1 − β₁)g</c>; <c>v ← β₂v + (1 − β₂)g²</c>;
/// <c>θ ← θ − η·m̂ / (√v̂ + ε)</c> with <c>m̂ = m / (1 − β₁ᵗ)</c>, <c>v̂ = v / (1 − β₂ᵗ)</c> and t the step number from 1.
/// </summary>
/// <remarks>
/// Defaults are the paper's: η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8. The optional weight decay is the classic,
/// <em>coupled</em> L2 penalty (<c>g ← g + λθ</c> before the moments, as <c>torch.optim.Adam(weight_decay=λ)</c>);
/// for decoupled decay use <see cref="AdamW"/>. The computation is PyTorch's:
/// <c>θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)</c>.
/// </remarks>
public class Adam : Optimizer
{
    /// <summary>Adam with learning rate η, β₁, β₂, ε and coupled L2 weight decay λ (default 0).</summary>
    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
        : this(learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay: 0f)
    {
    }

    private protected Adam(float learningRate, float beta1, float beta2, float epsilon, float weightDecay, float decoupledWeightDecay)
        : base(learningRate)
    {
        Beta1 = Require(beta1, 0, 1, nameof(beta1), highExclusive: true);
        Beta2 = Require(beta2, 0, 1, nameof(beta2), highExclusive: true);
        Epsilon = Require(epsilon, 0, float.MaxValue, nameof(epsilon));
        L2WeightDecay = Require(weightDecay, 0, float.MaxValue, nameof(weightDecay));
        DecoupledWeightDecay = Require(decoupledWeightDecay, 0, float.MaxValue, nameof(weightDecay));
    }

    /// <summary>The decay β₁ of the first moment.</summary>
    public float Beta1 { get; }

    /// <summary>The decay β₂ of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>The ε added to √v̂.</summary>
    public float Epsilon { get; }

    /// <summary>The coupled L2 factor λ added to the gradient as λθ (0 for <see cref="AdamW"/>).</summary>
    public float L2WeightDecay { get; }

    /// <summary>The decoupled factor λ applied as <c>θ ← θ − ηλθ</c> (0 for <see cref="Adam"/>).</summary>
    public float DecoupledWeightDecay { get; }

    /// <summary>Two buffers: the moments m and v.</summary>
    protected override int StateBufferCount => 2;

    /// <inheritdoc/>
    protected override void Update(Span<float> values, ReadOnlySpan<float> gradients, long step)
    {
        float rate = LearningRate;
        float beta1 = Beta1;
        float beta2 = Beta2;
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        float epsilon = Epsilon;
        float l2 = L2WeightDecay;
        float shrink = 1f - (rate * DecoupledWeightDecay);
        float stepSize = (float)(rate / (1.0 - Math.Pow(beta1, step)));
        float inverseRootCorrection = (float)(1.0 / Math.Sqrt(1.0 - Math.Pow(beta2, step)));

        Span<float> m = State(0);
        Span<float> v = State(1);
        ref float theta = ref MemoryMarshal.GetReference(values);
        ref float grad = ref MemoryMarshal.GetReference(gradients);
        ref float mRef = ref MemoryMarshal.GetReference(m);
        ref float vRef = ref MemoryMarshal.GetReference(v);
        int n = values.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vBeta1 = Vector256.Create(beta1);
            var vBeta2 = Vector256.Create(beta2);
            var vOneMinusBeta1 = Vector256.Create(oneMinusBeta1);
            var vOneMinusBeta2 = Vector256.Create(oneMinusBeta2);
            var vEpsilon = Vector256.Create(epsilon);
            var vL2 = Vector256.Create(l2);
            var vShrink = Vector256.Create(shrink);
            var vStepSize = Vector256.Create(stepSize);
            var vInverseRoot = Vector256.Create(inverseRootCorrection);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> t = Vector256.LoadUnsafe(ref theta, (nuint)i);
                Vector256<float> g = Vector256.FusedMultiplyAdd(vL2, t, Vector256.LoadUnsafe(ref grad, (nuint)i));
                Vector256<float> mi = Vector256.FusedMultiplyAdd(vBeta1, Vector256.LoadUnsafe(ref mRef, (nuint)i), vOneMinusBeta1 * g);
                Vector256<float> vi = Vector256.FusedMultiplyAdd(vBeta2, Vector256.LoadUnsafe(ref vRef, (nuint)i), vOneMinusBeta2 * g * g);
                mi.StoreUnsafe(ref mRef, (nuint)i);
                vi.StoreUnsafe(ref vRef, (nuint)i);
                Vector256<float> denominator = Vector256.FusedMultiplyAdd(Vector256.Sqrt(vi), vInverseRoot, vEpsilon);
                ((vShrink * t) - (vStepSize * mi / denominator)).StoreUnsafe(ref theta, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float t = values[i];
            float g = MathF.FusedMultiplyAdd(l2, t, gradients[i]);
            float mi = MathF.FusedMultiplyAdd(beta1, m[i], oneMinusBeta1 * g);
            float vi = MathF.FusedMultiplyAdd(beta2, v[i], oneMinusBeta2 * g * g);
            m[i] = mi;
            v[i] = vi;
            float denominator = MathF.FusedMultiplyAdd(MathF.Sqrt(vi), inverseRootCorrection, epsilon);
            values[i] = (shrink * t) - (stepSize * mi / denominator);
        }
    }
}

/// <summary>
/// AdamW (Loshchilov and Hutter, "Decoupled weight decay regularization", 2019): Adam whose weight decay shrinks the
/// parameters directly instead of entering the gradient: <c>θ ← θ − ηλθ</c>, then the <see cref="Adam"/> update
/// from the unchanged gradient. As in <c>torch.optim.AdamW</c>, the decay is scaled by the (scheduled) learning rate.
/// </summary>
/// <remarks>Defaults: η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0.01 (PyTorch's).</remarks>
public sealed class AdamW : Adam
{
    /// <summary>AdamW with learning rate η, β₁, β₂, ε and decoupled weight decay λ.</summary>
    public AdamW(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(learningRate, beta1, beta2, epsilon, weightDecay: 0f, decoupledWeightDecay: weightDecay)
    {
    }
}
