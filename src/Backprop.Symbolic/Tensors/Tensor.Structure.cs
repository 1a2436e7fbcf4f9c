using System;
using Backprop.Symbolic.Kernels;

namespace Backprop.Symbolic.Tensors;

public readonly partial struct Tensor
{
    /// <summary>
    /// <paramref name="a"/> followed by <paramref name="b"/> along <paramref name="axis"/>, in a new tensor: [m, p] and
    /// [m, q] along 1 give [m, p + q]; [p, n] and [q, n] along 0 give [p + q, n].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not an axis of <paramref name="a"/>.</exception>
    /// <exception cref="ArgumentException">The ranks differ, or a size differs on another axis.</exception>
    public static Tensor Concat(int axis, Tensor a, Tensor b)
    {
        RequireMemory(a, nameof(Concat));
        RequireMemory(b, nameof(Concat));
        Tensor result = Zeros(TensorKernels.ConcatShape(axis, a._shape, b._shape, nameof(Concat)));
        TensorKernels.Concat(axis, a, b, result);
        return result;
    }

    /// <summary>
    /// The embedding lookup: rows <paramref name="rows"/>[0], <paramref name="rows"/>[1], … of the matrix
    /// <paramref name="table"/>, in a new tensor of shape [rows.Length, table.Shape[1]].
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="table"/> is not a matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside the table; the message names its position and value.</exception>
    public static Tensor Gather(Tensor table, ReadOnlySpan<int> rows)
    {
        TensorShape shape = RequireMemory(table, nameof(Gather));
        if (shape.Length != 2)
        {
            throw new ArgumentException($"{nameof(Gather)}: the table must be a matrix [rows, width], but its shape is {shape}.", nameof(table));
        }
        Tensor result = Zeros(rows.Length, shape[1]);
        TensorKernels.Gather(table, rows, result);
        return result;
    }
}
