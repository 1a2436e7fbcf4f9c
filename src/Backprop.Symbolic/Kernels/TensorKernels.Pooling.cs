using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Kernels;

public static partial class TensorKernels
{
    /// <summary>
    /// result[n, c, y, x] = the largest of x[n, c, y·stride + i, x·stride + j] over the <paramref name="size"/> ×
    /// <paramref name="size"/> window (0 ≤ i, j &lt; size). <paramref name="x"/> is [N, C, H, W] and
    /// <paramref name="result"/> is [N, C, (H − size) / stride + 1, (W − size) / stride + 1] (rounded down: a partial
    /// window at the edge is left out).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A shape does not fit (the message names both shapes), or the result overlaps the input.</exception>
    public static void MaxPool2D(Tensor x, Tensor result, int size, int stride)
    {
        const string Operation = nameof(MaxPool2D);
        RequireShape(result, PoolShape(x.Shape, size, stride, Operation), Operation, "the result");
        RequireDisjoint(result, x, Operation, "the input");
        var p = new Pooling(x.Shape, size, stride);
        ReadOnlySpan<float> source = x.Span;
        Span<float> target = result.Span;
        for (int plane = 0, o = 0; plane < p.Planes; plane++)
        {
            for (int oy = 0; oy < p.OutHeight; oy++)
            {
                for (int ox = 0; ox < p.OutWidth; ox++, o++)
                {
                    target[o] = source[p.ArgMax(source, plane, oy, ox)];
                }
            }
        }
    }

    /// <summary>
    /// The backward of <see cref="MaxPool2D"/>: each window's adjoint goes (+=) to its largest element, recomputed from
    /// <paramref name="x"/> (the first in row-major order where several are equal). A <c>default</c> <paramref name="dX"/> is skipped.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A shape does not fit (the message names both shapes).</exception>
    public static void MaxPool2DBackward(Tensor x, Tensor dResult, Tensor dX, int size, int stride)
    {
        const string Operation = nameof(MaxPool2DBackward);
        RequireShape(dResult, PoolShape(x.Shape, size, stride, Operation), Operation, "the result's adjoint");
        if (dX.IsDefault)
        {
            return;
        }
        RequireShape(dX, x.Shape, Operation, "the input's adjoint");
        RequireDisjoint(dX, dResult, Operation, "the result's adjoint");
        var p = new Pooling(x.Shape, size, stride);
        ReadOnlySpan<float> source = x.Span;
        ReadOnlySpan<float> gradient = dResult.Span;
        Span<float> target = dX.Span;
        for (int plane = 0, o = 0; plane < p.Planes; plane++)
        {
            for (int oy = 0; oy < p.OutHeight; oy++)
            {
                for (int ox = 0; ox < p.OutWidth; ox++, o++)
                {
                    target[p.ArgMax(source, plane, oy, ox)] += gradient[o];
                }
            }
        }
    }

    /// <summary>
    /// The tangent of <see cref="MaxPool2D"/> (forward mode): tResult = the tangent <paramref name="tX"/> at each
    /// window's largest element of <paramref name="x"/> (overwritten).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A shape does not fit (the message names both shapes).</exception>
    public static void MaxPool2DTangent(Tensor x, Tensor tX, Tensor tResult, int size, int stride)
    {
        const string Operation = nameof(MaxPool2DTangent);
        RequireShape(tResult, PoolShape(x.Shape, size, stride, Operation), Operation, "the result's tangent");
        RequireShape(tX, x.Shape, Operation, "the input's tangent");
        RequireDisjoint(tResult, tX, Operation, "the input's tangent");
        var p = new Pooling(x.Shape, size, stride);
        ReadOnlySpan<float> source = x.Span;
        ReadOnlySpan<float> tangent = tX.Span;
        Span<float> target = tResult.Span;
        for (int plane = 0, o = 0; plane < p.Planes; plane++)
        {
            for (int oy = 0; oy < p.OutHeight; oy++)
            {
                for (int ox = 0; ox < p.OutWidth; ox++, o++)
                {
                    target[o] = tangent[p.ArgMax(source, plane, oy, ox)];
                }
            }
        }
    }

