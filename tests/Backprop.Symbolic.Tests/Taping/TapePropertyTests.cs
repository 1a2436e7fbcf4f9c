using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tests.Infrastructure;
using CsCheck;
using Xunit;

namespace Backprop.Symbolic.Tests.Taping;

/// <summary>
/// Property tests of <see cref="Tape"/> against simple models: random operation sequences (long enough to
/// grow the stacks past their initial capacities) must behave like <see cref="Stack{T}"/> models, and with
/// marks and scratch rents added, like list models truncated on release.
/// </summary>
/// <remarks>
/// CsCheck picks a random seed per run and prints the seed of a (shrunk) failure; pass it as
/// <c>seed:</c> to <c>Sample</c> to reproduce.
/// </remarks>
public sealed class TapePropertyTests
{
    public enum OpKind
    {
        PushDouble,
        PushSingle,
        PushInt64,
        PushInt32,
        PushBoolean,
        PopDouble,
        PopInt64,
        PopInt32,
        PopBoolean,
        Mark,
        Release,
        RentDoubles,
        RentSingles,
    }

    /// <summary>
    /// One operation. <see cref="Number"/> is the value pushed by a floating-point push, <see cref="Integer"/>
    /// that of an integer push (a boolean is <c>Integer != 0</c>), the length of a rent, or which open mark a
    /// release goes back to.
    /// </summary>
    public readonly record struct Op(OpKind Kind, double Number, long Integer)
    {
        public override string ToString() => Kind switch
        {
            OpKind.PushDouble or OpKind.PushSingle => $"{Kind}({Number:R})",
            OpKind.PushInt64 or OpKind.PushInt32 or OpKind.PushBoolean or OpKind.Release or OpKind.RentDoubles
                or OpKind.RentSingles => $"{Kind}({Integer})",
            _ => Kind.ToString(),
        };
    }

    private static readonly Gen<Op> PushPopOp = Gen.Frequency(
        (4, Gen.Double.Select(d => new Op(OpKind.PushDouble, d, 0))),
        (1, Gen.Float.Select(f => new Op(OpKind.PushSingle, f, 0))),
        (2, Gen.Long.Select(l => new Op(OpKind.PushInt64, 0, l))),
        (1, Gen.Int.Select(i => new Op(OpKind.PushInt32, 0, i))),
        (1, Gen.Bool.Select(b => new Op(OpKind.PushBoolean, 0, b ? 1 : 0))),
        (3, Gen.Const(new Op(OpKind.PopDouble, 0, 0))),
        (1, Gen.Const(new Op(OpKind.PopInt64, 0, 0))),
        (1, Gen.Const(new Op(OpKind.PopInt32, 0, 0))),
        (1, Gen.Const(new Op(OpKind.PopBoolean, 0, 0))));

    private static readonly Gen<Op> MarkedOp = Gen.Frequency(
        (12, PushPopOp),
        (1, Gen.Const(new Op(OpKind.Mark, 0, 0))),
        (1, Gen.Int[0, 1000].Select(i => new Op(OpKind.Release, 0, i))),
        (1, Gen.Frequency((9, Gen.Int[0, 64]), (1, Gen.Int[65, 6000])).Select(n => new Op(OpKind.RentDoubles, 0, n))),
        (1, Gen.Frequency((9, Gen.Int[0, 64]), (1, Gen.Int[65, 6000])).Select(n => new Op(OpKind.RentSingles, 0, n))));

    // Up to 4000 operations: more pushes than pops, so the longer sequences outgrow 1024 values / 256 integers.
    private static readonly Gen<Op[]> PushPopSequence = PushPopOp.Array[0, 4000];

    private static readonly Gen<Op[]> MarkedSequence = MarkedOp.Array[0, 3000];

