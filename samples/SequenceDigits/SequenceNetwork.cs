using System;
using Backprop.Symbolic;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace SequenceDigits;

/// <summary>
/// The network: an LSTM reads an image's rows x₁ … x₈ (time-major, [8, B, 8]) one per time step, and a linear classifier
/// scores its last hidden state. The state carries h and c side by side ([B, 2H]), so one layer call is one step. The
/// generator writes <c>LossGradient</c>: the loop runs forward keeping each step's views, then backward, last step first
/// (backpropagation through time in generated code).
/// </summary>
public static partial class SequenceNetwork
{
    /// <summary>The mean cross-entropy of the network's predictions for the images of <paramref name="rows"/>.</summary>
    [Differentiable(nameof(W), nameof(U), nameof(b), nameof(V), nameof(c))]
    public static float Loss(Tensor rows, ReadOnlySpan<int> labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c) =>
        SoftmaxCrossEntropy(Logits(rows, state0, W, U, b, V, c), labels);

    /// <summary>The class scores: the LSTM unrolled over the rows, then hT·V + c.</summary>
    [Differentiable]
    public static Tensor Logits(Tensor rows, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c)
    {
        Tensor state = state0;
        for (int t = 0; t < rows.Shape[0]; t++)
        {
            state = LstmCell(TimeStep(rows, t), state, W, U, b);
        }
        return MatMul(Chunk(state, 2, 0), V) + c;
    }

    /// <summary>
    /// One LSTM step: z = x·W + h·U + b holds the pre-activations of the input, forget, cell and output gates side by
    /// side; c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'). Returns the next state [h', c'].
    /// </summary>
    [Differentiable]
    public static Tensor LstmCell(Tensor x, Tensor state, Tensor W, Tensor U, Tensor b)
    {
        Tensor h = Chunk(state, 2, 0);
        Tensor c = Chunk(state, 2, 1);
        Tensor z = MatMul(x, W) + MatMul(h, U) + b;
        Tensor i = Sigmoid(Chunk(z, 4, 0));
        Tensor f = Sigmoid(Chunk(z, 4, 1));
        Tensor g = Tanh(Chunk(z, 4, 2));
        Tensor o = Sigmoid(Chunk(z, 4, 3));
        Tensor cNext = f * c + i * g;
        return Concat(1, o * Tanh(cNext), cNext);
    }
}
