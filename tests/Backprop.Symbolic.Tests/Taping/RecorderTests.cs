using System;
using Backprop.Symbolic.Taping;
using Xunit;

namespace Backprop.Symbolic.Tests.Taping;

/// <summary>
/// <see cref="Tape.Recorder"/>: the stack tops generated code keeps in locals while it records, written back
/// to the tape around calls (<see cref="Tape.Recorder.Commit"/>, <see cref="Tape.Recorder.Refresh"/>), and the
/// loud failure when something re-enters the tape while the tops are only in the recorder.
/// </summary>
public sealed class RecorderTests
{
    [Fact]
    public void Values_and_integers_pop_in_reverse_push_order()
    {
        var tape = new Tape();
        Tape.Mark mark = tape.GetMark();
        Tape.Recorder record = tape.Record();
        for (int i = 0; i < 5000; i++)
        {
            record.Push(i * 0.5);
            record.Push((long)i);
            record.Push(i % 3 == 0);
        }
        for (int i = 4999; i >= 0; i--)
        {
            Assert.Equal(i % 3 == 0, record.PopBoolean());
            Assert.Equal(i, record.PopInt32());
            Assert.Equal(i * 0.5, record.PopDouble());
        }
        tape.Release(mark);
        Assert.Equal(0, tape.ValueCount);
        Assert.Equal(0, tape.IntegerCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void Reserved_pushes_grow_the_stack_once_up_front_and_pop_in_reverse_order(int count)
    {
        var tape = new Tape();
        Tape.Mark mark = tape.GetMark();
        Tape.Recorder record = tape.Record();
        record.Push(-1.0); // something below the reserved run
        record.Reserve(count);
        for (int i = 0; i < count; i++)
        {
            record.PushReserved(i * 0.25);
        }
        record.Push(-2.0); // an ordinary push after the run still grows as needed
        Assert.Equal(-2.0, record.PopDouble());
        for (int i = count - 1; i >= 0; i--)
        {
            Assert.Equal(i * 0.25, record.PopDouble());
        }
        Assert.Equal(-1.0, record.PopDouble());
        record.Commit();
        tape.Release(mark);
        Assert.Equal(0, tape.ValueCount);
    }

    [Fact]
    public void A_push_beyond_the_reserved_room_fails_loudly_instead_of_writing_past_the_stack()
    {
        var tape = new Tape();
        Tape.Recorder record = tape.Record();
        record.Reserve(10);
        int pushed = 0;
        bool threw = false;
        try
        {
            for (; pushed < 100_000_000; pushed++)
            {
                record.PushReserved(pushed);
            }
        }
        catch (IndexOutOfRangeException)
        {
            threw = true;
        }
        Assert.True(threw);
        Assert.InRange(pushed, 10, 100_000_000 - 1);
    }

    [Fact]
    public void A_negative_reservation_is_refused()
    {
        var tape = new Tape();
        Tape.Recorder record = tape.Record();
        bool threw = false;
        try
        {
            record.Reserve(-1);
        }
        catch (ArgumentOutOfRangeException)
        {
            threw = true;
        }
        Assert.True(threw);
    }

    [Fact]
    public void Spans_pop_as_pushed_between_scalars_and_grow_the_stack()
    {
        var tape = new Tape();
        Tape.Mark mark = tape.GetMark();
        Tape.Recorder record = tape.Record();
        double[] doubles = new double[3000];
        float[] singles = { 0.1f, -2.5f, float.Epsilon, 3.0e38f };
        for (int i = 0; i < doubles.Length; i++)
        {
            doubles[i] = Math.Sin(i);
        }
        record.Push(1.25);
        record.Push(doubles);
        record.Push(7L);
        record.Push(singles);
        record.Push(ReadOnlySpan<double>.Empty);

        Assert.Equal(0, record.PopDoubles().Length);
        Span<float> poppedSingles = record.PopSingles();
        Assert.Equal(singles, poppedSingles.ToArray()); // widened to double and back: exact
        Assert.Equal(7L, record.PopInt64());
        Span<double> poppedDoubles = record.PopDoubles();
        Assert.Equal(doubles, poppedDoubles.ToArray());
        Assert.Equal(1.25, record.PopDouble());
        record.Commit();
        Assert.Equal(0, tape.ValueCount);
        Assert.Equal(0, tape.IntegerCount);
        tape.Release(mark);
    }

    [Fact]
    public void A_call_between_commit_and_refresh_sees_the_recorded_values_and_leaves_them_intact()
    {
        var tape = new Tape();
        Tape.Mark outer = tape.GetMark();
        Tape.Recorder record = tape.Record();
        record.Push(1.5);
        record.Push(7L);
        record.Commit();
        Assert.Equal(1, tape.ValueCount);
        Assert.Equal(1, tape.IntegerCount);

        // A nested generated method: its own mark, enough pushes to grow the stacks, then its release.
        Tape.Mark inner = tape.GetMark();
        Tape.Recorder nested = tape.Record();
        for (int i = 0; i < 100_000; i++)
        {
            nested.Push((double)i);
            nested.Push((long)i);
        }
        tape.Release(inner);

        record.Refresh();
        record.Push(2.5);
        Assert.Equal(2.5, record.PopDouble());
        Assert.Equal(7L, record.PopInt64());
        Assert.Equal(1.5, record.PopDouble());
        tape.Release(outer);
    }

    [Fact]
    public void Taking_a_mark_while_a_recorder_holds_the_tops_fails_loudly()
    {
        var tape = new Tape();
        Tape.Mark mark = tape.GetMark();
        Tape.Recorder record = tape.Record();
        record.Push(1.0);

        var error = Assert.Throws<InvalidOperationException>(() => tape.GetMark());
        Assert.Contains("generated gradient", error.Message, StringComparison.Ordinal);

        record.Commit();
        tape.Release(tape.GetMark()); // committed: allowed
        record.Refresh();
        Assert.Throws<InvalidOperationException>(() => tape.GetMark());

        tape.Release(mark);
        tape.Release(tape.GetMark()); // released: allowed again
    }

    [Fact]
    public void Recording_a_fixed_amount_allocates_nothing_after_warm_up()
    {
        var tape = new Tape();
        Cycle(tape);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Cycle(tape);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void Cycle(Tape tape)
        {
            Tape.Mark mark = tape.GetMark();
            Tape.Recorder record = tape.Record();
            for (int i = 0; i < 3000; i++)
            {
                record.Push(i * 1.0);
                record.Push((long)i);
            }
            for (int i = 0; i < 3000; i++)
            {
                record.PopInt64();
                record.PopDouble();
            }
            tape.Release(mark);
        }
    }
}