    [Fact]
    public void Random_push_pop_sequences_behave_like_Stack_models()
    {
        PushPopSequence.Sample(ops =>
        {
            var tape = new Tape();
            var doubles = new Stack<double>();
            var integers = new Stack<long>();

            for (int step = 0; step < ops.Length; step++)
            {
                Op op = ops[step];
                switch (op.Kind)
                {
                    case OpKind.PushDouble:
                        tape.Push(op.Number);
                        doubles.Push(op.Number);
                        break;
                    case OpKind.PushSingle:
                        tape.Push((float)op.Number);
                        doubles.Push((float)op.Number);
                        break;
                    case OpKind.PushInt64:
                        tape.Push(op.Integer);
                        integers.Push(op.Integer);
                        break;
                    case OpKind.PushInt32:
                        tape.Push((int)op.Integer);
                        integers.Push((int)op.Integer);
                        break;
                    case OpKind.PushBoolean:
                        tape.Push(op.Integer != 0);
                        integers.Push(op.Integer != 0 ? 1 : 0);
                        break;
                    default:
                        // Never pop more than was pushed: a pop with an empty model is skipped.
                        PopAndCompare(tape, op.Kind, doubles, integers, step);
                        break;
                }

                Check(doubles.Count == tape.ValueCount, step, $"ValueCount {tape.ValueCount}, model {doubles.Count}");
                Check(integers.Count == tape.IntegerCount, step, $"IntegerCount {tape.IntegerCount}, model {integers.Count}");
            }

            // Drain both stacks; everything left must come back in LIFO order.
            while (doubles.Count > 0)
            {
                PopAndCompare(tape, OpKind.PopDouble, doubles, integers, ops.Length);
            }
            while (integers.Count > 0)
            {
                PopAndCompare(tape, OpKind.PopInt64, doubles, integers, ops.Length);
            }
            Check(tape.ValueCount == 0 && tape.IntegerCount == 0, ops.Length, "tape not empty after draining");
        }, iter: 300, print: Print);
    }

    [Fact]
    public void Random_sequences_with_marks_and_rents_behave_like_truncated_list_models()
    {
        MarkedSequence.Sample(ops =>
        {
            var tape = new Tape();
            var doubles = new List<double>();
            var integers = new List<long>();
            int doublesRented = 0;
            int singlesRented = 0;
            var marks = new List<Tape.Mark>();

            for (int step = 0; step < ops.Length; step++)
            {
                Op op = ops[step];
                switch (op.Kind)
                {
                    case OpKind.PushDouble:
                        tape.Push(op.Number);
                        doubles.Add(op.Number);
                        break;
                    case OpKind.PushSingle:
                        tape.Push((float)op.Number);
                        doubles.Add((float)op.Number);
                        break;
                    case OpKind.PushInt64:
                        tape.Push(op.Integer);
                        integers.Add(op.Integer);
                        break;
                    case OpKind.PushInt32:
                        tape.Push((int)op.Integer);
                        integers.Add((int)op.Integer);
                        break;
                    case OpKind.PushBoolean:
                        tape.Push(op.Integer != 0);
                        integers.Add(op.Integer != 0 ? 1 : 0);
                        break;
                    case OpKind.PopDouble:
                        // Stack discipline, as generated code keeps it: a frame pops only what it pushed
                        // after its own (the innermost open) mark.
                        if (doubles.Count > (marks.Count > 0 ? marks[^1].Values : 0))
                        {
                            double expected = doubles[^1];
                            doubles.RemoveAt(doubles.Count - 1);
                            double actual = tape.PopDouble();
                            Check(SameBits(expected, actual), step, $"PopDouble {actual:R}, model {expected:R}");
                        }
                        break;
                    case OpKind.PopInt64:
                    case OpKind.PopInt32:
                    case OpKind.PopBoolean:
                        if (integers.Count > (marks.Count > 0 ? marks[^1].Integers : 0))
                        {
                            long expected = integers[^1];
                            integers.RemoveAt(integers.Count - 1);
                            CompareInteger(tape, op.Kind, expected, step);
                        }
                        break;
                    case OpKind.Mark:
                    {
                        Tape.Mark mark = tape.GetMark();
                        Check(mark == new Tape.Mark(doubles.Count, integers.Count, doublesRented, singlesRented), step, $"mark {mark}");
                        marks.Add(mark);
                        break;
                    }
                    case OpKind.Release:
                        if (marks.Count > 0)
                        {
                            // Any open mark: the newest, or an older one (unwinding several frames at once).
                            int index = (int)(op.Integer % marks.Count);
                            Tape.Mark mark = marks[index];
                            marks.RemoveRange(index, marks.Count - index);
                            tape.Release(mark);
                            doubles.RemoveRange(mark.Values, doubles.Count - mark.Values);
                            integers.RemoveRange(mark.Integers, integers.Count - mark.Integers);
                            doublesRented = mark.Doubles;
                            singlesRented = mark.Singles;
                        }
                        break;
                    case OpKind.RentDoubles:
                    {
                        int length = (int)op.Integer;
                        Span<double> span = tape.RentDoubles(length);
                        Check(span.Length == length, step, $"RentDoubles length {span.Length}");
                        for (int i = 0; i < span.Length; i++)
                        {
                            Check(BitConverter.DoubleToInt64Bits(span[i]) == 0, step, $"RentDoubles element {i} is {span[i]}");
                        }
                        span.Fill(double.NaN); // dirty it for later rents of the same memory
                        doublesRented += length;
                        break;
                    }
                    case OpKind.RentSingles:
                    {
                        int length = (int)op.Integer;
                        Span<float> span = tape.RentSingles(length);
                        Check(span.Length == length, step, $"RentSingles length {span.Length}");
                        for (int i = 0; i < span.Length; i++)
                        {
                            Check(BitConverter.SingleToInt32Bits(span[i]) == 0, step, $"RentSingles element {i} is {span[i]}");
                        }
                        span.Fill(float.NaN);
                        // Each float rent starts on a 64-byte cache line: up to 15 floats of padding before it.
                        int start = tape.GetMark().Singles - length;
                        Check(start >= singlesRented && start < singlesRented + 16, step, $"RentSingles started at {start} after {singlesRented}");
                        Check(length == 0 || Alignment.CacheLineOffset(span) == 0, step, "RentSingles is not on a cache line");
                        singlesRented = start + length;
                        break;
                    }
                }

                var expectedMark = new Tape.Mark(doubles.Count, integers.Count, doublesRented, singlesRented);
                Check(tape.GetMark() == expectedMark, step, $"position {tape.GetMark()}, model {expectedMark}");
            }

            for (int i = doubles.Count - 1; i >= 0; i--)
            {
                double actual = tape.PopDouble();
                Check(SameBits(doubles[i], actual), ops.Length, $"draining value {i}: {actual:R}, model {doubles[i]:R}");
            }
            for (int i = integers.Count - 1; i >= 0; i--)
            {
                long actual = tape.PopInt64();
                Check(integers[i] == actual, ops.Length, $"draining integer {i}: {actual}, model {integers[i]}");
            }
        }, iter: 200, print: Print);
    }

