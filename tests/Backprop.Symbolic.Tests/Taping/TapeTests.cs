using System;
using System.Collections.Generic;
using System.Threading;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Tests.Taping;

/// <summary>
/// Example-based tests of <see cref="Tape"/>: the two stacks (floating-point values and integers), marks,
/// the zeroed scratch arenas, the per-thread instance and the allocation-free steady state.
/// </summary>
/// <remarks>
/// Most tests use a fresh <c>new Tape()</c> so they do not depend on what other tests left on the tape of
/// the thread they happen to run on; the tests of <see cref="Tape.Current"/> restore the tape they touch.
/// </remarks>
public sealed class TapeTests
{
    // Comfortably above the initial capacities in Tape.cs (1024 values, 256 integers, 4096 scratch).
    private const int Many = 1_000_000;

    // ---------------------------------------------------------------- stacks

    [Fact]
    public void Doubles_pop_in_reverse_push_order()
    {
        var tape = new Tape();
        double[] pushed = { 1.0, -2.5, 3.25, 0.0, 1e300, -1e-300 };
        foreach (double value in pushed)
        {
            tape.Push(value);
        }

        Assert.Equal(pushed.Length, tape.ValueCount);
        Assert.Equal(0, tape.IntegerCount);
        for (int i = pushed.Length - 1; i >= 0; i--)
        {
            Assert.Equal(pushed[i], tape.PopDouble());
            Assert.Equal(i, tape.ValueCount);
        }
    }

    [Fact]
    public void Integers_pop_in_reverse_push_order()
    {
        var tape = new Tape();
        long[] pushed = { 0L, 1L, -1L, long.MaxValue, long.MinValue, 42L, (long)int.MaxValue + 1 };
        foreach (long value in pushed)
        {
            tape.Push(value);
        }

        Assert.Equal(pushed.Length, tape.IntegerCount);
        Assert.Equal(0, tape.ValueCount);
        for (int i = pushed.Length - 1; i >= 0; i--)
        {
            Assert.Equal(pushed[i], tape.PopInt64());
            Assert.Equal(i, tape.IntegerCount);
        }
    }

    [Fact]
    public void Interleaved_doubles_and_integers_are_independent_stacks_integers_popped_first()
    {
        var tape = new Tape();
        PushInterleaved(tape);

        Assert.Equal(4, tape.ValueCount);
        Assert.Equal(5, tape.IntegerCount);

        // All integers first: the doubles in between must not disturb them.
        Assert.Equal(-7, tape.PopInt32());
        Assert.True(tape.PopBoolean());
        Assert.Equal(30L, tape.PopInt64());
        Assert.False(tape.PopBoolean());
        Assert.Equal(10L, tape.PopInt64());
        Assert.Equal(0, tape.IntegerCount);
        Assert.Equal(4, tape.ValueCount);

        Assert.Equal(4.5, tape.PopDouble());
        Assert.Equal(3.5, tape.PopDouble());
        Assert.Equal(2.5, tape.PopDouble());
        Assert.Equal(1.5, tape.PopDouble());
        Assert.Equal(0, tape.ValueCount);
    }

    [Fact]
    public void Interleaved_doubles_and_integers_are_independent_stacks_doubles_popped_first()
    {
        var tape = new Tape();
        PushInterleaved(tape);

        Assert.Equal(4.5, tape.PopDouble());
        Assert.Equal(3.5, tape.PopDouble());
        Assert.Equal(2.5, tape.PopDouble());
        Assert.Equal(1.5, tape.PopDouble());
        Assert.Equal(0, tape.ValueCount);
        Assert.Equal(5, tape.IntegerCount);

        Assert.Equal(-7, tape.PopInt32());
        Assert.True(tape.PopBoolean());
        Assert.Equal(30L, tape.PopInt64());
        Assert.False(tape.PopBoolean());
        Assert.Equal(10L, tape.PopInt64());
        Assert.Equal(0, tape.IntegerCount);
    }

