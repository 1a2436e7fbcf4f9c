using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace Backprop.Symbolic.Layers;

/// <summary>
/// Ready-made recurrent cells, written as [Differentiable] layers: a [Differentiable] method unrolls one over the time
/// steps of a sequence with an ordinary <c>for</c> loop, and the generator differentiates the loop (backpropagation
/// through time in generated code). The generator also wrote each cell's <c>{Name}Value</c>, <c>{Name}Pullback</c> and
/// <c>{Name}Derivative</c> into this class, which generated code calls; called outside [Differentiable] code, a cell
/// runs eagerly.
/// </summary>
/// <example>
/// <code>
/// Tensor state = state0;                       // [B, 2H]: h and c side by side
/// for (int t = 0; t &lt; xs.Shape[0]; t++)      // xs: [T, B, F], time-major
/// {
///     state = Recurrent.LstmCell(TimeStep(xs, t), state, W, U, b);
/// }
/// Tensor h = Chunk(state, 2, 0);
/// </code>
/// </example>
public static partial class Recurrent
{
    /// <summary>
    /// The Elman cell: h' = tanh(x·W + h·U + b), for x [B, F], h [B, H], W [F, H], U [H, H] and b [H].
    /// </summary>
    /// <returns>The next hidden state h', [B, H].</returns>
    [Differentiable]
    public static Tensor RnnCell(Tensor x, Tensor h, Tensor W, Tensor U, Tensor b) =>
        Tanh(MatMul(x, W) + MatMul(h, U) + b);

    /// <summary>
    /// The LSTM cell. Its state holds the hidden state h and the cell state c side by side, [B, 2H], so one call is one
    /// step and a loop carries one tensor. z = x·W + h·U + b holds the pre-activations of the four gates side by side
    /// (W [F, 4H], U [H, 4H], b [4H]): input i = σ(z₀), forget f = σ(z₁), candidate g = tanh(z₂), output o = σ(z₃);
    /// then c' = f ⊙ c + i ⊙ g and h' = o ⊙ tanh(c'). Read h from a state with <c>Chunk(state, 2, 0)</c>; a zero
    /// state [B, 2H] starts a sequence.
    /// </summary>
    /// <returns>The next state [h', c'], [B, 2H].</returns>
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