    private static void PopAndCompare(Tape tape, OpKind kind, Stack<double> doubles, Stack<long> integers, int step)
    {
        if (kind == OpKind.PopDouble)
        {
            if (doubles.Count > 0)
            {
                double expected = doubles.Pop();
                double actual = tape.PopDouble();
                Check(SameBits(expected, actual), step, $"PopDouble {actual:R}, model {expected:R}");
            }
        }
        else if (integers.Count > 0)
        {
            CompareInteger(tape, kind, integers.Pop(), step);
        }
    }

    private static void CompareInteger(Tape tape, OpKind kind, long expected, int step)
    {
        switch (kind)
        {
            case OpKind.PopInt64:
            {
                long actual = tape.PopInt64();
                Check(actual == expected, step, $"PopInt64 {actual}, model {expected}");
                break;
            }
            case OpKind.PopInt32:
            {
                // An int pushed comes back as itself; a wider long is truncated like an unchecked cast.
                int actual = tape.PopInt32();
                Check(actual == unchecked((int)expected), step, $"PopInt32 {actual}, model {expected}");
                break;
            }
            case OpKind.PopBoolean:
            {
                bool actual = tape.PopBoolean();
                Check(actual == (expected != 0), step, $"PopBoolean {actual}, model {expected}");
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static bool SameBits(double expected, double actual) =>
        BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual);

    private static void Check(bool condition, int step, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Step {step}: {message}");
        }
    }

    private static string Print(Op[] ops) =>
        ops.Length <= 60
            ? $"[{string.Join(", ", ops)}]"
            : $"[{string.Join(", ", ops.Take(60))}, ... ({ops.Length} operations)]";
}
