using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Kernels;

public static partial class TensorKernels
{
    /// <summary>The sum of all elements (0 for an empty tensor).</summary>
    public static float Sum(Tensor x) => TensorPrimitives.Sum((ReadOnlySpan<float>)x.Span);

    /// <summary>
    /// result = the sum of <paramref name="x"/> along <paramref name="axis"/>, whose shape is <paramref name="x"/>'s with
    /// that axis removed (a rank-1 <paramref name="x"/> gives shape [1]); with <paramref name="accumulate"/>, result += it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not an axis of <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="result"/> does not have the reduced shape.</exception>
    public static void Sum(Tensor x, int axis, Tensor result, bool accumulate = false)
    {
        RequireAxis(x, axis, nameof(Sum));
        RequireShape(result, WithoutAxis(x.Shape, axis), nameof(Sum), "the result (the input with the axis removed)");
        RequireDisjoint(result, x, nameof(Sum), "the input");
        (int outer, int size, int inner) = AroundAxis(x.Shape, axis);
        ReadOnlySpan<float> source = x.Span;
        Span<float> target = result.Span;
        if (!accumulate)
        {
            SpanKernels.Zero(target);
        }
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                target[o] += TensorPrimitives.Sum(source.Slice(o * size, size));
            }
            return;
        }
        for (int o = 0; o < outer; o++)
        {
            Span<float> row = target.Slice(o * inner, inner);
            for (int s = 0; s < size; s++)
            {
                TensorPrimitives.Add(row, source.Slice(((o * size) + s) * inner, inner), row);
            }
        }
    }

    /// <summary>
    /// result[j] = Σ_i x[i, j]: the column sums of a matrix <paramref name="x"/> [m, n] into <paramref name="result"/> [n]
    /// (for a higher rank, the sums over every leading index); with <paramref name="accumulate"/>, result += them.
    /// This is the adjoint of a bias row vector broadcast over the rows.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="result"/> is not a vector as long as <paramref name="x"/>'s last dimension.</exception>
    public static void SumRows(Tensor x, Tensor result, bool accumulate = false)
    {
        if (x.Rank == 0)
        {
            throw Tensor.ShapeMismatch(nameof(SumRows), x.Shape, result.Shape, "the input must have rank 1 to 4");
        }
        int n = x.Shape.Last;
        RequireShape(result, TensorShape.Of(n), nameof(SumRows), "the result (one sum per column)");
        RequireDisjoint(result, x, nameof(SumRows), "the input");
        Span<float> target = result.Span;
        if (!accumulate)
        {
            SpanKernels.Zero(target);
        }
        ReadOnlySpan<float> source = x.Span;
        for (int start = 0; start < source.Length; start += n)
        {
            TensorPrimitives.Add(target, source.Slice(start, n), target);
        }
    }

    /// <summary>
    /// result += <paramref name="scale"/> · <paramref name="source"/> broadcast along <paramref name="axis"/> of
    /// <paramref name="result"/>: the adjoint of <see cref="Sum(Tensor, int, Tensor, bool)"/> (scale 1) and of a mean
    /// along an axis (scale 1 / the axis's size). <paramref name="source"/> has <paramref name="result"/>'s shape with
    /// the axis removed (shape [1] when <paramref name="result"/> has rank 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not an axis of <paramref name="result"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> does not have the reduced shape.</exception>
    public static void AddBroadcast(Tensor source, int axis, float scale, Tensor result)
    {
        RequireAxis(result, axis, nameof(AddBroadcast));
        RequireShape(source, WithoutAxis(result.Shape, axis), nameof(AddBroadcast), "the source (the result with the axis removed)");
        RequireDisjoint(result, source, nameof(AddBroadcast), "the source");
        (int outer, int size, int inner) = AroundAxis(result.Shape, axis);
        ReadOnlySpan<float> values = source.Span;
        Span<float> target = result.Span;
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                Span<float> row = target.Slice(o * size, size);
                TensorPrimitives.Add(row, scale * values[o], row);
            }
            return;
        }
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<float> block = values.Slice(o * inner, inner);
            for (int s = 0; s < size; s++)
            {
                Span<float> row = target.Slice(((o * size) + s) * inner, inner);
                TensorPrimitives.MultiplyAdd(block, scale, row, row);
            }
        }
    }
}
