using System;
using Backprop.Symbolic.Kernels;

namespace Backprop.Symbolic.Tensors;

public readonly partial struct Tensor
{
    /// <summary>
    /// Time step <paramref name="t"/> of a time-major sequence: <paramref name="sequence"/> of shape [T, B, F] gives
    /// x_t of shape [B, F] (and [T, F] gives [F]). It is a <b>view</b> of block t: no copy, no allocation. Inside a
    /// [Differentiable] method its adjoint adds into block t of the sequence's adjoint.
    /// </summary>
    /// <exception cref="ArgumentException">The sequence has rank 1 (a time step would have no shape).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is not in 0 … T − 1.</exception>
    public static Tensor TimeStep(Tensor sequence, int t)
    {
        TensorShape step = TensorShapes.TimeStep(RequireMemory(sequence, nameof(TimeStep)), t);
        return new Tensor(sequence._data!, sequence._offset + (t * step.ElementCount), step);
    }

    /// <summary>
    /// Chunk <paramref name="index"/> of <paramref name="x"/> cut into <paramref name="chunks"/> equal parts along its
    /// last axis, in a new tensor: for [B, 4H], <c>Chunk(z, 4, 1)</c> is columns H … 2H − 1, [B, H]. It reads the gates
    /// of an LSTM from one product (i, f, g, o = chunks 0 … 3 of z = x·W + h·U + b) and the two halves of a state
    /// [B, 2H] that holds h and c side by side.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunks"/> is not positive, or <paramref name="index"/> is not in 0 … chunks − 1.</exception>
    /// <exception cref="ArgumentException">The last dimension is not a multiple of <paramref name="chunks"/>.</exception>
    public static Tensor Chunk(Tensor x, int chunks, int index)
    {
        Tensor result = Zeros(TensorShapes.Chunk(RequireMemory(x, nameof(Chunk)), chunks, index));
        TensorKernels.CopyChunk(x, chunks, index, result);
        return result;
    }
}
