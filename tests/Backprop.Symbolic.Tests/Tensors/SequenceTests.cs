using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>TimeStep and Chunk (the operations recurrent networks read their inputs and gates with), their backward kernels and their errors.</summary>
public sealed class SequenceTests
{
    private static Tensor Counting(params int[] shape)
    {
        Tensor t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++)
        {
            t.Span[i] = i;
        }
        return t;
    }

    [Fact]
    public void TimeStep_is_a_view_of_block_t()
    {
        Tensor xs = Counting(3, 2, 4);
        Tensor x1 = Tensor.TimeStep(xs, 1);
        Assert.Equal(TensorShape.Of(2, 4), x1.Shape);
        Assert.Equal(8f, x1[0, 0]);
        Assert.Equal(15f, x1[1, 3]);
        xs.Span[9] = -1f; // a view: the write shows through
        Assert.Equal(-1f, x1[0, 1]);
        Assert.Equal(TensorShape.Of(4), Tensor.TimeStep(Counting(5, 4), 4).Shape);
        Assert.Equal(16f, Tensor.TimeStep(Counting(5, 4), 4)[0]);
    }

    [Fact]
    public void TimeStepBackward_adds_into_block_t_only()
    {
        Tensor dXs = Tensor.Zeros(3, 2, 2);
        dXs.Fill(1f);
        TensorKernels.TimeStepBackward(Tensor.FromArray(new[] { 1f, 2f, 3f, 4f }, 2, 2), 2, dXs);
        Assert.Equal(new[] { 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 2f, 3f, 4f, 5f }, dXs.ToArray());
        TensorKernels.TimeStepBackward(Tensor.Zeros(2, 2), 0, default); // a default adjoint is skipped
    }

    [Fact]
    public void TimeStep_errors_name_the_step_and_the_shape()
    {
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.TimeStep(Counting(3, 2), 3));
        Assert.Contains("step 3 is outside the sequence of shape [3, 2] (steps 0 to 2)", range.Message);
        var rank = Assert.Throws<ArgumentException>(() => Tensor.TimeStep(Counting(3), 0));
        Assert.Contains("time-major with rank 2 to 4", rank.Message);
        var shape = Assert.Throws<ArgumentException>(() => TensorKernels.TimeStepBackward(Tensor.Zeros(3), 0, Tensor.Zeros(2, 2)));
        Assert.Contains("TimeStepBackward", shape.Message);
    }

    [Fact]
    public void Chunk_copies_part_index_of_the_last_axis()
    {
        Tensor z = Counting(2, 8); // rows 0..7 and 8..15
        Tensor second = Tensor.Chunk(z, 4, 1);
        Assert.Equal(TensorShape.Of(2, 2), second.Shape);
        Assert.Equal(new[] { 2f, 3f, 10f, 11f }, second.ToArray());
        Assert.Equal(new[] { 4f, 5f, 6f, 7f, 12f, 13f, 14f, 15f }, Tensor.Chunk(z, 2, 1).ToArray());
        Assert.Equal(new[] { 0f, 1f, 2f }, Tensor.Chunk(Counting(6), 2, 0).ToArray());
    }

    [Fact]
    public void ChunkBackward_adds_into_the_chunks_columns()
    {
        Tensor dZ = Tensor.Zeros(2, 6);
        dZ.Fill(1f);
        TensorKernels.ChunkBackward(Tensor.FromArray(new[] { 1f, 2f, 3f, 4f }, 2, 2), 3, 2, dZ);
        Assert.Equal(new[] { 1f, 1f, 1f, 1f, 2f, 3f, 1f, 1f, 1f, 1f, 4f, 5f }, dZ.ToArray());
        TensorKernels.ChunkBackward(Tensor.Zeros(2, 2), 3, 2, default);
    }

    [Fact]
    public void Chunk_errors_say_what_is_wrong()
    {
        Assert.Contains("not a multiple of 3", Assert.Throws<ArgumentException>(() => Tensor.Chunk(Counting(2, 8), 3, 0)).Message);
        Assert.Contains("chunk 4 does not exist (chunks are 0 to 3)", Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Chunk(Counting(2, 8), 4, 4)).Message);
        Assert.Contains("must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Chunk(Counting(2, 8), 0, 0)).Message);
        Tensor z = Counting(2, 8);
        Assert.Contains("shares memory", Assert.Throws<ArgumentException>(() => TensorKernels.CopyChunk(z, 4, 0, z.Reshape(16).Slice(0, 0, 4).Reshape(2, 2))).Message);
    }

    [Fact]
    public void Dimension_reads_the_shape()
    {
        Assert.Equal(5, TensorShapes.Dimension(Tensor.Zeros(5, 3), 0));
        Assert.Equal(3, TensorShapes.Dimension(Tensor.Zeros(5, 3), 1));
    }
}
