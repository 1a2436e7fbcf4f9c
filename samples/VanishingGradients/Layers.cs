using System;
using Backprop.Symbolic;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace VanishingGradients;

/// <summary>
/// The layers the experiments stack, each one <c>[Differentiable]</c> formula. The generator gives each a
/// <c>{Name}Value</c> (the forward computation) and a <c>{Name}Pullback</c> (∂L/∂inputs from ∂L/∂result), which the
/// program chains by hand, so every layer's activation and adjoint is at hand to measure.
/// </summary>
public static partial class Layers
{
    /// <summary>y = σ(x·A).</summary>
    [Differentiable]
    public static Tensor SigmoidLayer(Tensor x, Tensor a) => Sigmoid(MatMul(x, a));

    /// <summary>y = tanh(x·A).</summary>
    [Differentiable]
    public static Tensor TanhLayer(Tensor x, Tensor a) => Tanh(MatMul(x, a));

    /// <summary>y = relu(x·A).</summary>
    [Differentiable]
    public static Tensor ReluLayer(Tensor x, Tensor a) => Relu(MatMul(x, a));

    /// <summary>The loss on top of a stack: softmax cross-entropy of the readout h·W against the labels.</summary>
    [Differentiable(nameof(h), nameof(w))]
    public static float Readout(Tensor h, ReadOnlySpan<int> labels, Tensor w) => SoftmaxCrossEntropy(MatMul(h, w), labels);

    /// <summary>A vanilla RNN step: h' = tanh(x·W + h·U + b).</summary>
    [Differentiable]
    public static Tensor RnnCell(Tensor x, Tensor h, Tensor w, Tensor u, Tensor b) => Tanh(MatMul(x, w) + MatMul(h, u) + b);

    /// <summary>
    /// An LSTM step's new cell state c' = f ⊙ c + i ⊙ g, with the forget gate f = σ(x·Wf + h·Uf + bf), the input gate
    /// i = σ(x·Wi + h·Ui + bi) and the candidate g = tanh(x·Wg + h·Ug + bg).
    /// </summary>
    [Differentiable]
    public static Tensor LstmCellState(Tensor x, Tensor h, Tensor c, Tensor wf, Tensor uf, Tensor bf, Tensor wi, Tensor ui, Tensor bi, Tensor wg, Tensor ug, Tensor bg)
    {
        Tensor f = Sigmoid(MatMul(x, wf) + MatMul(h, uf) + bf);
        Tensor i = Sigmoid(MatMul(x, wi) + MatMul(h, ui) + bi);
        Tensor g = Tanh(MatMul(x, wg) + MatMul(h, ug) + bg);
        return f * c + i * g;
    }

    /// <summary>An LSTM step's new hidden state h' = o ⊙ tanh(c'), with the output gate o = σ(x·Wo + h·Uo + bo).</summary>
    [Differentiable]
    public static Tensor LstmHidden(Tensor x, Tensor h, Tensor cNext, Tensor wo, Tensor uo, Tensor bo) =>
        Sigmoid(MatMul(x, wo) + MatMul(h, uo) + bo) * Tanh(cNext);
}
