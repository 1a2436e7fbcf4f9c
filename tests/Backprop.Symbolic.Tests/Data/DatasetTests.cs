using System;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Data;

/// <summary><see cref="Dataset"/>: validation of its inputs, row views that share memory, subsets that copy, one-hot encoding.</summary>
public sealed class DatasetTests
{
    [Fact]
    public void Rows_are_views_that_share_the_features_memory()
    {
        var data = DataFixtures.Numbered(5, 3, 2);
        Tensor row = data.Row(2);
        Assert.Equal(new float[] { 20, 21, 22 }, row.ToArray());
        row[1] = -1;
        Assert.Equal(-1, data.Features[2, 1]);

        Tensor rows = data.Rows(3, 2);
        Assert.Equal(TensorShape.Of(2, 3), rows.Shape);
        Assert.Equal(new float[] { 30, 31, 32, 40, 41, 42 }, rows.ToArray());
        Assert.Same(data.Features.Array, rows.Array);
    }

    [Fact]
    public void Subset_copies_the_chosen_rows_in_order()
    {
        var data = DataFixtures.Numbered(5, 2, 3);
        var subset = data.Subset([4, 0, 4]);
        Assert.Equal(new float[] { 40, 41, 0, 1, 40, 41 }, subset.Features.ToArray());
        Assert.Equal(new[] { 1, 0, 1 }, subset.Labels.ToArray());
        Assert.Equal(3, subset.ClassCount);
        subset.Features[0, 0] = 99;
        Assert.Equal(40, data.Features[4, 0]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([1, 5]));
        Assert.Contains("Index 5 at position 1", e.Message);
    }

    [Fact]
    public void Class_count_defaults_to_the_largest_label_plus_one_and_counts_classes()
    {
        var data = new Dataset(Tensor.Zeros(4, 1), [0, 3, 3, 1]);
        Assert.Equal(4, data.ClassCount);
        Assert.Equal(new[] { 1, 1, 0, 2 }, data.ClassCounts());
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_what_is_wrong()
    {
        Assert.Contains("must be a matrix", Assert.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros(3), [0, 1, 2])).Message);
        Assert.Contains("3 rows but there are 2 labels", Assert.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros(3, 2), [0, 1])).Message);
        Assert.Contains("Label 2 at row 1 is outside 0..1", Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(Tensor.Zeros(2, 2), [0, 2], 2)).Message);
        Assert.Contains("Label -1 at row 0", Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(Tensor.Zeros(2, 2), [-1, 0])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DataFixtures.Numbered(3, 2, 2).Row(3));
    }

    [Fact]
    public void One_hot_encoding_puts_a_single_one_in_each_label_column()
    {
        Tensor encoded = OneHot.Encode([2, 0, 1, 2], 3);
        Assert.Equal(TensorShape.Of(4, 3), encoded.Shape);
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1 }, encoded.ToArray());
    }

    [Fact]
    public void One_hot_encoding_into_a_buffer_overwrites_it_and_checks_labels_before_writing()
    {
        var destination = Tensor.Zeros(2, 3);
        destination.Fill(7);
        OneHot.Encode([1, 1], 3, destination);
        Assert.Equal(new float[] { 0, 1, 0, 0, 1, 0 }, destination.ToArray());

        destination.Fill(7);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([0, 3], 3, destination));
        Assert.Contains("Label 3 at position 1 is outside 0..2", e.Message);
        Assert.All(destination.ToArray(), v => Assert.Equal(7, v));
        Assert.Contains("Label -1 at position 0", Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([-1], 3)).Message);
        Assert.Contains("[2, 3]", Assert.Throws<ArgumentException>(() => OneHot.Encode([0, 1], 3, Tensor.Zeros(2, 4))).Message);
    }
}
