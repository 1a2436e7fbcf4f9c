using System;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Tests.Taping;

/// <summary>
/// <see cref="Tape.RentTensorUninitialized"/>: a tensor of the workspace that is not cleared, so it shows what the
/// memory held; otherwise a rent like <see cref="Tape.RentTensor"/> (its shape, 64-byte aligned, disjoint from the
/// other rents, released with its mark).
/// </summary>
public sealed class UninitializedTensorRentTests
{
    [Fact]
    public void Shows_what_the_memory_held_where_a_cleared_rent_shows_zeros()
    {
        var tape = new Tape();
        Tape.Mark mark = tape.GetMark();
        tape.RentTensor(TensorShape.Of(4, 8)).Span.Fill(7f);
        tape.Release(mark);

        Tensor garbage = tape.RentTensorUninitialized(TensorShape.Of(4, 8));
        Assert.Equal(TensorShape.Of(4, 8), garbage.Shape);
        Assert.All(garbage.ToArray(), v => Assert.Equal(7f, v));
        tape.Release(mark);

        Tensor cleared = tape.RentTensor(TensorShape.Of(4, 8));
        Assert.All(cleared.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Is_aligned_and_disjoint_from_the_other_rents()
    {
        var tape = new Tape();
        var tensors = new Tensor[12];
        for (int i = 0; i < tensors.Length; i++)
        {
            TensorShape shape = TensorShape.Of(i % 3 + 1, 5 + i);
            tensors[i] = i % 2 == 0 ? tape.RentTensorUninitialized(shape) : tape.RentTensor(shape);
            Assert.Equal(0, Alignment.CacheLineOffset(tensors[i].Span));
            tensors[i].Span.Fill(i);
        }
        for (int i = 0; i < tensors.Length; i++)
        {
            Assert.All(tensors[i].ToArray(), v => Assert.Equal((float)i, v));
        }
    }

    [Fact]
    public void Grows_the_workspace_when_it_is_full()
    {
        var tape = new Tape();
        Tensor small = tape.RentTensorUninitialized(TensorShape.Of(3));
        small.Span.Fill(1f);
        Tensor large = tape.RentTensorUninitialized(TensorShape.Of(1 << 18));
        large.Span.Fill(2f);
        Assert.Equal(1 << 18, large.Length);
        Assert.All(small.ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Empty_shape_is_an_empty_tensor()
    {
        var tape = new Tape();
        Assert.Equal(0, tape.RentTensorUninitialized(TensorShape.Of(0, 4)).Length);
    }
}