    /// <summary>
    /// result[n, c, y, x] = the mean of x[n, c, y·stride + i, x·stride + j] over the <paramref name="size"/> ×
    /// <paramref name="size"/> window; shapes as in <see cref="MaxPool2D"/>. It is linear, so it is its own tangent.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A shape does not fit (the message names both shapes), or the result overlaps the input.</exception>
    public static void AvgPool2D(Tensor x, Tensor result, int size, int stride)
    {
        const string Operation = nameof(AvgPool2D);
        RequireShape(result, PoolShape(x.Shape, size, stride, Operation), Operation, "the result");
        RequireDisjoint(result, x, Operation, "the input");
        var p = new Pooling(x.Shape, size, stride);
        ReadOnlySpan<float> source = x.Span;
        Span<float> target = result.Span;
        float scale = 1f / (size * size);
        for (int plane = 0, o = 0; plane < p.Planes; plane++)
        {
            for (int oy = 0; oy < p.OutHeight; oy++)
            {
                for (int ox = 0; ox < p.OutWidth; ox++, o++)
                {
                    float sum = 0;
                    int start = p.WindowStart(plane, oy, ox);
                    for (int i = 0; i < size; i++)
                    {
                        for (int j = 0, at = start + (i * p.Width); j < size; j++, at++)
                        {
                            sum += source[at];
                        }
                    }
                    target[o] = sum * scale;
                }
            }
        }
    }

    /// <summary>
    /// The backward of <see cref="AvgPool2D"/>: each window's adjoint divided by size² goes (+=) to every element of
    /// the window. A <c>default</c> <paramref name="dX"/> is skipped.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A shape does not fit (the message names both shapes).</exception>
    public static void AvgPool2DBackward(Tensor dResult, Tensor dX, int size, int stride)
    {
        const string Operation = nameof(AvgPool2DBackward);
        if (dX.IsDefault)
        {
            return;
        }
        RequireShape(dResult, PoolShape(dX.Shape, size, stride, Operation), Operation, "the result's adjoint");
        RequireDisjoint(dX, dResult, Operation, "the result's adjoint");
        var p = new Pooling(dX.Shape, size, stride);
        ReadOnlySpan<float> gradient = dResult.Span;
        Span<float> target = dX.Span;
        float scale = 1f / (size * size);
        for (int plane = 0, o = 0; plane < p.Planes; plane++)
        {
            for (int oy = 0; oy < p.OutHeight; oy++)
            {
                for (int ox = 0; ox < p.OutWidth; ox++, o++)
                {
                    float share = gradient[o] * scale;
                    int start = p.WindowStart(plane, oy, ox);
                    for (int i = 0; i < size; i++)
                    {
                        for (int j = 0, at = start + (i * p.Width); j < size; j++, at++)
                        {
                            target[at] += share;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The shape of a pooling's result, checking the window and the stride.</summary>
    internal static TensorShape PoolShape(TensorShape x, int size, int stride, string operation)
    {
        if (size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"{operation}: the window size must be 1 or more, but is {size}.");
        }
        RequireStride(stride, operation);
        if (x.Length != 4)
        {
            throw new ArgumentException($"{operation}: the input must be [N, C, H, W] (rank 4), but its shape is {x}.");
        }
        if (x[2] < size || x[3] < size)
        {
            throw new ArgumentException($"{operation}: a {size} × {size} window does not fit in an image of {x[2]} × {x[3]} (input shape {x}).");
        }
        return TensorShape.Of(x[0], x[1], ((x[2] - size) / stride) + 1, ((x[3] - size) / stride) + 1);
    }

    /// <summary>The sizes of a pooling and where its windows are.</summary>
    private readonly struct Pooling
    {
        public Pooling(TensorShape x, int size, int stride)
        {
            Planes = x[0] * x[1];
            Height = x[2];
            Width = x[3];
            Size = size;
            Stride = stride;
            OutHeight = ((Height - size) / stride) + 1;
            OutWidth = ((Width - size) / stride) + 1;
        }

        public int Planes { get; }
        public int Height { get; }
        public int Width { get; }
        public int Size { get; }
        public int Stride { get; }
        public int OutHeight { get; }
        public int OutWidth { get; }

        /// <summary>The index of a window's top-left element.</summary>
        public int WindowStart(int plane, int oy, int ox) => (plane * Height * Width) + (oy * Stride * Width) + (ox * Stride);

        /// <summary>The index of a window's largest element (the first in row-major order among equals).</summary>
        public int ArgMax(ReadOnlySpan<float> x, int plane, int oy, int ox)
        {
            int start = WindowStart(plane, oy, ox);
            int best = start;
            float max = x[start];
            for (int i = 0; i < Size; i++)
            {
                for (int j = 0, at = start + (i * Width); j < Size; j++, at++)
                {
                    if (x[at] > max)
                    {
                        max = x[at];
                        best = at;
                    }
                }
            }
            return best;
        }
    }
}
