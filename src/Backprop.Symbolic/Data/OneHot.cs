using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Data;

/// <summary>One-hot encoding: label <c>c</c> becomes a row of zeros with a 1 in column <c>c</c>.</summary>
public static class OneHot
{
    /// <summary>A new tensor [labels.Length, <paramref name="classCount"/>] with one 1 per row, in the label's column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside 0 .. <paramref name="classCount"/> − 1 (the message names its position), or <paramref name="classCount"/> is not positive.</exception>
    public static Tensor Encode(ReadOnlySpan<int> labels, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var result = Tensor.Zeros(TensorShape.Of(labels.Length, classCount));
        Encode(labels, classCount, result);
        return result;
    }

    /// <summary>
    /// Writes the one-hot rows of <paramref name="labels"/> into <paramref name="destination"/> [labels.Length,
    /// <paramref name="classCount"/>], overwriting it. Allocates nothing. All labels are checked before anything is written.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has another shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside 0 .. <paramref name="classCount"/> − 1; the message names its position.</exception>
    public static void Encode(ReadOnlySpan<int> labels, int classCount, Tensor destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (destination.Rank != 2 || destination.Shape[0] != labels.Length || destination.Shape[1] != classCount)
        {
            throw new ArgumentException(
                $"OneHot.Encode: the destination has shape {destination.Shape} but {labels.Length} labels of {classCount} classes need [{labels.Length}, {classCount}].",
                nameof(destination));
        }
        CheckLabels(labels, classCount, nameof(labels));
        Span<float> values = destination.Span;
        SpanKernels.Zero(values);
        for (int i = 0; i < labels.Length; i++)
        {
            values[(i * classCount) + labels[i]] = 1f;
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first label outside 0 .. <paramref name="classCount"/> − 1 and its position.</summary>
    internal static void CheckLabels(ReadOnlySpan<int> labels, int classCount, string parameter)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentOutOfRangeException(
                    parameter, labels[i], $"Label {labels[i]} at position {i} is outside 0..{classCount - 1} ({classCount} classes).");
            }
        }
    }
}
