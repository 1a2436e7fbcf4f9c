using System;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Tests.Data;

/// <summary>Small datasets whose rows identify themselves: row <c>i</c> holds features <c>i·10 + j</c> and label <c>i % classes</c>.</summary>
internal static class DataFixtures
{
    public static Dataset Numbered(int rows, int features, int classes)
    {
        var values = new float[rows * features];
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < features; j++)
            {
                values[(i * features) + j] = (i * 10) + j;
            }
            labels[i] = i % classes;
        }
        return new Dataset(new Tensor(values, 0, TensorShape.Of(rows, features)), labels, classes);
    }

    /// <summary>The row a feature vector of <see cref="Numbered"/> came from.</summary>
    public static int RowOf(ReadOnlySpan<float> features) => (int)(features[0] / 10);
}
