using System;
using Backprop.Symbolic;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace Digits;

/// <summary>
/// The network, as the formula ŷ = softmax(f(f(x·W1 + b1)·W2 + b2)·W3 + b3) with f = tanh: two hidden layers and a
/// softmax output, trained by cross-entropy. The generator writes <c>LossGradient</c> from <see cref="Loss"/>, and, as both
/// methods are instrumented, an overload of it that reports the hidden activations h1, h2 and their adjoints to a sink
/// (<c>--instruments</c>); the overload without a sink is the same code as without instrumentation.
/// </summary>
public static partial class DigitsNetwork
{
    /// <summary>The mean cross-entropy of the network's predictions for the rows of <paramref name="x"/>.</summary>
    [Differentiable(nameof(W1), nameof(b1), nameof(W2), nameof(b2), nameof(W3), nameof(b3), Instrumented = true)]
    public static float Loss(Tensor x, ReadOnlySpan<int> labels, Tensor W1, Tensor b1, Tensor W2, Tensor b2, Tensor W3, Tensor b3) =>
        SoftmaxCrossEntropy(Logits(x, W1, b1, W2, b2, W3, b3), labels);

    /// <summary>
    /// The class scores (logits) for the rows of <paramref name="x"/>: a layer, so <see cref="Loss"/> composes it, and an
    /// ordinary method, so the sample evaluates it eagerly on the validation and test splits.
    /// </summary>
    [Differentiable(Instrumented = true)]
    public static Tensor Logits(Tensor x, Tensor W1, Tensor b1, Tensor W2, Tensor b2, Tensor W3, Tensor b3)
    {
        Tensor h1 = Tanh(MatMul(x, W1) + b1);
        Tensor h2 = Tanh(MatMul(h1, W2) + b2);
        return MatMul(h2, W3) + b3;
    }
}
