using System;
using Backprop.Symbolic;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace DigitsConv;

/// <summary>
/// The network, as its formula: two 3 × 3 convolutions with ReLU, the first followed by a 2 × 2 max pool, then a dense
/// layer to ten class scores, trained by softmax cross-entropy. The generator writes <c>LossGradient</c> from
/// <see cref="Loss"/>, and <c>FeaturesPullback</c> and <c>LogitsPullback</c> from the layers it composes.
/// </summary>
public static partial class ConvNetwork
{
    /// <summary>The mean cross-entropy of the network's predictions for <paramref name="images"/> [N, 1, 8, 8].</summary>
    [Differentiable(nameof(K1), nameof(c1), nameof(K2), nameof(c2), nameof(W), nameof(b))]
    public static float Loss(Tensor images, ReadOnlySpan<int> labels, Tensor K1, Tensor c1, Tensor K2, Tensor c2, Tensor W, Tensor b) =>
        SoftmaxCrossEntropy(Logits(images, K1, c1, K2, c2, W, b), labels);

    /// <summary>
    /// The class scores [N, 10]: the features flattened, times W, plus b. A layer, so <see cref="Loss"/> composes it, and an
    /// ordinary method, so the sample evaluates it eagerly on the validation and test splits.
    /// </summary>
    [Differentiable]
    public static Tensor Logits(Tensor images, Tensor K1, Tensor c1, Tensor K2, Tensor c2, Tensor W, Tensor b) =>
        MatMul(Flatten(Features(images, K1, c1, K2, c2)), W) + b;

    /// <summary>
    /// The feature maps: [N, 1, 8, 8] → conv 3 × 3, padding 1 → ReLU → max pool 2 → [N, F1, 4, 4] → conv 3 × 3,
    /// padding 1 → ReLU → [N, F2, 4, 4]. Each convolution adds its per-channel bias (c1, c2).
    /// </summary>
    [Differentiable]
    public static Tensor Features(Tensor images, Tensor K1, Tensor c1, Tensor K2, Tensor c2)
    {
        Tensor h1 = MaxPool2D(Relu(Conv2D(images, K1, c1, stride: 1, padding: 1)), 2);
        return Relu(Conv2D(h1, K2, c2, stride: 1, padding: 1));
    }
}
