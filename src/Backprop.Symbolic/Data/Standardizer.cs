using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Data;

/// <summary>
/// Standardization: each feature is shifted by its mean and divided by its standard deviation, both measured on the
/// training data, so training features have mean 0 and standard deviation 1.
/// </summary>
/// <remarks>
/// The standard deviation is the population one (divided by the row count, as scikit-learn's StandardScaler).
/// A feature that does not vary in the training data (standard deviation 0, such as the always-blank corner pixels of
/// the digits) is only centred, not divided: it becomes 0 on the training data and <c>x − mean</c> elsewhere, never
/// NaN or infinite. Statistics are accumulated in double precision.
/// </remarks>
public sealed class Standardizer : FeatureScaler
{
    private readonly float[] _mean;
    private readonly float[] _standardDeviation;

    private Standardizer(float[] mean, float[] standardDeviation, float[] scale)
        : base(mean, scale, new float[mean.Length])
    {
        _mean = mean;
        _standardDeviation = standardDeviation;
    }

    /// <summary>Per feature, the training mean.</summary>
    public ReadOnlySpan<float> Mean => _mean;

    /// <summary>Per feature, the training standard deviation (population); 0 for a constant feature.</summary>
    public ReadOnlySpan<float> StandardDeviation => _standardDeviation;

    /// <summary>Measures each feature's mean and standard deviation on <paramref name="features"/> [rows, features].</summary>
    /// <exception cref="ArgumentException">The features are not a matrix with at least one row.</exception>
    public static Standardizer Fit(Tensor features)
    {
        CheckFitInput(features, nameof(Standardizer));
        int rows = features.Shape[0];
        int width = features.Shape[1];
        ReadOnlySpan<float> values = features.Span;
        var sum = new double[width];
        for (int start = 0; start < values.Length; start += width)
        {
            for (int j = 0; j < width; j++)
            {
                sum[j] += values[start + j];
            }
        }
        var mean = new double[width];
        for (int j = 0; j < width; j++)
        {
            mean[j] = sum[j] / rows;
        }
        var squares = new double[width];
        for (int start = 0; start < values.Length; start += width)
        {
            for (int j = 0; j < width; j++)
            {
                double d = values[start + j] - mean[j];
                squares[j] += d * d;
            }
        }
        var meanF = new float[width];
        var stdF = new float[width];
        var scale = new float[width];
        for (int j = 0; j < width; j++)
        {
            double std = Math.Sqrt(squares[j] / rows);
            meanF[j] = (float)mean[j];
            stdF[j] = (float)std;
            scale[j] = std > 0 ? (float)(1 / std) : 1f;
        }
        return new Standardizer(meanF, stdF, scale);
    }

    /// <summary>Fits on <paramref name="train"/>'s features (the training split only).</summary>
    public static Standardizer Fit(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Fit(train.Features);
    }
}
