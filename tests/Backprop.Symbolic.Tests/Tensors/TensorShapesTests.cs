using System;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

public sealed class TensorShapesTests
{
    [Fact]
    public void MatMul_of_m_by_k_and_k_by_n_is_m_by_n_and_a_mismatch_names_both_shapes()
    {
        Assert.Equal(TensorShape.Of(3, 5), TensorShapes.MatMul(TensorShape.Of(3, 4), TensorShape.Of(4, 5)));
        var ex = Assert.Throws<ArgumentException>(() => TensorShapes.MatMul(TensorShape.Of(3, 4), TensorShape.Of(5, 4)));
        Assert.Equal("MatMul: shapes [3, 4] and [5, 4] do not match (the columns of the first must equal the rows of the second).", ex.Message);
        Assert.Throws<ArgumentException>(() => TensorShapes.MatMul(TensorShape.Of(4), TensorShape.Of(4, 5)));
    }

    [Fact]
    public void Broadcast_takes_equal_shapes_and_a_row_vector_on_either_side()
    {
        Assert.Equal(TensorShape.Of(2, 3), TensorShapes.Broadcast("operator +", TensorShape.Of(2, 3), TensorShape.Of(2, 3)));
        Assert.Equal(TensorShape.Of(2, 3), TensorShapes.Broadcast("operator +", TensorShape.Of(2, 3), TensorShape.Of(3)));
        Assert.Equal(TensorShape.Of(4, 2, 3), TensorShapes.Broadcast("operator *", TensorShape.Of(3), TensorShape.Of(4, 2, 3)));
        var ex = Assert.Throws<ArgumentException>(() => TensorShapes.Broadcast("operator -", TensorShape.Of(2, 3), TensorShape.Of(2)));
        Assert.StartsWith("operator -: shapes [2, 3] and [2] do not match", ex.Message);
    }

    [Fact]
    public void Reduce_removes_the_axis_and_a_vector_reduces_to_one_element()
    {
        Assert.Equal(TensorShape.Of(2, 4), TensorShapes.Reduce(TensorShape.Of(2, 3, 4), 1));
        Assert.Equal(TensorShape.Of(3), TensorShapes.Reduce(TensorShape.Of(2, 3), 0));
        Assert.Equal(TensorShape.Of(1), TensorShapes.Reduce(TensorShape.Of(7), 0));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => TensorShapes.Reduce(TensorShape.Of(2, 3), 2));
        Assert.Contains("a tensor of shape [2, 3] has no axis 2", ex.Message);
    }

    [Fact]
    public void Concat_adds_the_sizes_along_the_axis_and_Gather_takes_the_table_width()
    {
        Assert.Equal(TensorShape.Of(2, 7), TensorShapes.Concat(1, TensorShape.Of(2, 3), TensorShape.Of(2, 4)));
        Assert.Throws<ArgumentException>(() => TensorShapes.Concat(1, TensorShape.Of(2, 3), TensorShape.Of(3, 4)));
        Assert.Equal(TensorShape.Of(5, 8), TensorShapes.Gather(TensorShape.Of(100, 8), 5));
        Assert.Throws<ArgumentException>(() => TensorShapes.Gather(TensorShape.Of(100), 5));
    }

    [Fact]
    public void Step_is_a_rows_length_for_a_full_operand_and_zero_for_a_broadcast_row()
    {
        Tensor result = Tensor.Zeros(3, 4);
        Assert.Equal(4, TensorShapes.Step(Tensor.Zeros(3, 4), result));
        Assert.Equal(0, TensorShapes.Step(Tensor.Zeros(4), result));
    }
}
