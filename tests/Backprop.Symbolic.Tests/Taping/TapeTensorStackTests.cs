using System;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Taping;

/// <summary>
/// The tape's stack of tensor views: what a generated loop over time steps pushes in its forward loop and pops in its
/// backward loop. Views come back in reverse order, marks cover the stack, and once grown a push allocates nothing.
/// </summary>
public sealed class TapeTensorStackTests
{
    [Fact]
    public void Views_pop_in_reverse_push_order_and_share_memory()
    {
        var tape = new Tape();
        var data = new float[12];
        for (int t = 0; t < 3; t++)
        {
            tape.PushTensor(new Tensor(data, 4 * t, TensorShape.Of(2, 2)));
        }
        Assert.Equal(3, tape.TensorCount);
        for (int t = 2; t >= 0; t--)
        {
            Tensor view = tape.PopTensor();
            Assert.Equal(4 * t, view.Offset);
            Assert.Same(data, view.Array);
            Assert.Equal(TensorShape.Of(2, 2), view.Shape);
        }
        Assert.Equal(0, tape.TensorCount);
    }

    [Fact]
    public void Popping_an_empty_stack_throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new Tape().PopTensor());
        Assert.Contains("The tape is empty", e.Message);
    }

    [Fact]
    public void Marks_cover_the_tensor_stack()
    {
        var tape = new Tape();
        Tensor t = Tensor.Zeros(2);
        tape.PushTensor(t);
        Tape.Mark mark = tape.GetMark();
        Assert.Equal(1, mark.Tensors);
        tape.PushTensor(t);
        tape.PushTensor(t);
        tape.Release(mark); // an exception between pushes and pops leaves nothing behind
        Assert.Equal(1, tape.TensorCount);
        Assert.Equal(new Tape.Mark(0, 0, 0, 0, 1), tape.GetMark());
    }

    [Fact]
    public void Pushing_far_beyond_the_initial_capacity_keeps_every_view_and_then_allocates_nothing()
    {
        var tape = new Tape();
        var data = new float[10_000];
        for (int i = 0; i < 10_000; i++)
        {
            tape.PushTensor(new Tensor(data, i, TensorShape.Of(1)));
        }
        for (int i = 9_999; i >= 0; i--)
        {
            Assert.Equal(i, tape.PopTensor().Offset);
        }
        Tensor view = new(data, 0, TensorShape.Of(1));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            tape.PushTensor(view);
        }
        for (int i = 0; i < 10_000; i++)
        {
            tape.PopTensor();
        }
        Assert.Equal(0L, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
