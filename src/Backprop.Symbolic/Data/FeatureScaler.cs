using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Data;

/// <summary>
/// A per-feature affine map <c>x' = (x − Shift[j]) · Scale[j] + Offset[j]</c> fitted on training data and applied unchanged to
/// every split (fit on the training split only, so no statistics leak from validation or test rows).
/// <see cref="Standardizer"/> and <see cref="MinMaxScaler"/> are the two kinds.
/// </summary>
public abstract class FeatureScaler
{
    private readonly float[] _shift;
    private readonly float[] _scale;
    private readonly float[] _offset;

    private protected FeatureScaler(float[] shift, float[] scale, float[] offset)
    {
        _shift = shift;
        _scale = scale;
        _offset = offset;
    }

    /// <summary>The number of features (columns) the scaler was fitted on.</summary>
    public int FeatureCount => _scale.Length;

    /// <summary>Per feature, the value subtracted first in <c>x' = (x − Shift) · Scale + Offset</c> (the mean, or the minimum).</summary>
    public ReadOnlySpan<float> Shift => _shift;

    /// <summary>Per feature, the factor in <c>x' = (x − Shift) · Scale + Offset</c>.</summary>
    public ReadOnlySpan<float> Scale => _scale;

    /// <summary>Per feature, the term added last in <c>x' = (x − Shift) · Scale + Offset</c>.</summary>
    public ReadOnlySpan<float> Offset => _offset;

    /// <summary>Scales <paramref name="features"/> [rows, <see cref="FeatureCount"/>] in place (SIMD, no allocation).</summary>
    /// <exception cref="ArgumentException">The features are not a matrix of <see cref="FeatureCount"/> columns.</exception>
    public void TransformInPlace(Tensor features) => Apply(features, features, nameof(TransformInPlace));

    /// <summary>A scaled copy of <paramref name="features"/> [rows, <see cref="FeatureCount"/>].</summary>
    /// <exception cref="ArgumentException">The features are not a matrix of <see cref="FeatureCount"/> columns.</exception>
    public Tensor Transform(Tensor features)
    {
        CheckShape(features, nameof(Transform));
        var result = Tensor.Zeros(features.Shape);
        Apply(features, result, nameof(Transform));
        return result;
    }

    /// <summary>A new dataset with scaled copies of <paramref name="data"/>'s features and the same labels.</summary>
    public Dataset Transform(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.WithFeatures(Transform(data.Features));
    }

    /// <summary>Scales <paramref name="data"/>'s features in place.</summary>
    public void TransformInPlace(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        TransformInPlace(data.Features);
    }

    /// <summary>Undoes the scaling in place: <c>x = (x' − Offset) / Scale + Shift</c>.</summary>
    public void InverseTransformInPlace(Tensor features)
    {
        CheckShape(features, nameof(InverseTransformInPlace));
        int width = FeatureCount;
        Span<float> values = features.Span;
        for (int start = 0; start < values.Length; start += width)
        {
            Span<float> row = values.Slice(start, width);
            TensorPrimitives.Subtract(row, _offset, row);
            TensorPrimitives.Divide(row, _scale, row);
            TensorPrimitives.Add(row, _shift, row);
        }
    }

    private void Apply(Tensor source, Tensor destination, string operation)
    {
        CheckShape(source, operation);
        int width = FeatureCount;
        ReadOnlySpan<float> from = source.Span;
        Span<float> to = destination.Span;
        for (int start = 0; start < from.Length; start += width)
        {
            // Subtracting first keeps the precision of features far from zero with a small spread.
            Span<float> row = to.Slice(start, width);
            TensorPrimitives.Subtract(from.Slice(start, width), _shift, row);
            TensorPrimitives.FusedMultiplyAdd(row, _scale, _offset, row);
        }
    }

    private void CheckShape(Tensor features, string operation)
    {
        if (features.IsDefault || features.Rank != 2 || features.Shape[1] != FeatureCount)
        {
            throw new ArgumentException(
                $"{GetType().Name}.{operation}: the features have shape {features.Shape} but the scaler was fitted on {FeatureCount} features; pass [rows, {FeatureCount}].",
                nameof(features));
        }
    }

    /// <summary>Checks that <paramref name="features"/> is a matrix with at least one row to fit on.</summary>
    private protected static void CheckFitInput(Tensor features, string scaler)
    {
        if (features.IsDefault || features.Rank != 2 || features.Shape[0] == 0)
        {
            throw new ArgumentException(
                $"{scaler}.Fit needs a matrix [rows, features] with at least one row; it was given shape {features.Shape}.", nameof(features));
        }
    }
}
