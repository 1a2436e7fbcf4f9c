using System;
using System.Linq;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Tests.Data;

/// <summary>
/// <see cref="Standardizer"/> and <see cref="MinMaxScaler"/>: statistics measured on the training rows only and applied
/// unchanged to other rows, constant features handled without NaN, copy and in-place variants agree, and the inverse.
/// </summary>
public sealed class ScalerTests
{
    // Columns: varied, constant, large offset with small spread.
    private static readonly float[] TrainValues = [1, 5, 1000.5f, 2, 5, 1000.25f, 4, 5, 1000.75f, 9, 5, 1000.5f];

    private static Tensor Train() => Tensor.FromArray((float[])TrainValues.Clone(), 4, 3);

    private static (double Mean, double Std) Column(float[] values, int column, int width)
    {
        double[] x = values.Where((_, i) => i % width == column).Select(v => (double)v).ToArray();
        double mean = x.Average();
        return (mean, Math.Sqrt(x.Select(v => (v - mean) * (v - mean)).Average()));
    }

    [Fact]
    public void Standardizer_measures_the_population_mean_and_standard_deviation()
    {
        var scaler = Standardizer.Fit(Train());
        // Column 0: 1, 2, 4, 9: mean 4, deviations -3, -2, 0, 5, variance 38 / 4 = 9.5.
        Assert.Equal(4f, scaler.Mean[0]);
        Assert.Equal((float)Math.Sqrt(9.5), scaler.StandardDeviation[0], 6);
        Assert.Equal(5f, scaler.Mean[1]);
        Assert.Equal(0f, scaler.StandardDeviation[1]);
        Assert.Equal(1000.5f, scaler.Mean[2]);
    }

    [Fact]
    public void Standardized_training_features_have_mean_0_and_standard_deviation_1_and_a_constant_feature_is_centred()
    {
        Tensor train = Train();
        var scaler = Standardizer.Fit(train);
        Tensor scaled = scaler.Transform(train);
        float[] values = scaled.ToArray();
        foreach (int column in new[] { 0, 2 })
        {
            var (mean, std) = Column(values, column, 3);
            Assert.Equal(0, mean, 5);
            Assert.Equal(1, std, 5);
        }
        Assert.All(values.Where((_, i) => i % 3 == 1), v => Assert.Equal(0f, v));
        Assert.Equal(TrainValues, train.ToArray()); // the copy variant leaves its input alone
    }

    [Fact]
    public void Other_rows_are_scaled_with_the_training_statistics()
    {
        var scaler = Standardizer.Fit(Train());
        var test = Tensor.FromArray([4f + (float)Math.Sqrt(9.5), 7f, 1000.5f], 1, 3);
        scaler.TransformInPlace(test);
        Assert.Equal(1f, test[0, 0], 5);
        Assert.Equal(2f, test[0, 1], 5); // constant in training: only centred, 7 - 5
        Assert.Equal(0f, test[0, 2], 4);
    }

    [Fact]
    public void In_place_and_copy_agree_and_the_inverse_restores_the_input()
    {
        Tensor train = Train();
        var standardizer = Standardizer.Fit(train);
        var minMax = MinMaxScaler.Fit(train);
        foreach (FeatureScaler scaler in new FeatureScaler[] { standardizer, minMax })
        {
            Tensor copy = scaler.Transform(train);
            Tensor inPlace = train.Clone();
            scaler.TransformInPlace(inPlace);
            Assert.Equal(copy.ToArray(), inPlace.ToArray());
            scaler.InverseTransformInPlace(inPlace);
            for (int i = 0; i < TrainValues.Length; i++)
            {
                Assert.Equal(TrainValues[i], inPlace.Span[i], 3);
            }
        }
    }

    [Fact]
    public void Min_max_maps_the_training_range_onto_the_target_range()
    {
        Tensor train = Train();
        var scaler = MinMaxScaler.Fit(train, -1, 1);
        Assert.Equal(new float[] { 1, 5, 1000.25f }, scaler.Minimum.ToArray());
        Assert.Equal(new float[] { 9, 5, 1000.75f }, scaler.Maximum.ToArray());
        Tensor scaled = scaler.Transform(train);
        // Column 0: 1, 2, 4, 9 over [1, 9] onto [-1, 1]: -1, -0.75, -0.25, 1.
        Assert.Equal(new[] { -1f, -0.75f, -0.25f, 1f }, new[] { scaled[0, 0], scaled[1, 0], scaled[2, 0], scaled[3, 0] });
        Assert.All(new[] { scaled[0, 1], scaled[1, 1], scaled[2, 1], scaled[3, 1] }, v => Assert.Equal(-1f, v));
        Assert.Equal(new[] { 0f, -1f, 1f, 0f }, new[] { scaled[0, 2], scaled[1, 2], scaled[2, 2], scaled[3, 2] });

        var outside = Tensor.FromArray([17f, 6f, 1000.5f], 1, 3);
        scaler.TransformInPlace(outside);
        Assert.Equal(3f, outside[0, 0]); // not clipped
        Assert.Equal(0f, outside[0, 1]); // constant feature: x - min + lower
    }

    [Fact]
    public void Fitting_on_the_training_split_of_the_digits_and_applying_to_the_test_split()
    {
        var digits = CsvLoader.Load(TestFiles.SampleData("digits.csv.gz"));
        DatasetSplit split = DatasetSplitter.TrainTest(digits, 0.25, seed: 7, stratify: true);
        var scaler = Standardizer.Fit(split.Train);
        Dataset train = scaler.Transform(split.Train);
        Dataset test = scaler.Transform(split.Test);

        float[] values = train.Features.ToArray();
        float[] raw = split.Train.Features.ToArray();
        for (int j = 0; j < 64; j++)
        {
            var (mean, std) = Column(raw, j, 64);
            var (scaledMean, scaledStd) = Column(values, j, 64);
            Assert.Equal(0, scaledMean, 4);
            Assert.Equal(std > 0 ? 1 : 0, scaledStd, 4);
            Assert.Equal(mean, scaler.Mean[j], 4);
        }
        Assert.All(train.Features.ToArray().Concat(test.Features.ToArray()), v => Assert.True(float.IsFinite(v)));
        // The test rows use the training statistics: pixel 0 of the first test row, by the formula.
        float expected = (split.Test.Features[0, 20] - scaler.Mean[20]) / scaler.StandardDeviation[20];
        Assert.Equal(expected, test.Features[0, 20], 4);
        Assert.Equal(split.Test.Labels.ToArray(), test.Labels.ToArray());
    }

    [Fact]
    public void Wrong_shapes_and_empty_inputs_are_rejected()
    {
        var scaler = Standardizer.Fit(Train());
        Assert.Contains("fitted on 3 features", Assert.Throws<ArgumentException>(() => scaler.Transform(Tensor.Zeros(2, 4))).Message);
        Assert.Throws<ArgumentException>(() => scaler.TransformInPlace(Tensor.Zeros(3)));
        Assert.Contains("at least one row", Assert.Throws<ArgumentException>(() => Standardizer.Fit(Tensor.Zeros(0, 3))).Message);
        Assert.Throws<ArgumentException>(() => MinMaxScaler.Fit(Train(), 1, 1));
    }
}
