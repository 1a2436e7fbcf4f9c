using System;
using Backprop.Symbolic;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace Digits;

/// <summary>
/// The network, as the formula ŷ = softmax(f(f(x·A + a)·B + b)·C + c) with f = tanh: two hidden layers and a
/// softmax output, trained by cross-entropy. The generator writes <c>LossGradient</c> from <see cref="Loss"/>.
/// </summary>
public static partial class DigitsNetwork
{
    /// <summary>The mean cross-entropy of the network's predictions for the rows of <paramref name="x"/>.</summary>
    [Differentiable(nameof(A), nameof(a), nameof(B), nameof(b), nameof(C), nameof(c))]
    public static float Loss(Tensor x, ReadOnlySpan<int> labels, Tensor A, Tensor a, Tensor B, Tensor b, Tensor C, Tensor c)
    {
        Tensor h1 = Tanh(MatMul(x, A) + a);
        Tensor h2 = Tanh(MatMul(h1, B) + b);
        return SoftmaxCrossEntropy(MatMul(h2, C) + c, labels);
    }

    /// <summary>The class scores (logits) for the rows of <paramref name="x"/>, evaluated eagerly.</summary>
    public static Tensor Logits(Tensor x, Tensor A, Tensor a, Tensor B, Tensor b, Tensor C, Tensor c)
    {
        Tensor h1 = Tanh(MatMul(x, A) + a);
        Tensor h2 = Tanh(MatMul(h1, B) + b);
        return MatMul(h2, C) + c;
    }
}
