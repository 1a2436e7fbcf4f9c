using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Data;

/// <summary>
/// Min-max scaling: each feature's training range [min, max] is mapped linearly onto [<see cref="Lower"/>,
/// <see cref="Upper"/>] (0 to 1 by default).
/// </summary>
/// <remarks>
/// Values outside the training range (in validation or test rows) map outside the target range; they are not
/// clipped. A feature that is constant in the training data is only shifted (<c>x − min + lower</c>): it becomes
/// <see cref="Lower"/> on the training data, never NaN or infinite.
/// </remarks>
public sealed class MinMaxScaler : FeatureScaler
{
    private readonly float[] _minimum;
    private readonly float[] _maximum;

    private MinMaxScaler(float[] minimum, float[] maximum, float lower, float upper, float[] scale, float[] offset)
        : base(minimum, scale, offset)
    {
        _minimum = minimum;
        _maximum = maximum;
        Lower = lower;
        Upper = upper;
    }

    /// <summary>Per feature, the smallest training value.</summary>
    public ReadOnlySpan<float> Minimum => _minimum;

    /// <summary>Per feature, the largest training value.</summary>
    public ReadOnlySpan<float> Maximum => _maximum;

    /// <summary>Where each feature's training minimum goes.</summary>
    public float Lower { get; }

    /// <summary>Where each feature's training maximum goes.</summary>
    public float Upper { get; }

    /// <summary>Measures each feature's range on <paramref name="features"/> [rows, features], to map it onto [<paramref name="lower"/>, <paramref name="upper"/>].</summary>
    /// <exception cref="ArgumentException">The features are not a matrix with at least one row, or <paramref name="lower"/> is not below <paramref name="upper"/>.</exception>
    public static MinMaxScaler Fit(Tensor features, float lower = 0f, float upper = 1f)
    {
        CheckFitInput(features, nameof(MinMaxScaler));
        if (!(lower < upper) || !float.IsFinite(lower) || !float.IsFinite(upper))
        {
            throw new ArgumentException($"MinMaxScaler.Fit: the target range [{lower}, {upper}] must be finite with lower < upper.", nameof(lower));
        }
        int width = features.Shape[1];
        ReadOnlySpan<float> values = features.Span;
        var minimum = values.Slice(0, width).ToArray();
        var maximum = values.Slice(0, width).ToArray();
        for (int start = width; start < values.Length; start += width)
        {
            for (int j = 0; j < width; j++)
            {
                float v = values[start + j];
                minimum[j] = Math.Min(minimum[j], v);
                maximum[j] = Math.Max(maximum[j], v);
            }
        }
        var scale = new float[width];
        var offset = new float[width];
        for (int j = 0; j < width; j++)
        {
            double range = (double)maximum[j] - minimum[j];
            double factor = range > 0 ? (upper - (double)lower) / range : 1;
            scale[j] = (float)factor;
            offset[j] = lower;
        }
        return new MinMaxScaler(minimum, maximum, lower, upper, scale, offset);
    }

    /// <summary>Fits on <paramref name="train"/>'s features (the training split only).</summary>
    public static MinMaxScaler Fit(Dataset train, float lower = 0f, float upper = 1f)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Fit(train.Features, lower, upper);
    }
}
