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

    /// <summary>The shape of <c>TimeStep(sequence, t)</c>: [T, B, F] gives [B, F].</summary>
    /// <exception cref="ArgumentException">The sequence has rank 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is not in 0 … T − 1.</exception>
    public static TensorShape TimeStep(TensorShape sequence, int t)
    {
        if (sequence.Length < 2)
        {
            throw new ArgumentException($"TimeStep: the sequence must be time-major with rank 2 to 4 ([T, B, F] or [T, F]), but has shape {sequence}.", nameof(sequence));
        }
        if ((uint)t >= (uint)sequence[0])
        {
            throw new ArgumentOutOfRangeException(nameof(t), t, $"TimeStep: step {t} is outside the sequence of shape {sequence} (steps 0 to {sequence[0] - 1}).");
        }
        return Kernels.TensorKernels.WithoutAxis(sequence, 0);
    }

    /// <summary>The shape of <c>Chunk(x, chunks, index)</c>: the last dimension divided by <paramref name="chunks"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunks"/> is not positive, or <paramref name="index"/> is not in 0 … chunks − 1.</exception>
    /// <exception cref="ArgumentException">The last dimension is not a multiple of <paramref name="chunks"/>.</exception>
    public static TensorShape Chunk(TensorShape x, int chunks, int index)
    {
        if (chunks <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "Chunk: the number of chunks must be positive.");
        }
        if ((uint)index >= (uint)chunks)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Chunk: chunk {index} does not exist (chunks are 0 to {chunks - 1}).");
        }
        if (x.Length == 0 || x.Last % chunks != 0)
        {
            throw new ArgumentException($"Chunk: the last dimension of shape {x} is not a multiple of {chunks}.", nameof(x));
        }
        Span<int> dims = stackalloc int[TensorShape.MaxRank];
        x.CopyTo(dims);
        dims[x.Length - 1] = x.Last / chunks;
        return new TensorShape(dims.Slice(0, x.Length));
    }

    /// <summary>Dimension <paramref name="axis"/> of <paramref name="x"/>: what <c>x.Shape[axis]</c> reads in generated code.</summary>
    public static int Dimension(Tensor x, int axis) => x.Shape[axis];

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
