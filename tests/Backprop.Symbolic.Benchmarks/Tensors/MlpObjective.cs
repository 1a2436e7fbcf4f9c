using System;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace Backprop.Symbolic.Benchmarks.Tensors;

/// <summary>The benchmark MLP as a user writes it; the generator adds <c>LossGradient</c>.</summary>
public static partial class MlpObjective
{
    /// <summary>CE(softmax(tanh(x·a + b)·c + d), y), the mean over rows.</summary>
    [Differentiable(nameof(a), nameof(b), nameof(c), nameof(d))]
    public static float Loss(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d)
    {
        Tensor h = Tanh(MatMul(x, a) + b);
        return SoftmaxCrossEntropy(MatMul(h, c) + d, y);
    }
}
