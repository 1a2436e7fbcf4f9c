using System;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace Backprop.Symbolic.Benchmarks.Convolutions;

/// <summary>
/// The DigitsConv sample's network on [N, 1, 8, 8] images: conv 3×3 (+ bias), ReLU, max pool 2, conv 3×3 (+ bias), ReLU,
/// flatten, dense, softmax cross-entropy. Written twice: as one method (<see cref="Flat"/>), and as the sample writes it,
/// a loss composing layers (<see cref="Layered"/>), whose backward sweep runs each layer's pullback (which computes the
/// layer's forward sweep again).
/// </summary>
public static partial class CnnObjective
{
    [Differentiable(nameof(k1), nameof(c1), nameof(k2), nameof(c2), nameof(w), nameof(b))]
    public static float Flat(Tensor x, ReadOnlySpan<int> y, Tensor k1, Tensor c1, Tensor k2, Tensor c2, Tensor w, Tensor b)
    {
        Tensor h1 = MaxPool2D(Relu(Conv2D(x, k1, c1, 1, 1)), 2);
        Tensor h2 = Relu(Conv2D(h1, k2, c2, 1, 1));
        return SoftmaxCrossEntropy(MatMul(Flatten(h2), w) + b, y);
    }

    [Differentiable(nameof(k1), nameof(c1), nameof(k2), nameof(c2), nameof(w), nameof(b))]
    public static float Layered(Tensor x, ReadOnlySpan<int> y, Tensor k1, Tensor c1, Tensor k2, Tensor c2, Tensor w, Tensor b) =>
        SoftmaxCrossEntropy(MatMul(Flatten(Features(x, k1, c1, k2, c2)), w) + b, y);

    [Differentiable]
    public static Tensor Features(Tensor x, Tensor k1, Tensor c1, Tensor k2, Tensor c2) =>
        Relu(Conv2D(MaxPool2D(Relu(Conv2D(x, k1, c1, 1, 1)), 2), k2, c2, 1, 1));
}
