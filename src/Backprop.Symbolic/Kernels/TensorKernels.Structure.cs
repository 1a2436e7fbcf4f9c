using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Kernels;

public static partial class TensorKernels
{
    /// <summary>
    /// result = <paramref name="a"/> followed by <paramref name="b"/> along <paramref name="axis"/>. Both have the same
    /// rank and the same sizes on every other axis; the result's size on <paramref name="axis"/> is the sum of theirs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not an axis of <paramref name="a"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not fit together, or the result overlaps an input.</exception>
    public static void Concat(int axis, Tensor a, Tensor b, Tensor result)
    {
        TensorShape expected = ConcatShape(axis, a.Shape, b.Shape, nameof(Concat));
        RequireShape(result, expected, nameof(Concat), "the result");
        RequireDisjoint(result, a, nameof(Concat), "the first operand");
        RequireDisjoint(result, b, nameof(Concat), "the second operand");
        (int outer, _, int inner) = AroundAxis(expected, axis);
        int aBlock = a.Shape[axis] * inner;
        int bBlock = b.Shape[axis] * inner;
        ReadOnlySpan<float> first = a.Span;
        ReadOnlySpan<float> second = b.Span;
        Span<float> target = result.Span;
        for (int o = 0; o < outer; o++)
        {
            int start = o * (aBlock + bBlock);
            first.Slice(o * aBlock, aBlock).CopyTo(target.Slice(start, aBlock));
            second.Slice(o * bBlock, bBlock).CopyTo(target.Slice(start + aBlock, bBlock));
        }
    }

    /// <summary>
    /// The backward of <see cref="Concat"/>: dA += the first part of <paramref name="dResult"/> along
    /// <paramref name="axis"/>, dB += the rest. A <c>default(Tensor)</c> adjoint is skipped.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not an axis of <paramref name="dResult"/>.</exception>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public static void ConcatBackward(int axis, Tensor dResult, Tensor dA, Tensor dB)
    {
        const string Operation = nameof(ConcatBackward);
        RequireAxis(dResult, axis, Operation);
        if (dA.IsDefault && dB.IsDefault)
        {
            return;
        }
        int aSize;
        if (!dA.IsDefault && !dB.IsDefault)
        {
            RequireShape(dResult, ConcatShape(axis, dA.Shape, dB.Shape, Operation), Operation, "the result's adjoint");
            aSize = dA.Shape[axis];
        }
        else
        {
            Tensor part = dA.IsDefault ? dB : dA;
            RequirePart(axis, dResult.Shape, part.Shape, Operation);
            aSize = dA.IsDefault ? dResult.Shape[axis] - dB.Shape[axis] : dA.Shape[axis];
        }
        RequireDisjoint(dA, dResult, Operation, "the result's adjoint");
        RequireDisjoint(dB, dResult, Operation, "the result's adjoint");
        (int outer, int size, int inner) = AroundAxis(dResult.Shape, axis);
        int aBlock = aSize * inner;
        int bBlock = (size - aSize) * inner;
        ReadOnlySpan<float> source = dResult.Span;
        Span<float> first = dA.Span;
        Span<float> second = dB.Span;
        for (int o = 0; o < outer; o++)
        {
            int start = o * (aBlock + bBlock);
            if (!dA.IsDefault)
            {
                Span<float> part = first.Slice(o * aBlock, aBlock);
                TensorPrimitives.Add(part, source.Slice(start, aBlock), part);
            }
            if (!dB.IsDefault)
            {
                Span<float> part = second.Slice(o * bBlock, bBlock);
                TensorPrimitives.Add(part, source.Slice(start + aBlock, bBlock), part);
            }
        }
    }

