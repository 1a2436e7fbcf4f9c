using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Training;

/// <summary>Classification metrics over a batch: predicted classes and accuracy. Nothing here allocates.</summary>
/// <remarks>Arguments come prediction first, truth second, like the losses (<c>MeanSquaredError(prediction, target)</c>).</remarks>
public static class Metrics
{
    /// <summary>
    /// The predicted class of each row of <paramref name="scores"/> (logits or probabilities, shape [rows, classes]):
    /// the index of the row's largest value, the first one on a tie.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is not rank 2, or <paramref name="predicted"/> does not have one entry per row.</exception>
    public static void ArgMax(Tensor scores, Span<int> predicted)
    {
        int rows = RequireScores(scores, nameof(ArgMax));
        if (predicted.Length != rows)
        {
            throw new ArgumentException(
                $"ArgMax: the scores have {rows} rows but the destination has {predicted.Length} entries; pass one entry per row.", nameof(predicted));
        }
        int classes = scores.Shape[1];
        ReadOnlySpan<float> values = scores.Span;
        for (int r = 0; r < rows; r++)
        {
            predicted[r] = TensorPrimitives.IndexOfMax(values.Slice(r * classes, classes));
        }
    }

    /// <summary>The share of rows of <paramref name="scores"/> ([rows, classes]) whose largest value is at the row's label.</summary>
    /// <exception cref="ArgumentException">The shapes disagree, or there are no rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classes); the message names its position and value.</exception>
    public static double Accuracy(Tensor scores, ReadOnlySpan<int> labels)
    {
        int rows = RequireScores(scores, nameof(Accuracy));
        RequireRows(rows, labels.Length, nameof(Accuracy));
        int classes = scores.Shape[1];
        ReadOnlySpan<float> values = scores.Span;
        int correct = 0;
        for (int r = 0; r < rows; r++)
        {
            RequireLabel(labels[r], r, classes, nameof(labels));
            correct += TensorPrimitives.IndexOfMax(values.Slice(r * classes, classes)) == labels[r] ? 1 : 0;
        }
        return (double)correct / rows;
    }

    /// <summary>The share of positions where <paramref name="predicted"/> equals <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or both are empty.</exception>
    public static double Accuracy(ReadOnlySpan<int> predicted, ReadOnlySpan<int> labels)
    {
        RequireRows(predicted.Length, labels.Length, nameof(Accuracy));
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double)correct / labels.Length;
    }

    internal static int RequireScores(Tensor scores, string operation)
    {
        if (scores.Rank != 2)
        {
            throw new ArgumentException(
                $"{operation}: the scores must be a matrix [rows, classes] of logits or probabilities, but their shape is {scores.Shape}.", nameof(scores));
        }
        return scores.Shape[0];
    }

    internal static void RequireRows(int predictions, int labels, string operation)
    {
        if (predictions != labels)
        {
            throw new ArgumentException($"{operation}: {predictions} predictions but {labels} labels; pass one label per prediction.", nameof(labels));
        }
        if (labels == 0)
        {
            throw new ArgumentException($"{operation}: no predictions; a metric needs at least one row.", nameof(labels));
        }
    }

    internal static void RequireClass(int value, int classes, string name)
    {
        if ((uint)value >= (uint)classes)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Class {value} is outside the {classes} classes [0, {classes - 1}].");
        }
    }

    internal static void RequireLabel(int label, int position, int classes, string name)
    {
        if ((uint)label >= (uint)classes)
        {
            throw new ArgumentOutOfRangeException(name, label, $"{name}[{position}] is {label}, outside the {classes} classes [0, {classes - 1}].");
        }
    }
}
