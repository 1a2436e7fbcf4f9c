using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Kernels;

public static partial class TensorKernels
{
    /// <summary>Elements processed per stack buffer by the kernels that need a temporary row.</summary>
    private const int Chunk = 256;

    /// <summary>
    /// result = softmax(<paramref name="x"/>) over the last axis: each row (the last dimension) becomes
    /// exp(x − max) / Σ exp(x − max), so large logits do not overflow. <paramref name="result"/> may be <paramref name="x"/> itself.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void Softmax(Tensor x, Tensor result)
    {
        RequireRows(x, result, nameof(Softmax));
        int n = x.Shape.Last;
        ReadOnlySpan<float> source = x.Span;
        Span<float> target = result.Span;
        for (int start = 0; start < source.Length; start += n)
        {
            ReadOnlySpan<float> row = source.Slice(start, n);
            Span<float> output = target.Slice(start, n);
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, output);
            TensorPrimitives.Exp(output, output);
            TensorPrimitives.Divide(output, TensorPrimitives.Sum(output), output);
        }
    }

    /// <summary>
    /// result = log-softmax(<paramref name="x"/>) over the last axis: x − max − log Σ exp(x − max) per row.
    /// <paramref name="result"/> may be <paramref name="x"/> itself.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void LogSoftmax(Tensor x, Tensor result)
    {
        RequireRows(x, result, nameof(LogSoftmax));
        int n = x.Shape.Last;
        ReadOnlySpan<float> source = x.Span;
        Span<float> target = result.Span;
        for (int start = 0; start < source.Length; start += n)
        {
            ReadOnlySpan<float> row = source.Slice(start, n);
            Span<float> output = target.Slice(start, n);
            float max = TensorPrimitives.Max(row);
            float logSum = MathF.Log(SumExp(row, max));
            TensorPrimitives.Subtract(row, max, output);
            TensorPrimitives.Subtract(output, logSum, output);
        }
    }

    /// <summary>
    /// dX += y ⊙ (dY − Σ_row dY ⊙ y): the backward of <see cref="Softmax"/>, given its output
    /// <paramref name="y"/> and the adjoint <paramref name="dY"/> of that output.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ, or <paramref name="dX"/> shares memory with an input.</exception>
    public static void SoftmaxBackward(Tensor y, Tensor dY, Tensor dX)
    {
        RequireBackwardRows(y, dY, dX, nameof(SoftmaxBackward));
        int n = y.Shape.Last;
        ReadOnlySpan<float> output = y.Span;
        ReadOnlySpan<float> adjoint = dY.Span;
        Span<float> target = dX.Span;
        Span<float> buffer = stackalloc float[Chunk];
        for (int start = 0; start < output.Length; start += n)
        {
            ReadOnlySpan<float> yRow = output.Slice(start, n);
            ReadOnlySpan<float> dYRow = adjoint.Slice(start, n);
            Span<float> dXRow = target.Slice(start, n);
            float dot = TensorPrimitives.Dot(dYRow, yRow);
            for (int j = 0; j < n; j += Chunk)
            {
                int count = Math.Min(Chunk, n - j);
                Span<float> centered = buffer.Slice(0, count);
                Span<float> dXPart = dXRow.Slice(j, count);
                TensorPrimitives.Subtract(dYRow.Slice(j, count), dot, centered);
                TensorPrimitives.MultiplyAdd(yRow.Slice(j, count), centered, dXPart, dXPart);
            }
        }
    }

    /// <summary>
    /// dX += dY − exp(y) · Σ_row dY: the backward of <see cref="LogSoftmax"/>, given its output <paramref name="y"/>
    /// (so exp(y) is the softmax) and the adjoint <paramref name="dY"/> of that output.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ, or <paramref name="dX"/> shares memory with an input.</exception>
    public static void LogSoftmaxBackward(Tensor y, Tensor dY, Tensor dX)
    {
        RequireBackwardRows(y, dY, dX, nameof(LogSoftmaxBackward));
        int n = y.Shape.Last;
        ReadOnlySpan<float> output = y.Span;
        ReadOnlySpan<float> adjoint = dY.Span;
        Span<float> target = dX.Span;
        Span<float> buffer = stackalloc float[Chunk];
        for (int start = 0; start < output.Length; start += n)
        {
            ReadOnlySpan<float> yRow = output.Slice(start, n);
            ReadOnlySpan<float> dYRow = adjoint.Slice(start, n);
            Span<float> dXRow = target.Slice(start, n);
            float total = TensorPrimitives.Sum(dYRow);
            TensorPrimitives.Add(dXRow, dYRow, dXRow);
            for (int j = 0; j < n; j += Chunk)
            {
                int count = Math.Min(Chunk, n - j);
                Span<float> probabilities = buffer.Slice(0, count);
                Span<float> dXPart = dXRow.Slice(j, count);
                TensorPrimitives.Exp(yRow.Slice(j, count), probabilities);
                TensorPrimitives.MultiplyAdd(probabilities, -total, dXPart, dXPart);
            }
        }
    }

    /// <summary>Σ_j exp(row[j] − max), through a stack buffer (the row is not written).</summary>
    private static float SumExp(ReadOnlySpan<float> row, float max)
    {
        Span<float> buffer = stackalloc float[Chunk];
        float sum = 0;
        for (int j = 0; j < row.Length; j += Chunk)
        {
            int count = Math.Min(Chunk, row.Length - j);
            Span<float> part = buffer.Slice(0, count);
            TensorPrimitives.Subtract(row.Slice(j, count), max, part);
            TensorPrimitives.Exp(part, part);
            sum += TensorPrimitives.Sum(part);
        }
        return sum;
    }

    /// <summary>Checks a row-wise forward kernel's shapes: equal, and rank 1 to 4.</summary>
    private static void RequireRows(Tensor x, Tensor result, string operation)
    {
        if (x.Rank == 0)
        {
            throw Tensor.ShapeMismatch(operation, x.Shape, result.Shape, "the input must have rank 1 to 4");
        }
        Tensor.RequireSameShape(x, result, operation);
    }

    /// <summary>Checks a row-wise backward kernel's shapes (all equal) and that the adjoint output is separate memory.</summary>
    private static void RequireBackwardRows(Tensor y, Tensor dY, Tensor dX, string operation)
    {
        RequireRows(y, dY, operation);
        Tensor.RequireSameShape(y, dX, operation);
        RequireDisjoint(dX, y, operation, "the output");
        RequireDisjoint(dX, dY, operation, "the output's adjoint");
    }
}
