using System;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>The <see cref="Tensor"/> view itself: creation, shape, indexers, reshape, slice, copies and shape errors.</summary>
public sealed class TensorViewTests
{
    [Fact]
    public void Zeros_has_the_shape_and_only_zeros()
    {
        Tensor t = Tensor.Zeros(2, 3, 4);
        Assert.Equal(3, t.Rank);
        Assert.Equal(24, t.Length);
        Assert.Equal(3, t.Shape.Length);
        Assert.Equal(2, t.Shape[0]);
        Assert.Equal(3, t.Shape[1]);
        Assert.Equal(4, t.Shape[2]);
        Assert.Equal(new float[24], t.ToArray());
    }

    [Fact]
    public void FromArray_wraps_the_array_without_copying()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        Tensor t = Tensor.FromArray(data, 2, 3);
        Assert.Same(data, t.Array);
        data[4] = 50;
        Assert.Equal(50, t[1, 1]);
        t[0, 2] = 30;
        Assert.Equal(30, data[2]);
    }

    [Fact]
    public void FromArray_without_shape_is_a_vector_of_the_whole_array()
    {
        Tensor t = Tensor.FromArray(new float[] { 1, 2, 3 });
        Assert.Equal(TensorShape.Of(3), t.Shape);
    }

    [Fact]
    public void FromArray_with_a_shape_of_another_size_names_both_counts()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[5], 2, 3));
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("6", error.Message);
        Assert.Contains("5", error.Message);
    }

    [Fact]
    public void Indexers_address_row_major_elements_for_every_rank()
    {
        float[] data = new float[2 * 3 * 4 * 5];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = i;
        }
        Assert.Equal(7, Tensor.FromArray(data)[7]);
        Assert.Equal((1 * 60) + 2, Tensor.FromArray(data, 2, 60)[1, 2]);
        Assert.Equal((((1 * 3) + 2) * 20) + 7, Tensor.FromArray(data, 2, 3, 20)[1, 2, 7]);
        Assert.Equal((((((1 * 3) + 2) * 4) + 3) * 5) + 4, Tensor.FromArray(data, 2, 3, 4, 5)[1, 2, 3, 4]);
    }

    [Fact]
    public void Indexers_reject_indices_outside_the_shape_and_the_wrong_rank()
    {
        Tensor t = Tensor.Zeros(2, 3);
        var outside = Assert.Throws<IndexOutOfRangeException>(() => t[1, 3]);
        Assert.Contains("[2, 3]", outside.Message);
        var rank = Assert.Throws<ArgumentException>(() => t[1]);
        Assert.Contains("[2, 3]", rank.Message);
    }

    [Fact]
    public void Each_indexer_names_the_index_its_axis_and_the_shape()
    {
        Tensor t1 = Tensor.Zeros(2), t2 = Tensor.Zeros(2, 3), t3 = Tensor.Zeros(2, 3, 4), t4 = Tensor.Zeros(2, 3, 4, 5);
        Assert.Equal("Index 2 is outside axis 0 of shape [2].", Assert.Throws<IndexOutOfRangeException>(() => t1[2]).Message);
        Assert.Equal("Index -1 is outside axis 0 of shape [2].", Assert.Throws<IndexOutOfRangeException>(() => t1[-1]).Message);
        Assert.Equal("Index 2 is outside axis 0 of shape [2, 3].", Assert.Throws<IndexOutOfRangeException>(() => t2[2, 0]).Message);
        Assert.Equal("Index -1 is outside axis 1 of shape [2, 3].", Assert.Throws<IndexOutOfRangeException>(() => t2[1, -1]).Message);
        Assert.Equal("Index 3 is outside axis 1 of shape [2, 3, 4].", Assert.Throws<IndexOutOfRangeException>(() => t3[0, 3, 0]).Message);
        Assert.Equal("Index 4 is outside axis 2 of shape [2, 3, 4].", Assert.Throws<IndexOutOfRangeException>(() => t3[1, 2, 4]).Message);
        Assert.Equal("Index 2 is outside axis 0 of shape [2, 3, 4, 5].", Assert.Throws<IndexOutOfRangeException>(() => t4[2, 0, 0, 0]).Message);
        Assert.Equal("Index 5 is outside axis 3 of shape [2, 3, 4, 5].", Assert.Throws<IndexOutOfRangeException>(() => t4[1, 2, 3, 5]).Message);
        // The rank is checked before the indices: a rank-2 indexer on a rank-3 tensor names the rank even when the indices are inside.
        Assert.Equal("An indexer with 2 indices was used on a tensor of shape [2, 3, 4] (rank 3).", Assert.Throws<ArgumentException>(() => t3[0, 0]).Message);
        Assert.Equal("An indexer with 4 indices was used on a tensor of shape [2] (rank 1).", Assert.Throws<ArgumentException>(() => t1[0, 0, 0, 0]).Message);
        Assert.Equal("An indexer with 3 indices was used on a tensor of shape [2, 3, 4, 5] (rank 4).", Assert.Throws<ArgumentException>(() => t4[9, 9, 9]).Message);
        Assert.Equal("An indexer with 1 indices was used on a tensor of shape [] (rank 0).", Assert.Throws<ArgumentException>(() => default(Tensor)[0]).Message);
    }

    [Fact]
    public void Indexers_of_a_view_read_and_write_its_own_elements()
    {
        var data = new float[24];
        Tensor rows = Tensor.FromArray(data, 4, 6).Slice(0, 1, 2); // rows 1 and 2: offset 6, shape [2, 6]
        rows[1, 4] = 42f;
        Assert.Equal(42f, data[6 + 6 + 4]);
        Tensor cube = Tensor.FromArray(data, 4, 3, 2).Slice(0, 2, 1); // offset 12, shape [1, 3, 2]
        cube[0, 2, 1] += 1f;
        Assert.Equal(1f, data[12 + 5]);
        Assert.Throws<IndexOutOfRangeException>(() => rows[2, 0]); // inside the array, outside the view
    }

    [Fact]
    public void Reshape_is_a_view_and_infers_minus_one()
    {
        var data = new float[12];
        Tensor t = Tensor.FromArray(data, 3, 4);
        Tensor r = t.Reshape(2, -1);
        Assert.Equal(TensorShape.Of(2, 6), r.Shape);
        r[1, 5] = 9;
        Assert.Equal(9, t[2, 3]);
        Assert.Same(data, r.Array);
    }

    [Fact]
    public void Reshape_to_another_element_count_names_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Reshape(5, 2));
        Assert.Contains("[3, 4]", error.Message);
        Assert.Contains("[5, 2]", error.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Reshape(5, -1));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Reshape(-1, -1));
    }

    [Fact]
    public void Slice_along_axis_0_is_a_view_of_the_same_memory()
    {
        Tensor t = Tensor.FromArray(new float[] { 0, 1, 2, 3, 4, 5, 6, 7 }, 4, 2);
        Tensor rows = t.Slice(0, 1, 2);
        Assert.Equal(TensorShape.Of(2, 2), rows.Shape);
        Assert.Equal(new float[] { 2, 3, 4, 5 }, rows.ToArray());
        rows[0, 0] = 20;
        Assert.Equal(20, t[1, 0]);
        Assert.Same(t.Array, rows.Array);
    }

    [Fact]
    public void Slice_along_another_axis_is_a_copy()
    {
        Tensor t = Tensor.FromArray(new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, 2, 3, 2);
        Tensor middle = t.Slice(1, 1, 2);
        Assert.Equal(TensorShape.Of(2, 2, 2), middle.Shape);
        Assert.Equal(new float[] { 2, 3, 4, 5, 8, 9, 10, 11 }, middle.ToArray());
        middle[0, 0, 0] = 100;
        Assert.Equal(2, t[0, 1, 0]);
        Tensor lastColumn = t.Slice(2, 1, 1);
        Assert.Equal(new float[] { 1, 3, 5, 7, 9, 11 }, lastColumn.ToArray());
    }

    [Fact]
    public void Slice_outside_the_shape_throws()
    {
        Tensor t = Tensor.Zeros(4, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Slice(0, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Slice(2, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Slice(1, -1, 1));
    }

    [Fact]
    public void ToArray_copies()
    {
        Tensor t = Tensor.FromArray(new float[] { 1, 2 });
        float[] copy = t.ToArray();
        copy[0] = 10;
        Assert.Equal(1, t[0]);
    }

    [Fact]
    public void Shapes_of_rank_0_or_above_4_or_negative_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Zeros());
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 2, 3, 4, 5));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, -1));
    }
}
