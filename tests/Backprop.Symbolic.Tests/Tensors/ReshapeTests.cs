using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>
/// The int overloads of <see cref="Tensor.Reshape(int, int)"/> (what generated code calls): the same view as the params
/// array, -1 inferred, the shape error naming both shapes, and no allocation.
/// </summary>
public sealed class ReshapeTests
{
    [Fact]
    public void Every_rank_is_a_view_of_the_same_memory()
    {
        var data = new float[24];
        Tensor t = Tensor.FromArray(data, 2, 3, 4);
        Assert.Equal(TensorShape.Of(24), t.Reshape(24).Shape);
        Assert.Equal(TensorShape.Of(24), t.Reshape(-1).Shape);
        Assert.Equal(TensorShape.Of(6, 4), t.Reshape(-1, 4).Shape);
        Assert.Equal(TensorShape.Of(2, 12), t.Reshape(2, 3, 4).Reshape(2, -1).Shape);
        Assert.Equal(TensorShape.Of(1, 2, 3, 4), t.Reshape(1, 2, 3, -1).Shape);
        Assert.Equal(t.Reshape(new[] { 4, 6 }).Shape, t.Reshape(4, 6).Shape);
        Tensor m = t.Reshape(4, 6);
        m[3, 5] = 7;
        Assert.Equal(7, t[1, 2, 3]);
        Assert.Same(data, m.Array);
    }

    [Fact]
    public void Another_element_count_names_both_shapes()
    {
        var count = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Reshape(5, 5));
        Assert.Contains("[3, 4] (12 elements)", count.Message);
        Assert.Contains("[5, 5] (25 elements)", count.Message);
        var inferred = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Reshape(5, -1, 1));
        Assert.Contains("[3, 4]", inferred.Message);
        Assert.Contains("[5, -1, 1]", inferred.Message);
        var two = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Reshape(-1, 2, -1));
        Assert.Contains("only one dimension may be -1", two.Message);
        var rank = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Reshape(1, 1, 1, 3, 4));
        Assert.Contains("[1, 1, 1, 3, 4]", rank.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Reshape(-2, -6));
    }

    [Fact]
    public void Int_overloads_allocate_nothing()
    {
        Tensor t = Tensor.Zeros(2, 3, 4);
        int sink = 0;
        void Run()
        {
            sink += t.Reshape(24).Rank + t.Reshape(6, -1).Rank + t.Reshape(2, 3, 4).Rank + t.Reshape(1, 2, 3, 4).Rank;
        }
        Run();
        Assert.Equal(0, Allocations.Fewest(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                Run();
            }
        }));
        Assert.True(sink >= 101 * 10);
    }
}
