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
    /// The shape of <c>Conv2D(input, kernel, …, stride, padding)</c>: [N, C, H, W] with [K, C, kh, kw] gives
    /// [N, K, (H + 2·padding − kh) / stride + 1, (W + 2·padding − kw) / stride + 1].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The stride is below 1 or the padding below 0.</exception>
    /// <exception cref="ArgumentException">A shape is not rank 4, the channels differ, or the window does not fit in the padded image.</exception>
    public static TensorShape Conv2D(TensorShape input, TensorShape kernel, int stride, int padding) =>
        Kernels.TensorKernels.ConvolutionShape(input, kernel, stride, padding, "Conv2D");

    /// <summary>The shape of <c>MaxPool2D(x, size, stride)</c> of [N, C, H, W]: [N, C, (H − size) / stride + 1, (W − size) / stride + 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size or the stride is below 1.</exception>
    /// <exception cref="ArgumentException">The shape is not rank 4, or the window does not fit in the image.</exception>
    public static TensorShape MaxPool2D(TensorShape x, int size, int stride) =>
        Kernels.TensorKernels.PoolShape(x, size, stride, nameof(MaxPool2D));

    /// <summary>The shape of <c>AvgPool2D(x, size, stride)</c>: as <see cref="MaxPool2D"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size or the stride is below 1.</exception>
    /// <exception cref="ArgumentException">The shape is not rank 4, or the window does not fit in the image.</exception>
    public static TensorShape AvgPool2D(TensorShape x, int size, int stride) =>
        Kernels.TensorKernels.PoolShape(x, size, stride, nameof(AvgPool2D));

    /// <summary>The shape of <c>Flatten(x)</c>: [N, the product of the other dimensions].</summary>
    /// <exception cref="ArgumentException">The shape has rank 1 (there is no batch dimension to keep).</exception>
    public static TensorShape Flatten(TensorShape x)
    {
        if (x.Length < 2)
        {
            throw new ArgumentException($"Flatten: the input must have a batch dimension and at least one more (rank 2 to 4), but its shape is {x}.");
        }
        int rest = 1;
        for (int d = 1; d < x.Length; d++)
        {
            rest *= x[d];
        }
        return TensorShape.Of(x[0], rest);
    }

    /// <summary>
    /// How far <paramref name="operand"/>'s elements advance per row of <paramref name="result"/> in an element-wise
    /// loop: a row's length, or 0 for a broadcast row vector.
    /// </summary>
    public static int Step(Tensor operand, Tensor result) => operand.Length == result.Length ? result.Shape.Last : 0;
}
