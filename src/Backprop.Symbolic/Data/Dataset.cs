using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Data;

/// <summary>
/// A classification dataset: a feature matrix <see cref="Features"/> of shape [rows, features] and one integer
/// label per row, each in 0 .. <see cref="ClassCount"/> − 1.
/// </summary>
/// <remarks>
/// The dataset holds the tensor and the label array it was given (no copy). <see cref="Row"/> and
/// <see cref="Rows"/> are views; <see cref="Subset"/> copies the chosen rows into a new dataset.
/// </remarks>
public sealed class Dataset
{
    private readonly int[] _labels;

    /// <summary>A dataset over <paramref name="features"/> and <paramref name="labels"/> (neither is copied).</summary>
    /// <param name="features">A rank-2 tensor, one row per sample.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="classCount">
    /// The number of classes; labels must lie in 0 .. <paramref name="classCount"/> − 1. When omitted (or 0),
    /// the largest label plus one.
    /// </param>
    /// <exception cref="ArgumentException">The features are not a matrix, or the row and label counts differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is negative or not below <paramref name="classCount"/>.</exception>
    public Dataset(Tensor features, int[] labels, int classCount = 0)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (features.IsDefault || features.Rank != 2)
        {
            throw new ArgumentException(
                $"The features must be a matrix [rows, features]; the tensor given has shape {features.Shape}.", nameof(features));
        }
        if (features.Shape[0] != labels.Length)
        {
            throw new ArgumentException(
                $"The features have {features.Shape[0]} rows but there are {labels.Length} labels; give one label per row.", nameof(labels));
        }
        if (classCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "The class count cannot be negative.");
        }
        int largest = -1;
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if (label < 0 || (classCount > 0 && label >= classCount))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(labels), label,
                    classCount > 0
                        ? $"Label {label} at row {i} is outside 0..{classCount - 1} (class count {classCount})."
                        : $"Label {label} at row {i} is negative; labels are class indices 0, 1, 2, ….");
            }
            largest = Math.Max(largest, label);
        }
        Features = features;
        _labels = labels;
        ClassCount = classCount > 0 ? classCount : largest + 1;
    }

    /// <summary>The features, [<see cref="Count"/>, <see cref="FeatureCount"/>].</summary>
    public Tensor Features { get; }

    /// <summary>The labels, one per row (the array the dataset was created with).</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The label array itself, for views that hand out slices of it.</summary>
    internal int[] LabelArray => _labels;

    /// <summary>The number of classes: labels lie in 0 .. <see cref="ClassCount"/> − 1.</summary>
    public int ClassCount { get; }

    /// <summary>The number of rows (samples).</summary>
    public int Count => Features.Shape[0];

    /// <summary>The number of features per row.</summary>
    public int FeatureCount => Features.Shape[1];

    /// <summary>Row <paramref name="index"/>'s features as a rank-1 view of <see cref="Features"/> (no copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a row.</exception>
    public Tensor Row(int index)
    {
        CheckRange(index, 1);
        return new Tensor(Features.Array!, Features.Offset + (index * FeatureCount), TensorShape.Of(FeatureCount));
    }

    /// <summary>Rows <paramref name="start"/> .. <paramref name="start"/> + <paramref name="length"/> − 1 as a view [length, features] (no copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the dataset.</exception>
    public Tensor Rows(int start, int length)
    {
        CheckRange(start, length);
        return Features.Slice(0, start, length);
    }

    /// <summary>The label of row <paramref name="index"/>.</summary>
    public int Label(int index)
    {
        CheckRange(index, 1);
        return _labels[index];
    }

    /// <summary>How many rows each class has: element <c>c</c> counts the rows labelled <c>c</c>.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (int label in _labels)
        {
            counts[label]++;
        }
        return counts;
    }

    /// <summary>
    /// A new dataset holding copies of the rows at <paramref name="indices"/>, in that order (an index may repeat),
    /// with the same class count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is not a row; the message names its position.</exception>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        int width = FeatureCount;
        var features = new float[indices.Length * width];
        var labels = new int[indices.Length];
        ReadOnlySpan<float> source = Features.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            int row = indices[i];
            if ((uint)row >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(indices), row, $"Index {row} at position {i} is not a row of this dataset of {Count} rows.");
            }
            source.Slice(row * width, width).CopyTo(features.AsSpan(i * width, width));
            labels[i] = _labels[row];
        }
        return new Dataset(new Tensor(features, 0, TensorShape.Of(indices.Length, width)), labels, ClassCount);
    }

    /// <summary>A new dataset with the same labels and class count and the given features (e.g. scaled ones).</summary>
    /// <exception cref="ArgumentException"><paramref name="features"/> is not [<see cref="Count"/>, any].</exception>
    public Dataset WithFeatures(Tensor features) => new(features, _labels, ClassCount);

    /// <summary>A short description: rows, features and classes.</summary>
    public override string ToString() => $"Dataset({Count} rows × {FeatureCount} features, {ClassCount} classes)";

    private void CheckRange(int start, int length)
    {
        if (start < 0 || length < 0 || (long)start + length > Count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(start), start, $"Rows {start}..{(long)start + length - 1} are outside this dataset of {Count} rows.");
        }
    }
}
