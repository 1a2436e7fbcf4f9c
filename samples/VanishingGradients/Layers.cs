using System;
using Backprop.Symbolic;
using Backprop.Symbolic.Layers;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace VanishingGradients;

/// <summary>
/// The layers the depth experiments stack, each one <c>[Differentiable]</c> formula. The generator gives each a
/// <c>{Name}Value</c> (the forward computation) and a <c>{Name}Pullback</c> (∂L/∂inputs from ∂L/∂result), which the
/// program chains by hand, so every layer's activation and adjoint is at hand to measure. The time experiment's losses
/// loop over the steps themselves, and their generated gradients give ∂L/∂x_t for every step.
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

    /// <summary>
    /// The loss after a vanilla RNN read a time-major sequence <paramref name="xs"/> [T, B, F]: h_(t+1) = tanh(x_t·W + h_t·U
    /// + b) (the runtime's <see cref="Backprop.Symbolic.Layers.Recurrent.RnnCell"/>), then softmax cross-entropy of h_T·R.
    /// The generator differentiates the loop (backpropagation through time); ∂L/∂xs holds ∂L/∂x_t in block t.
    /// </summary>
    [Differentiable(nameof(xs))]
    public static float RnnSequenceLoss(Tensor xs, Tensor h0, ReadOnlySpan<int> labels, Tensor w, Tensor u, Tensor b, Tensor r)
    {
        Tensor h = h0;
        for (int t = 0; t < xs.Shape[0]; t++)
        {
            h = Recurrent.RnnCell(TimeStep(xs, t), h, w, u, b);
        }
        return SoftmaxCrossEntropy(MatMul(h, r), labels);
    }

    /// <summary>
    /// The same after an LSTM (<see cref="Backprop.Symbolic.Layers.Recurrent.LstmCell"/>): the state [B, 2H] holds h and the
    /// cell state c side by side, c_(t+1) = f ⊙ c_t + i ⊙ g, and the readout takes h_T.
    /// </summary>
    [Differentiable(nameof(xs))]
    public static float LstmSequenceLoss(Tensor xs, Tensor state0, ReadOnlySpan<int> labels, Tensor w, Tensor u, Tensor b, Tensor r)
    {
        Tensor state = state0;
        for (int t = 0; t < xs.Shape[0]; t++)
        {
            state = Recurrent.LstmCell(TimeStep(xs, t), state, w, u, b);
        }
        return SoftmaxCrossEntropy(MatMul(Chunk(state, 2, 0), r), labels);
    }
}