    /// <summary>
    /// result[i, :] = table[rows[i], :]: the embedding lookup. <paramref name="table"/> is [V, d] and
    /// <paramref name="result"/> is [rows.Length, d].
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="table"/> is not a matrix, or the result's shape is not [rows.Length, d].</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside the table.</exception>
    public static void Gather(Tensor table, ReadOnlySpan<int> rows, Tensor result)
    {
        int width = RequireGather(table.Shape, rows, result.Shape, "the result", nameof(Gather));
        RequireDisjoint(result, table, nameof(Gather), "the table");
        ReadOnlySpan<float> source = table.Span;
        Span<float> target = result.Span;
        for (int i = 0; i < rows.Length; i++)
        {
            source.Slice(rows[i] * width, width).CopyTo(target.Slice(i * width, width));
        }
    }

    /// <summary>
    /// dTable[rows[i], :] += dResult[i, :] for every i (a scatter-add: a row gathered twice receives both adjoints):
    /// the backward of <see cref="Gather"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="dTable"/> is not a matrix, or <paramref name="dResult"/>'s shape is not [rows.Length, d].</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside the table.</exception>
    public static void GatherBackward(Tensor dResult, ReadOnlySpan<int> rows, Tensor dTable)
    {
        int width = RequireGather(dTable.Shape, rows, dResult.Shape, "the result's adjoint", nameof(GatherBackward));
        RequireDisjoint(dTable, dResult, nameof(GatherBackward), "the result's adjoint");
        ReadOnlySpan<float> source = dResult.Span;
        Span<float> target = dTable.Span;
        for (int i = 0; i < rows.Length; i++)
        {
            Span<float> row = target.Slice(rows[i] * width, width);
            TensorPrimitives.Add(row, source.Slice(i * width, width), row);
        }
    }

    /// <summary>The shape of <paramref name="a"/> and <paramref name="b"/> joined along <paramref name="axis"/>.</summary>
    internal static TensorShape ConcatShape(int axis, TensorShape a, TensorShape b, string operation)
    {
        if ((uint)axis >= (uint)a.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(axis), axis, $"{operation}: a tensor of shape {a} has no axis {axis} (axes are 0 to {a.Length - 1}).");
        }
        bool fits = a.Length == b.Length;
        for (int d = 0; fits && d < a.Length; d++)
        {
            fits = d == axis || a[d] == b[d];
        }
        if (!fits)
        {
            throw Tensor.ShapeMismatch(operation, a, b, $"the ranks must be equal and the sizes equal on every axis but {axis}");
        }
        Span<int> dims = stackalloc int[TensorShape.MaxRank];
        a.CopyTo(dims);
        dims[axis] = a[axis] + b[axis];
        return new TensorShape(dims.Slice(0, a.Length));
    }

    /// <summary>Checks that <paramref name="part"/> is a piece of <paramref name="whole"/> along <paramref name="axis"/>.</summary>
    private static void RequirePart(int axis, TensorShape whole, TensorShape part, string operation)
    {
        bool fits = whole.Length == part.Length && part[axis] <= whole[axis];
        for (int d = 0; fits && d < whole.Length; d++)
        {
            fits = d == axis || whole[d] == part[d];
        }
        if (!fits)
        {
            throw Tensor.ShapeMismatch(operation, whole, part, $"a part must have the same sizes on every axis but {axis}, and no more along it");
        }
    }

    /// <summary>Checks a gather's table, row indices and gathered shape; returns the row width.</summary>
    private static int RequireGather(TensorShape table, ReadOnlySpan<int> rows, TensorShape gathered, string what, string operation)
    {
        if (table.Length != 2)
        {
            throw Tensor.ShapeMismatch(operation, table, gathered, "the table must be a matrix [rows, width]");
        }
        var expected = TensorShape.Of(rows.Length, table[1]);
        if (gathered != expected)
        {
            throw Tensor.ShapeMismatch(operation, gathered, expected, $"{what} must have shape {expected} for {rows.Length} rows of a table {table}");
        }
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)table[0])
            {
                throw new ArgumentOutOfRangeException(
                    nameof(rows), rows[i], $"{operation}: rows[{i}] = {rows[i]} is outside a table of shape {table} (rows 0 to {table[0] - 1}).");
            }
        }
        return table[1];
    }
}
