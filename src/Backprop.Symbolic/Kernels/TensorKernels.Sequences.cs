using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Kernels;

public static partial class TensorKernels
{
    /// <summary>
    /// The backward of <see cref="Tensor.TimeStep"/>: block <paramref name="t"/> of <paramref name="dSequence"/> +=
    /// <paramref name="dResult"/> (the adjoint of x_t). A <c>default(Tensor)</c> adjoint is skipped.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="dResult"/> does not have the shape of one time step.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is not a time step of <paramref name="dSequence"/>.</exception>
    public static void TimeStepBackward(Tensor dResult, int t, Tensor dSequence)
    {
        if (dSequence.IsDefault)
        {
            return;
        }
        TensorShape step = TensorShapes.TimeStep(dSequence.Shape, t);
        RequireShape(dResult, step, nameof(TimeStepBackward), "the time step's adjoint");
        SpanKernels.AddScaled(dSequence.Span.Slice(t * step.ElementCount, step.ElementCount), 1f, dResult.Span);
    }

    /// <summary>
    /// result = chunk <paramref name="index"/> of <paramref name="x"/> cut into <paramref name="chunks"/> equal parts
    /// along its last axis (see <see cref="Tensor.Chunk"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit, or the result overlaps <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunks"/> or <paramref name="index"/> is out of range.</exception>
    public static void CopyChunk(Tensor x, int chunks, int index, Tensor result)
    {
        RequireShape(result, TensorShapes.Chunk(x.Shape, chunks, index), nameof(CopyChunk), "the result");
        RequireDisjoint(result, x, nameof(CopyChunk), "the input");
        int width = x.Shape.Last;
        int part = width / chunks;
        ReadOnlySpan<float> source = x.Span;
        Span<float> target = result.Span;
        for (int row = 0, from = index * part, to = 0; to < target.Length; row++, from += width, to += part)
        {
            source.Slice(from, part).CopyTo(target.Slice(to, part));
        }
    }

    /// <summary>
    /// The backward of <see cref="CopyChunk"/>: the columns of chunk <paramref name="index"/> of <paramref name="dX"/> +=
    /// <paramref name="dResult"/>. A <c>default(Tensor)</c> adjoint is skipped.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunks"/> or <paramref name="index"/> is out of range.</exception>
    public static void ChunkBackward(Tensor dResult, int chunks, int index, Tensor dX)
    {
        if (dX.IsDefault)
        {
            return;
        }
        RequireShape(dResult, TensorShapes.Chunk(dX.Shape, chunks, index), nameof(ChunkBackward), "the chunk's adjoint");
        int width = dX.Shape.Last;
        int part = width / chunks;
        ReadOnlySpan<float> source = dResult.Span;
        Span<float> target = dX.Span;
        for (int from = 0, to = index * part; from < source.Length; from += part, to += width)
        {
            SpanKernels.AddScaled(target.Slice(to, part), 1f, source.Slice(from, part));
        }
    }
}
