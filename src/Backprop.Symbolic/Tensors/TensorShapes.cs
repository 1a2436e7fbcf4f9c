using System;
using System.ComponentModel;

namespace Backprop.Symbolic.Tensors;

/// <summary>
/// The shapes of operation results, checked as the eager operations check them: what generated gradients call to
/// size the tensors they rent from the workspace, and what a hand-written kernel can call too. A mismatch throws
/// <see cref="ArgumentException"/> naming the operation and both shapes.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class TensorShapes
{
    /// <summary>The shape of <c>MatMul(a, b)</c>: [m, k]·[k, n] is [m, n].</summary>
    public static TensorShape MatMul(TensorShape a, TensorShape b) =>
        Kernels.TensorKernels.ProductShape(a, b, transposeA: false, transposeB: false, "MatMul");

    /// <summary>
    /// The shape of an element-wise operation: equal shapes, or a row vector [n] over a tensor whose last dimension
    /// is n (either side).
    /// </summary>
    public static TensorShape Broadcast(string operation, TensorShape a, TensorShape b)
    {
        if (a == b || (b.Length == 1 && a.Last == b[0]))
        {
            return a;
        }
        if (a.Length == 1 && b.Last == a[0])
        {
            return b;
        }
        throw Tensor.ShapeMismatch(operation, a, b, "the shapes must be equal, or one must be a row vector [n] over the other's last dimension n");
    }

    /// <summary>The shape of a reduction along <paramref name="axis"/>: the axis removed ([1] for a vector).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The shape has no such axis.</exception>
    public static TensorShape Reduce(TensorShape shape, int axis)
    {
        Kernels.TensorKernels.RequireAxis(shape, axis, "Sum or Mean along an axis");
        return Kernels.TensorKernels.WithoutAxis(shape, axis);
    }

    /// <summary>The shape of <c>Concat(axis, a, b)</c>: equal but along <paramref name="axis"/>, where the sizes add.</summary>
    public static TensorShape Concat(int axis, TensorShape a, TensorShape b) =>
        Kernels.TensorKernels.ConcatShape(axis, a, b, "Concat");

    /// <summary>The shape of <c>Gather(table, rows)</c>: [rows, the table's row length].</summary>
    public static TensorShape Gather(TensorShape table, int rows)
    {
        if (table.Length != 2)
        {
            throw new ArgumentException($"Gather: the table must be a matrix [rows, width], but has shape {table}.");
        }
        return TensorShape.Of(rows, table[1]);
    }

    /// <summary>
    /// How far <paramref name="operand"/>'s elements advance per row of <paramref name="result"/> in an element-wise
    /// loop: a row's length, or 0 for a broadcast row vector.
    /// </summary>
    public static int Step(Tensor operand, Tensor result) => operand.Length == result.Length ? result.Shape.Last : 0;
}