    [Fact]
    public void Interleaved_pops_alternate_between_the_stacks()
    {
        var tape = new Tape();
        PushInterleaved(tape);

        Assert.Equal(-7, tape.PopInt32());
        Assert.Equal(4.5, tape.PopDouble());
        Assert.True(tape.PopBoolean());
        Assert.Equal(3.5, tape.PopDouble());
        Assert.Equal(30L, tape.PopInt64());
        Assert.Equal(2.5, tape.PopDouble());
        Assert.False(tape.PopBoolean());
        Assert.Equal(1.5, tape.PopDouble());
        Assert.Equal(10L, tape.PopInt64());
        Assert.Equal(0, tape.ValueCount);
        Assert.Equal(0, tape.IntegerCount);
    }

    private static void PushInterleaved(Tape tape)
    {
        tape.Push(1.5);
        tape.Push(10L);
        tape.Push(2.5);
        tape.Push(false);
        tape.Push(30L);
        tape.Push(3.5);
        tape.Push(true);
        tape.Push(4.5);
        tape.Push(-7); // an int: resolves to Push(long)
    }

    [Fact]
    public void Booleans_round_trip_and_live_on_the_integer_stack()
    {
        var tape = new Tape();
        bool[] pushed = { true, false, false, true, true, false };
        foreach (bool value in pushed)
        {
            tape.Push(value);
        }

        Assert.Equal(pushed.Length, tape.IntegerCount);
        Assert.Equal(0, tape.ValueCount);
        for (int i = pushed.Length - 1; i >= 0; i--)
        {
            Assert.Equal(pushed[i], tape.PopBoolean());
        }

        // A decision is stored as 0 or 1.
        tape.Push(true);
        tape.Push(false);
        Assert.Equal(0L, tape.PopInt64());
        Assert.Equal(1L, tape.PopInt64());
    }

    [Fact]
    public void Any_nonzero_integer_pops_as_true()
    {
        var tape = new Tape();
        tape.Push(0L);
        tape.Push(-1L);
        tape.Push(long.MinValue);
        tape.Push(2L);

        Assert.True(tape.PopBoolean());
        Assert.True(tape.PopBoolean());
        Assert.True(tape.PopBoolean());
        Assert.False(tape.PopBoolean());
    }

    [Fact]
    public void Floats_widen_and_narrow_exactly()
    {
        var tape = new Tape();
        float[] pushed =
        {
            0f, -0f, 1f, -1f, 1f / 3f, 0.1f, MathF.PI, float.MaxValue, float.MinValue, float.Epsilon,
            -float.Epsilon, 1.17549435e-38f /* smallest normal */, 16777216f, 16777215f,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN,
            BitConverter.Int32BitsToSingle(0x7FC0_1234), // a quiet NaN with a payload
        };
        foreach (float value in pushed)
        {
            tape.Push(value); // no float overload: widens to double
        }

        Assert.Equal(pushed.Length, tape.ValueCount);
        Assert.Equal(0, tape.IntegerCount);
        for (int i = pushed.Length - 1; i >= 0; i--)
        {
            double popped = tape.PopDouble();
            Assert.Equal(BitConverter.DoubleToInt64Bits((double)pushed[i]), BitConverter.DoubleToInt64Bits(popped));
            Assert.Equal(BitConverter.SingleToInt32Bits(pushed[i]), BitConverter.SingleToInt32Bits((float)popped));
        }
    }

