using System;
using Backprop.Symbolic;
using Backprop.Symbolic.Layers;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace SequenceDigits;

/// <summary>
/// The network: an LSTM (the runtime's <see cref="Recurrent.LstmCell"/>) reads an image's rows x₁ … x₈ (time-major,
/// [8, B, 8]) one per time step, and a linear classifier scores its last hidden state. The state carries h and c side
/// by side ([B, 2H]), so one layer call is one step. The
/// generator writes <c>LossGradient</c>: the loop runs forward keeping each step's views, then backward, last step first
/// (backpropagation through time in generated code).
/// </summary>
public static partial class SequenceNetwork
{
    /// <summary>The mean cross-entropy of the network's predictions for the images of <paramref name="rows"/>.</summary>
    [Differentiable(nameof(W), nameof(U), nameof(b), nameof(V), nameof(c), Instrumented = true)]
    public static float Loss(Tensor rows, ReadOnlySpan<int> labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c) =>
        SoftmaxCrossEntropy(Logits(rows, state0, W, U, b, V, c), labels);

    /// <summary>The class scores: the LSTM unrolled over the rows, then hT·V + c.</summary>
    [Differentiable(Instrumented = true)]
    public static Tensor Logits(Tensor rows, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c)
    {
        Tensor state = state0;
        for (int t = 0; t < rows.Shape[0]; t++)
        {
            state = Recurrent.LstmCell(TimeStep(rows, t), state, W, U, b);
        }
        return MatMul(Chunk(state, 2, 0), V) + c;
    }
}
