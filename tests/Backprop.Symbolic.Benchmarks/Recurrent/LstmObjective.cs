using System;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace Backprop.Symbolic.Benchmarks.Recurrent;

/// <summary>
/// The benchmark LSTM classifier as a user writes it: the runtime's <see cref="Layers.Recurrent.LstmCell"/> layer unrolled over the time steps of
/// xs [T, B, F] with a for loop, then the last hidden state's class scores and their cross-entropy.
/// </summary>
public static partial class RecurrentObjectives
{
    [Differentiable(nameof(W), nameof(U), nameof(b), nameof(V), nameof(c))]
    public static float LstmLoss(Tensor xs, ReadOnlySpan<int> labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c)
    {
        Tensor state = state0;
        for (int t = 0; t < xs.Shape[0]; t++)
        {
            state = Layers.Recurrent.LstmCell(TimeStep(xs, t), state, W, U, b);
        }
        return SoftmaxCrossEntropy(MatMul(Chunk(state, 2, 0), V) + c, labels);
    }

    /// <summary>The same loss with the cell written in the loop's body: no layer call, so no recomputation in a pullback.</summary>
    [Differentiable(nameof(W), nameof(U), nameof(b), nameof(V), nameof(c))]
    public static float LstmLossInline(Tensor xs, ReadOnlySpan<int> labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c)
    {
        Tensor state = state0;
        for (int t = 0; t < xs.Shape[0]; t++)
        {
            Tensor z = MatMul(TimeStep(xs, t), W) + MatMul(Chunk(state, 2, 0), U) + b;
            Tensor cNext = Sigmoid(Chunk(z, 4, 1)) * Chunk(state, 2, 1) + Sigmoid(Chunk(z, 4, 0)) * Tanh(Chunk(z, 4, 2));
            state = Concat(1, Sigmoid(Chunk(z, 4, 3)) * Tanh(cNext), cNext);
        }
        return SoftmaxCrossEntropy(MatMul(Chunk(state, 2, 0), V) + c, labels);
    }
}