    [Fact]
    public void Doubles_round_trip_bit_for_bit()
    {
        var tape = new Tape();
        double[] pushed =
        {
            -0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, double.NaN,
            double.PositiveInfinity, double.NegativeInfinity, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234),
            BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0001)), 0.1 + 0.2,
        };
        foreach (double value in pushed)
        {
            tape.Push(value);
        }

        for (int i = pushed.Length - 1; i >= 0; i--)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(pushed[i]), BitConverter.DoubleToInt64Bits(tape.PopDouble()));
        }
    }

    [Fact]
    public void PopInt32_returns_pushed_ints()
    {
        var tape = new Tape();
        int[] pushed = { 0, 1, -1, int.MaxValue, int.MinValue, 123_456, -654_321 };
        foreach (int value in pushed)
        {
            tape.Push(value);
        }

        Assert.Equal(pushed.Length, tape.IntegerCount);
        Assert.Equal(0, tape.ValueCount);
        for (int i = pushed.Length - 1; i >= 0; i--)
        {
            Assert.Equal(pushed[i], tape.PopInt32());
        }
    }

    [Fact]
    public void Ints_also_pop_as_the_same_Int64()
    {
        var tape = new Tape();
        tape.Push(int.MinValue);
        tape.Push(-5);
        Assert.Equal(-5L, tape.PopInt64());
        Assert.Equal((long)int.MinValue, tape.PopInt64());
    }

    // ---------------------------------------------------------------- growth

    [Fact]
    public void Pushing_far_beyond_the_initial_capacity_keeps_every_value()
    {
        var tape = new Tape();
        for (int i = 0; i < Many; i++)
        {
            tape.Push(i * 0.5 - 3.0);
            tape.Push((long)i * 3 - 7);
            if (i % 3 == 0)
            {
                tape.Push(i % 2 == 0);
            }
        }

        int decisions = (Many + 2) / 3;
        Assert.Equal(Many, tape.ValueCount);
        Assert.Equal(Many + decisions, tape.IntegerCount);

        for (int i = Many - 1; i >= 0; i--)
        {
            if (i % 3 == 0 && tape.PopBoolean() != (i % 2 == 0))
            {
                Assert.Fail($"Decision {i} changed.");
            }
            long integer = tape.PopInt64();
            if (integer != (long)i * 3 - 7)
            {
                Assert.Fail($"Integer {i}: expected {(long)i * 3 - 7}, popped {integer}.");
            }
            double value = tape.PopDouble();
            if (value != i * 0.5 - 3.0)
            {
                Assert.Fail($"Value {i}: expected {i * 0.5 - 3.0}, popped {value}.");
            }
        }

        Assert.Equal(0, tape.ValueCount);
        Assert.Equal(0, tape.IntegerCount);
    }

    [Fact]
    public void Growth_in_the_middle_of_partly_popped_stacks_keeps_the_remaining_values()
    {
        var tape = new Tape();
        var doubles = new Stack<double>();
        var integers = new Stack<long>();
        // Saw-tooth: push 3000, pop 1000, repeatedly, so growth happens with values below and popped slots above.
        int next = 0;
        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < 3000; i++, next++)
            {
                tape.Push(next + 0.25);
                doubles.Push(next + 0.25);
                tape.Push((long)next);
                integers.Push(next);
            }
            for (int i = 0; i < 1000; i++)
            {
                Assert.Equal(doubles.Pop(), tape.PopDouble());
                Assert.Equal(integers.Pop(), tape.PopInt64());
            }
        }

        Assert.Equal(doubles.Count, tape.ValueCount);
        Assert.Equal(integers.Count, tape.IntegerCount);
        while (doubles.Count > 0)
        {
            Assert.Equal(doubles.Pop(), tape.PopDouble());
        }
        while (integers.Count > 0)
        {
            Assert.Equal(integers.Pop(), tape.PopInt64());
        }
    }

    // ---------------------------------------------------------------- marks

    [Fact]
    public void A_fresh_tape_is_empty()
    {
        var tape = new Tape();
        Assert.Equal(0, tape.ValueCount);
        Assert.Equal(0, tape.IntegerCount);
        Assert.Equal(new Tape.Mark(0, 0, 0, 0), tape.GetMark());
    }

    [Fact]
    public void GetMark_reports_the_heights_of_the_stacks_and_arenas()
    {
        var tape = new Tape();
        tape.Push(1.0);
        tape.Push(2.0);
        tape.Push(3L);
        tape.RentDoubles(10);
        tape.RentSingles(7);
        tape.RentSingles(0);

        Tape.Mark mark = tape.GetMark();
        Assert.Equal(new Tape.Mark(2, 1, 10, mark.Singles), mark);
        Assert.InRange(mark.Singles, 7, 7 + 2 * 15); // each float rent may start up to 15 floats on, at a cache line
    }

    [Fact]
    public void Release_drops_everything_pushed_and_rented_after_the_mark()
    {
        var tape = new Tape();
        tape.Push(1.0);
        tape.Push(2.0);
        tape.Push(10L);
        tape.Push(true);
        Span<double> keptDoubles = tape.RentDoubles(5);
        keptDoubles.Fill(8.0);
        Span<float> keptSingles = tape.RentSingles(3);
        keptSingles.Fill(9f);

        Tape.Mark mark = tape.GetMark();

        tape.Push(3.0);
        tape.Push(4.0);
        tape.Push(20L);
        tape.Push(false);
        tape.Push(30L);
        Span<double> droppedDoubles = tape.RentDoubles(100);
        droppedDoubles.Fill(-1.0);
        Span<float> droppedSingles = tape.RentSingles(50);
        droppedSingles.Fill(-1f);

        tape.Release(mark);

        Assert.Equal(mark, tape.GetMark());
        Assert.Equal(2, tape.ValueCount);
        Assert.Equal(2, tape.IntegerCount);

        // What was rented before the mark is untouched...
        AssertAll(keptDoubles, 8.0);
        AssertAll(keptSingles, 9f);

        // ...and the arena space rented after it is handed out again, zeroed.
        Span<double> againDoubles = tape.RentDoubles(100);
        Span<float> againSingles = tape.RentSingles(50);
        Assert.True(againDoubles.Overlaps(droppedDoubles));
        Assert.True(againSingles.Overlaps(droppedSingles));
        Assert.False(againDoubles.Overlaps(keptDoubles));
        Assert.False(againSingles.Overlaps(keptSingles));
        AssertAll(againDoubles, 0.0);
        AssertAll(againSingles, 0f);

        // The stacks continue from the mark.
        Assert.True(tape.PopBoolean());
        Assert.Equal(10L, tape.PopInt64());
        Assert.Equal(2.0, tape.PopDouble());
        Assert.Equal(1.0, tape.PopDouble());
    }

    [Fact]
    public void Release_to_the_current_position_changes_nothing()
    {
        var tape = new Tape();
        tape.Push(1.0);
        tape.Push(1L);
        tape.RentDoubles(3);
        Tape.Mark mark = tape.GetMark();
        tape.Release(mark);
        tape.Release(mark);
        Assert.Equal(mark, tape.GetMark());
        Assert.Equal(1.0, tape.PopDouble());
        Assert.Equal(1L, tape.PopInt64());
    }

    [Fact]
    public void Nested_marks_release_in_stack_order()
    {
        var tape = new Tape();
        tape.Push(1.0);
        tape.Push(1L);
        Tape.Mark outer = tape.GetMark();

        tape.Push(2.0);
        tape.Push(2L);
        tape.RentDoubles(20).Fill(2.0);
        tape.RentSingles(20).Fill(2f);
        Tape.Mark inner = tape.GetMark();

        tape.Push(3.0);
        tape.Push(3L);
        tape.Push(3.5);
        tape.RentDoubles(30).Fill(3.0);
        tape.RentSingles(30).Fill(3f);

        tape.Release(inner);
        Assert.Equal(inner, tape.GetMark());
        Assert.Equal(2.0, tape.PopDouble());
        Assert.Equal(2L, tape.PopInt64());

        // Pushing again between the releases, as a loop body would.
        tape.Push(4.0);
        tape.Push(4L);

        tape.Release(outer);
        Assert.Equal(outer, tape.GetMark());
        Assert.Equal(1.0, tape.PopDouble());
        Assert.Equal(1L, tape.PopInt64());
        Assert.Equal(new Tape.Mark(0, 0, 0, 0), tape.GetMark());
    }

    [Fact]
    public void Release_to_an_older_mark_after_a_newer_one()
    {
        var tape = new Tape();
        tape.Push(1.0);
        Tape.Mark older = tape.GetMark();
        tape.Push(2.0);
        tape.Push(2L);
        tape.RentDoubles(10);
        Tape.Mark newer = tape.GetMark();
        tape.Push(3.0);
        tape.Push(3L);
        tape.RentSingles(10);

        tape.Release(newer);
        Assert.Equal(newer, tape.GetMark());

        tape.Release(older);
        Assert.Equal(older, tape.GetMark());
        Assert.Equal(1.0, tape.PopDouble());
        Assert.Equal(0, tape.IntegerCount);
    }

    [Fact]
    public void Release_to_an_older_mark_skipping_a_newer_one_then_the_stale_newer_mark_is_harmless()
    {
        var tape = new Tape();
        tape.Push(1.0);
        tape.Push(1L);
        Tape.Mark older = tape.GetMark();
        tape.Push(2.0);
        tape.Push(2L);
        tape.RentDoubles(10);
        tape.RentSingles(10);
        Tape.Mark newer = tape.GetMark();
        tape.Push(3.0);
        tape.Push(3L);

        // Unwinding several frames at once (e.g. an exception caught further out).
        tape.Release(older);
        Assert.Equal(older, tape.GetMark());

        // Releasing to the (now higher) stale mark must not resurrect the dropped entries.
        tape.Release(newer);
        Assert.Equal(older, tape.GetMark());
        Assert.Equal(1.0, tape.PopDouble());
        Assert.Equal(1L, tape.PopInt64());
    }

    [Fact]
    public void Mark_and_release_in_finally_leave_nothing_behind_after_an_exception()
    {
        var tape = new Tape();
        tape.Push(7.0);
        Tape.Mark before = tape.GetMark();

        Action gradient = () =>
        {
            Tape.Mark mark = tape.GetMark();
            try
            {
                tape.Push(1.0);
                tape.Push(1L);
                tape.RentDoubles(10);
                throw new DivideByZeroException();
            }
            finally
            {
                tape.Release(mark);
            }
        };

        Assert.Throws<DivideByZeroException>(gradient);
        Assert.Equal(before, tape.GetMark());
    }

    // ---------------------------------------------------------------- scratch arenas

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(100_000)]
    public void RentDoubles_returns_a_zeroed_span_of_the_requested_length(int length)
    {
        var tape = new Tape();
        Span<double> span = tape.RentDoubles(length);
        Assert.Equal(length, span.Length);
        AssertAll(span, 0.0);
        Assert.Equal(length, tape.GetMark().Doubles);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(100_000)]
    public void RentSingles_returns_a_zeroed_span_of_the_requested_length(int length)
    {
        var tape = new Tape();
        Span<float> span = tape.RentSingles(length);
        Assert.Equal(length, span.Length);
        AssertAll(span, 0f);
        // The float arena starts each rent on a 64-byte cache line: at most 15 floats of padding before it.
        Assert.InRange(tape.GetMark().Singles - length, 0, 15);
        if (length > 0)
        {
            Assert.Equal(0, Alignment.CacheLineOffset(span));
        }
    }

    [Fact]
    public void Tensors_from_the_workspace_start_on_a_cache_line_and_do_not_overlap()
    {
        var tape = new Tape();
        var tensors = new Tensor[20];
        for (int i = 0; i < tensors.Length; i++)
        {
            tensors[i] = tape.RentTensor(TensorShape.Of(i % 5 + 1, 3 + i));
            Assert.Equal(0, Alignment.CacheLineOffset(tensors[i].Span));
            tensors[i].Span.Fill(i);
        }
        for (int i = 0; i < tensors.Length; i++)
        {
            AssertAll(tensors[i].Span, (float)i);
        }
    }

    [Fact]
    public void Consecutive_rents_do_not_overlap()
    {
        var tape = new Tape();
        Span<double> a = tape.RentDoubles(10);
        Span<double> b = tape.RentDoubles(10);
        Span<float> c = tape.RentSingles(10);
        Span<float> d = tape.RentSingles(10);
        a.Fill(1.0);
        b.Fill(2.0);
        c.Fill(3f);
        d.Fill(4f);
        Assert.False(a.Overlaps(b));
        Assert.False(c.Overlaps(d));
        AssertAll(a, 1.0);
        AssertAll(b, 2.0);
        AssertAll(c, 3f);
        AssertAll(d, 4f);
    }

    [Fact]
    public void RentDoubles_zeroes_memory_dirtied_by_a_released_rent()
    {
        var tape = new Tape();
        Tape.Mark mark = tape.GetMark();
        Span<double> dirty = tape.RentDoubles(200);
        dirty.Fill(double.NaN);
        tape.Release(mark);

        // Same length, same place.
        Span<double> again = tape.RentDoubles(200);
        Assert.True(again.Overlaps(dirty));
        AssertAll(again, 0.0);
        again.Fill(5.0);
        tape.Release(mark);

        // Different sizes and offsets over the dirtied region.
        Span<double> first = tape.RentDoubles(30);
        Span<double> second = tape.RentDoubles(170);
        AssertAll(first, 0.0);
        AssertAll(second, 0.0);
    }

    [Fact]
    public void RentSingles_zeroes_memory_dirtied_by_a_released_rent()
    {
        var tape = new Tape();
        Tape.Mark mark = tape.GetMark();
        Span<float> dirty = tape.RentSingles(200);
        dirty.Fill(float.NaN);
        tape.Release(mark);

        Span<float> again = tape.RentSingles(200);
        Assert.True(again.Overlaps(dirty));
        AssertAll(again, 0f);
        again.Fill(5f);
        tape.Release(mark);

        Span<float> first = tape.RentSingles(30);
        Span<float> second = tape.RentSingles(170);
        AssertAll(first, 0f);
        AssertAll(second, 0f);
    }

    [Fact]
    public void Rents_after_a_released_arena_growth_are_zeroed()
    {
        var tape = new Tape();
        Tape.Mark mark = tape.GetMark();
        tape.RentDoubles(Many).Fill(-3.0);
        tape.RentSingles(Many).Fill(-3f);
        tape.Release(mark);

        AssertAll(tape.RentDoubles(Many), 0.0);
        AssertAll(tape.RentSingles(Many), 0f);
    }

    [Fact]
    public void Doubles_rented_before_an_arena_growth_keep_their_contents()
    {
        var tape = new Tape();
        Span<double> small = tape.RentDoubles(16);
        for (int i = 0; i < small.Length; i++)
        {
            small[i] = i + 0.5;
        }

        Span<double> huge = tape.RentDoubles(Many);
        Assert.Equal(Many, huge.Length);
        AssertAll(huge, 0.0);
        Assert.False(huge.Overlaps(small));
        huge.Fill(-1.0);

        Span<double> after = tape.RentDoubles(16);
        after.Fill(-2.0);
        Assert.False(after.Overlaps(small));
        Assert.False(after.Overlaps(huge));

        for (int i = 0; i < small.Length; i++)
        {
            Assert.Equal(i + 0.5, small[i]);
        }
        AssertAll(huge, -1.0);
        AssertAll(after, -2.0);
    }

    [Fact]
    public void Singles_rented_before_an_arena_growth_keep_their_contents()
    {
        var tape = new Tape();
        Span<float> small = tape.RentSingles(16);
        for (int i = 0; i < small.Length; i++)
        {
            small[i] = i + 0.5f;
        }

        Span<float> huge = tape.RentSingles(Many);
        Assert.Equal(Many, huge.Length);
        AssertAll(huge, 0f);
        Assert.False(huge.Overlaps(small));
        huge.Fill(-1f);

        Span<float> after = tape.RentSingles(16);
        after.Fill(-2f);
        Assert.False(after.Overlaps(small));
        Assert.False(after.Overlaps(huge));

        for (int i = 0; i < small.Length; i++)
        {
            Assert.Equal(i + 0.5f, small[i]);
        }
        AssertAll(huge, -1f);
        AssertAll(after, -2f);
    }

    [Fact]
    public void Growth_triggered_by_a_rent_just_past_the_end_keeps_earlier_rents()
    {
        var tape = new Tape();
        // Fill the initial arena exactly, then ask for one more element.
        Span<double> full = tape.RentDoubles(4096);
        full.Fill(1.0);
        Span<double> one = tape.RentDoubles(1);
        Assert.Equal(0.0, one[0]);
        one[0] = 2.0;
        Assert.False(one.Overlaps(full));
        AssertAll(full, 1.0);

        // Several growths in a row, each keeping everything rented before.
        Span<double> a = tape.RentDoubles(5_000);
        AssertAll(a, 0.0);
        a.Fill(10.0);
        Span<double> b = tape.RentDoubles(20_000);
        AssertAll(b, 0.0);
        b.Fill(11.0);
        Span<double> c = tape.RentDoubles(3);
        AssertAll(c, 0.0);
        c.Fill(12.0);
        Span<double> d = tape.RentDoubles(70_000);
        AssertAll(d, 0.0);
        d.Fill(13.0);

        AssertAll(full, 1.0);
        Assert.Equal(2.0, one[0]);
        AssertAll(a, 10.0);
        AssertAll(b, 11.0);
        AssertAll(c, 12.0);
        AssertAll(d, 13.0);
        Assert.Equal(4096 + 1 + 5_000 + 20_000 + 3 + 70_000, tape.GetMark().Doubles);
    }

    [Fact]
    public void Negative_lengths_throw_ArgumentOutOfRangeException_and_change_nothing()
    {
        var tape = new Tape();
        tape.RentDoubles(3);
        tape.RentSingles(4);
        Tape.Mark before = tape.GetMark();

        var d1 = Assert.Throws<ArgumentOutOfRangeException>(() => { tape.RentDoubles(-1); });
        var d2 = Assert.Throws<ArgumentOutOfRangeException>(() => { tape.RentDoubles(int.MinValue); });
        var s1 = Assert.Throws<ArgumentOutOfRangeException>(() => { tape.RentSingles(-1); });
        var s2 = Assert.Throws<ArgumentOutOfRangeException>(() => { tape.RentSingles(int.MinValue); });

        Assert.Equal("length", d1.ParamName);
        Assert.Equal("length", d2.ParamName);
        Assert.Equal("length", s1.ParamName);
        Assert.Equal("length", s2.ParamName);
        Assert.Equal(before, tape.GetMark());
    }

    // ---------------------------------------------------------------- empty stacks

    [Fact]
    public void Popping_an_empty_tape_throws_InvalidOperationException_mentioning_the_tape()
    {
        var tape = new Tape();
        AssertEmptyPop(() => tape.PopDouble());
        AssertEmptyPop(() => tape.PopInt64());
        AssertEmptyPop(() => tape.PopInt32());
        AssertEmptyPop(() => tape.PopBoolean());

        // The failed pops did not corrupt the counts: the tape still works.
        Assert.Equal(0, tape.ValueCount);
        Assert.Equal(0, tape.IntegerCount);
        tape.Push(1.0);
        tape.Push(2L);
        Assert.Equal(1.0, tape.PopDouble());
        Assert.Equal(2L, tape.PopInt64());
    }

    [Fact]
    public void Each_stack_is_empty_on_its_own()
    {
        var tape = new Tape();
        tape.Push(1.0);
        tape.Push(2.0);
        AssertEmptyPop(() => tape.PopInt64());
        AssertEmptyPop(() => tape.PopBoolean());
        Assert.Equal(2, tape.ValueCount);

        tape.Push(3L);
        Assert.Equal(2.0, tape.PopDouble());
        Assert.Equal(1.0, tape.PopDouble());
        AssertEmptyPop(() => tape.PopDouble());
        Assert.Equal(1, tape.IntegerCount);
        Assert.Equal(3L, tape.PopInt64());
    }

    [Fact]
    public void Popping_below_a_release_throws()
    {
        var tape = new Tape();
        Tape.Mark mark = tape.GetMark();
        tape.Push(1.0);
        tape.Push(1L);
        tape.Release(mark);
        AssertEmptyPop(() => tape.PopDouble());
        AssertEmptyPop(() => tape.PopInt64());
    }

    private static void AssertEmptyPop(Func<object> pop)
    {
        var ex = Assert.Throws<InvalidOperationException>(pop);
        Assert.Contains("tape", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    // ---------------------------------------------------------------- Tape.Current

    [Fact]
    public void Current_is_stable_on_one_thread()
    {
        Tape first = Tape.Current;
        Assert.NotNull(first);
        Assert.Same(first, Tape.Current);
        Assert.Same(first, Tape.Current);
    }

    [Fact]
    public void Current_is_a_different_instance_on_another_thread()
    {
        Tape mine = Tape.Current;
        Tape.Mark myMark = mine.GetMark();

        Tape? theirs = null;
        Tape? theirsAgain = null;
        int theirValueCount = -1;
        var thread = new Thread(() =>
        {
            theirs = Tape.Current;
            theirsAgain = Tape.Current;
            theirs.Push(123.0);
            theirs.Push(456L);
            theirValueCount = theirs.ValueCount;
        });
        thread.Start();
        thread.Join();

        Assert.NotNull(theirs);
        Assert.NotSame(mine, theirs);
        Assert.Same(theirs, theirsAgain);
        Assert.Equal(1, theirValueCount);

        // The other thread's pushes did not land on this thread's tape.
        Assert.Same(mine, Tape.Current);
        Assert.Equal(myMark, mine.GetMark());
    }

    [Fact]
    public void Threads_using_their_current_tapes_concurrently_do_not_interfere()
    {
        const int threadCount = 8;
        const int perThread = 200_000;
        var tapes = new Tape?[threadCount];
        var failures = new string?[threadCount];
        using var start = new Barrier(threadCount);
        var threads = new Thread[threadCount];
        for (int t = 0; t < threadCount; t++)
        {
            int id = t;
            threads[t] = new Thread(() =>
            {
                Tape tape = Tape.Current;
                tapes[id] = tape;
                start.SignalAndWait();
                for (int i = 0; i < perThread; i++)
                {
                    tape.Push(id * 1e7 + i);
                    tape.Push((long)id << 32 | (long)i);
                }
                for (int i = perThread - 1; i >= 0; i--)
                {
                    long integer = tape.PopInt64();
                    double value = tape.PopDouble();
                    if (integer != ((long)id << 32 | (long)i) || value != id * 1e7 + i)
                    {
                        failures[id] = $"thread {id}, entry {i}: popped {value} and {integer}";
                        return;
                    }
                }
                if (tape.ValueCount != 0 || tape.IntegerCount != 0)
                {
                    failures[id] = $"thread {id}: tape not empty at the end";
                }
            });
            threads[t].Start();
        }
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.All(failures, f => Assert.Null(f));
        var distinct = new HashSet<Tape>(ReferenceEqualityComparer.Instance);
        foreach (Tape? tape in tapes)
        {
            Assert.NotNull(tape);
            distinct.Add(tape);
        }
        Assert.Equal(threadCount, distinct.Count);
    }

    // ---------------------------------------------------------------- allocation

    [Fact]
    public void Steady_state_cycle_allocates_nothing()
    {
        var tape = new Tape();
        double checksum = 0;
        for (int i = 0; i < 2_000; i++)
        {
            checksum += Cycle(tape, i);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2_000; i++)
        {
            checksum += Cycle(tape, i);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0L, allocated);
        Assert.True(checksum != 0);
        Assert.Equal(new Tape.Mark(0, 0, 0, 0), tape.GetMark());
    }

    [Fact]
    public void Steady_state_cycle_on_the_current_tape_allocates_nothing()
    {
        Tape.Mark start = Tape.Current.GetMark();
        double checksum = 0;
        for (int i = 0; i < 2_000; i++)
        {
            checksum += Cycle(Tape.Current, i);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2_000; i++)
        {
            checksum += Cycle(Tape.Current, i);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0L, allocated);
        Assert.True(checksum != 0);
        Assert.Equal(start, Tape.Current.GetMark());
    }

    // One gradient-like call: sizes above every initial capacity, so the warm-up has to grow everything.
    private static double Cycle(Tape tape, int seed)
    {
        Tape.Mark mark = tape.GetMark();
        try
        {
            Span<double> local = tape.RentDoubles(5_000);
            Span<float> localSingles = tape.RentSingles(5_000);
            for (int i = 0; i < 3_000; i++)
            {
                tape.Push(seed + i * 0.5);
                if ((i & 3) == 0)
                {
                    tape.Push((long)i);
                    tape.Push((i & 4) == 0);
                }
            }
            local[seed % local.Length] = seed;
            localSingles[seed % localSingles.Length] = seed;

            Tape.Mark inner = tape.GetMark();
            tape.RentDoubles(100)[0] = 1.0;
            tape.Push(1.0);
            tape.Release(inner);

            double sum = local[seed % local.Length] + localSingles[seed % localSingles.Length];
            for (int i = 2_999; i >= 0; i--)
            {
                if ((i & 3) == 0)
                {
                    sum += tape.PopBoolean() ? 1 : 0;
                    sum += tape.PopInt32();
                }
                sum += tape.PopDouble();
            }
            return sum;
        }
        finally
        {
            tape.Release(mark);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void AssertAll(ReadOnlySpan<double> span, double expected)
    {
        for (int i = 0; i < span.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(span[i]) != BitConverter.DoubleToInt64Bits(expected))
            {
                Assert.Fail($"Element {i} of {span.Length} is {span[i]}, expected {expected}.");
            }
        }
    }

    private static void AssertAll(ReadOnlySpan<float> span, float expected)
    {
        for (int i = 0; i < span.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(span[i]) != BitConverter.SingleToInt32Bits(expected))
            {
                Assert.Fail($"Element {i} of {span.Length} is {span[i]}, expected {expected}.");
            }
        }
    }
}
