using System;
using System.Collections.Generic;
using System.Globalization;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Text;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Training;

/// <summary>
/// Counts of (actual class, predicted class) pairs: rows are the actual classes, columns the predicted ones. Add
/// batches as they are evaluated; read per-class precision and recall; print it as a table.
/// </summary>
/// <remarks>Adding does not allocate. A precision or recall with nothing to divide by (no prediction of the class, or no example of it) is <see cref="double.NaN"/>.</remarks>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;
    private readonly string[] _names;

    /// <summary>An empty matrix for classes 0 to <paramref name="classCount"/> − 1, optionally with their names for <see cref="ToString"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than two classes.</exception>
    /// <exception cref="ArgumentException">The number of names is not the number of classes.</exception>
    public ConfusionMatrix(int classCount, IReadOnlyList<string>? classNames = null)
    {
        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A confusion matrix needs at least two classes.");
        }
        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException($"{classNames.Count} class names were given for {classCount} classes; give one name per class.", nameof(classNames));
        }
        ClassCount = classCount;
        _counts = new long[classCount * classCount];
        _names = new string[classCount];
        for (int c = 0; c < classCount; c++)
        {
            _names[c] = classNames?[c] ?? c.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>How many examples have been added.</summary>
    public long Total { get; private set; }

    /// <summary>How many were predicted correctly (the diagonal).</summary>
    public long Correct
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < ClassCount; c++)
            {
                correct += _counts[(c * ClassCount) + c];
            }
            return correct;
        }
    }

    /// <summary>Correct / Total (NaN when empty).</summary>
    public double Accuracy => Total == 0 ? double.NaN : (double)Correct / Total;

    /// <summary>How many examples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long Count(int actual, int predicted)
    {
        Metrics.RequireClass(actual, ClassCount, nameof(actual));
        Metrics.RequireClass(predicted, ClassCount, nameof(predicted));
        return _counts[(actual * ClassCount) + predicted];
    }

    /// <summary>Adds one example of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside [0, <see cref="ClassCount"/>).</exception>
    public void Add(int predicted, int actual)
    {
        Metrics.RequireClass(predicted, ClassCount, nameof(predicted));
        Metrics.RequireClass(actual, ClassCount, nameof(actual));
        _counts[(actual * ClassCount) + predicted]++;
        Total++;
    }

    /// <summary>Adds a batch of predicted classes and their labels (prediction first, like <see cref="Metrics.Accuracy(ReadOnlySpan{int}, ReadOnlySpan{int})"/>).</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside [0, <see cref="ClassCount"/>); nothing is added.</exception>
    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> labels)
    {
        Metrics.RequireRows(predicted.Length, labels.Length, nameof(Add));
        for (int i = 0; i < labels.Length; i++)
        {
            Metrics.RequireLabel(predicted[i], i, ClassCount, nameof(predicted));
            Metrics.RequireLabel(labels[i], i, ClassCount, nameof(labels));
        }
        for (int i = 0; i < labels.Length; i++)
        {
            _counts[(labels[i] * ClassCount) + predicted[i]]++;
        }
        Total += labels.Length;
    }

    /// <summary>Adds a batch of scores [rows, <see cref="ClassCount"/>] (each row's largest value is its prediction) and their labels.</summary>
    /// <exception cref="ArgumentException">The shapes disagree.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, <see cref="ClassCount"/>); nothing is added.</exception>
    public void Add(Tensor scores, ReadOnlySpan<int> labels)
    {
        int rows = Metrics.RequireScores(scores, nameof(Add));
        Metrics.RequireRows(rows, labels.Length, nameof(Add));
        if (scores.Shape[1] != ClassCount)
        {
            throw new ArgumentException($"Add: the scores have {scores.Shape[1]} columns (shape {scores.Shape}) but the matrix has {ClassCount} classes.", nameof(scores));
        }
        for (int r = 0; r < rows; r++)
        {
            Metrics.RequireLabel(labels[r], r, ClassCount, nameof(labels));
        }
        ReadOnlySpan<float> values = scores.Span;
        for (int r = 0; r < rows; r++)
        {
            int predicted = TensorPrimitives.IndexOfMax(values.Slice(r * ClassCount, ClassCount));
            _counts[(labels[r] * ClassCount) + predicted]++;
        }
        Total += rows;
    }

    /// <summary>Of the examples predicted as <paramref name="classIndex"/>, the share that are (true positives / column total).</summary>
    public double Precision(int classIndex)
    {
        Metrics.RequireClass(classIndex, ClassCount, nameof(classIndex));
        long predicted = 0;
        for (int a = 0; a < ClassCount; a++)
        {
            predicted += _counts[(a * ClassCount) + classIndex];
        }
        return predicted == 0 ? double.NaN : (double)_counts[(classIndex * ClassCount) + classIndex] / predicted;
    }

    /// <summary>Of the examples of class <paramref name="classIndex"/>, the share predicted as it (true positives / row total).</summary>
    public double Recall(int classIndex)
    {
        Metrics.RequireClass(classIndex, ClassCount, nameof(classIndex));
        long actual = 0;
        for (int p = 0; p < ClassCount; p++)
        {
            actual += _counts[(classIndex * ClassCount) + p];
        }
        return actual == 0 ? double.NaN : (double)_counts[(classIndex * ClassCount) + classIndex] / actual;
    }

    /// <summary>The harmonic mean of <see cref="Precision"/> and <see cref="Recall"/> (NaN when either is, 0 when both are 0).</summary>
    public double F1(int classIndex)
    {
        double precision = Precision(classIndex);
        double recall = Recall(classIndex);
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    /// <summary>Sets every count to zero.</summary>
    public void Clear()
    {
        Array.Clear(_counts);
        Total = 0;
    }

    /// <summary>
    /// The counts as a table, actual classes down and predicted across, with each class's recall at the end of its
    /// row, the precisions in a last row and the accuracy below.
    /// </summary>
    public override string ToString()
    {
        const string Corner = "actual \\ predicted";
        int labelWidth = Corner.Length;
        int cellWidth = "precision".Length - 2;
        foreach (string name in _names)
        {
            labelWidth = Math.Max(labelWidth, name.Length);
            cellWidth = Math.Max(cellWidth, name.Length);
        }
        for (int i = 0; i < _counts.Length; i++)
        {
            cellWidth = Math.Max(cellWidth, _counts[i].ToString(CultureInfo.InvariantCulture).Length);
        }
        cellWidth = Math.Max(cellWidth, 6);
        var text = new StringBuilder();
        text.Append(Corner.PadRight(labelWidth));
        foreach (string name in _names)
        {
            text.Append("  ").Append(name.PadLeft(cellWidth));
        }
        text.Append("  ").Append("recall".PadLeft(cellWidth)).AppendLine();
        for (int a = 0; a < ClassCount; a++)
        {
            text.Append(_names[a].PadRight(labelWidth));
            for (int p = 0; p < ClassCount; p++)
            {
                text.Append("  ").Append(_counts[(a * ClassCount) + p].ToString(CultureInfo.InvariantCulture).PadLeft(cellWidth));
            }
            text.Append("  ").Append(FormatRate(Recall(a)).PadLeft(cellWidth)).AppendLine();
        }
        text.Append("precision".PadRight(labelWidth));
        for (int p = 0; p < ClassCount; p++)
        {
            text.Append("  ").Append(FormatRate(Precision(p)).PadLeft(cellWidth));
        }
        text.AppendLine();
        text.Append("accuracy ").Append(FormatRate(Accuracy)).Append(" (").Append(Correct).Append(" of ").Append(Total).Append(')');
        return text.ToString();
    }

    private static string FormatRate(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString("0.0000", CultureInfo.InvariantCulture);
}
