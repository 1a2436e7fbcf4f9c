using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Backprop.Symbolic.Taping;

/// <summary>
/// The per-thread workspace generated gradients use: a stack of the forward values the backward sweep
/// needs and cannot recompute (values overwritten inside loops, branch decisions, trip counts), and
/// zeroed scratch buffers (local arrays and their adjoints). Everything is reused from call to call, so a
/// gradient with fixed sizes allocates nothing in the steady state.
/// </summary>
/// <remarks>
/// Generated code takes a <see cref="Mark"/> on entry and releases it in a <c>finally</c>, so nested and
/// recursive gradients share one tape with stack discipline, and an exception leaves nothing behind.
/// User code does not normally call this type.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed class Tape
{
    private const int InitialValues = 1024;
    private const int InitialIntegers = 256;
    private const int InitialScratch = 4096;
    private const int InitialTensors = 64;

    [ThreadStatic]
    private static Tape? t_current;

    private double[] _values = new double[InitialValues];
    private int _valueCount;
    private long[] _integers = new long[InitialIntegers];
    private int _integerCount;
    private double[] _doubles = new double[InitialScratch];
    private int _doublesUsed;
    private float[] _singles = NewSingles(InitialScratch);
    private int _singlesUsed;

    // Floats a tensor's start is aligned to: one 64-byte cache line, so 256- and 512-bit loads never straddle two.
    private const int SinglesAlignment = 16;
    private bool _stale;
    private Tensor[] _tensors = new Tensor[InitialTensors];
    private int _tensorCount;

    /// <summary>The calling thread's tape.</summary>
    public static Tape Current => t_current ??= new Tape();

    /// <summary>How many floating-point values are on the stack.</summary>
    public int ValueCount => _valueCount;

    /// <summary>How many integers (counts, indices, branch decisions) are on the stack.</summary>
    public int IntegerCount => _integerCount;

    /// <summary>A position to <see cref="Release"/> back to: the heights of the stacks and of both scratch arenas.</summary>
    public readonly record struct Mark(int Values, int Integers, int Doubles, int Singles, int Tensors = 0);

    /// <summary>The current position.</summary>
    /// <exception cref="InvalidOperationException">A <see cref="Recorder"/> holds the stack tops and has not committed them.</exception>
    public Mark GetMark()
    {
        if (_stale)
        {
            ThrowStale();
        }
        return new(_valueCount, _integerCount, _doublesUsed, _singlesUsed, _tensorCount);
    }

    /// <summary>Drops everything pushed and rented since <paramref name="mark"/>.</summary>
    public void Release(Mark mark)
    {
        _stale = false;
        _valueCount = Math.Min(mark.Values, _valueCount);
        _integerCount = Math.Min(mark.Integers, _integerCount);
        _doublesUsed = Math.Min(mark.Doubles, _doublesUsed);
        _singlesUsed = Math.Min(mark.Singles, _singlesUsed);
        _tensorCount = Math.Min(mark.Tensors, _tensorCount);
    }

    /// <summary>
    /// Pushes a tensor view (no copy): what a loop over time steps records for its backward sweep, which pops the views
    /// in reverse order. The stack grows by doubling, so once grown a push allocates nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PushTensor(Tensor view)
    {
        Tensor[] tensors = _tensors;
        int count = _tensorCount;
        if ((uint)count >= (uint)tensors.Length)
        {
            tensors = GrowTensors();
        }
        tensors[count] = view;
        _tensorCount = count + 1;
    }

    /// <summary>Pops the tensor view pushed last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Tensor PopTensor()
    {
        if (_tensorCount == 0)
        {
            ThrowEmpty();
        }
        return _tensors[--_tensorCount];
    }

    /// <summary>How many tensor views are on the stack.</summary>
    public int TensorCount => _tensorCount;

    // The stack operations below go through a Recorder, the one implementation; generated code keeps its
    // recorder for the whole method instead of taking one per operation.

    /// <summary>Pushes a floating-point value (a <see cref="float"/> widens exactly).</summary>
    public void Push(double value)
    {
        Recorder recorder = Record();
        recorder.Push(value);
        recorder.Commit();
    }

    /// <summary>Pops the floating-point value pushed last.</summary>
    public double PopDouble()
    {
        if (_valueCount == 0)
        {
            ThrowEmpty();
        }
        Recorder recorder = Record();
        double value = recorder.PopDouble();
        recorder.Commit();
        return value;
    }

    /// <summary>Pushes an integer: a trip count, an index, or a branch decision.</summary>
    public void Push(long value)
    {
        Recorder recorder = Record();
        recorder.Push(value);
        recorder.Commit();
    }

    /// <summary>Pushes a branch decision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(bool value) => Push(value ? 1L : 0L);

    /// <summary>Pops the integer pushed last.</summary>
    public long PopInt64()
    {
        if (_integerCount == 0)
        {
            ThrowEmpty();
        }
        Recorder recorder = Record();
        long value = recorder.PopInt64();
        recorder.Commit();
        return value;
    }

    /// <summary>Pops the integer pushed last, as an <see cref="int"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PopInt32() => (int)PopInt64();

    /// <summary>Pops the branch decision pushed last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool PopBoolean() => PopInt64() != 0;

    /// <summary>A zeroed buffer of <paramref name="length"/> doubles, valid until the enclosing mark is released.</summary>
    public Span<double> RentDoubles(int length)
    {
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "An array length cannot be negative.");
        }
        if (_doubles.Length - _doublesUsed < length)
        {
            // Buffers already handed out keep the old array alive; new ones come from a bigger one.
            _doubles = new double[Math.Max(_doubles.Length * 2, _doublesUsed + length)];
        }
        Span<double> span = _doubles.AsSpan(_doublesUsed, length);
        _doublesUsed += length;
        SpanKernels.Zero(span);
        return span;
    }

    /// <summary>A zeroed buffer of <paramref name="length"/> floats, valid until the enclosing mark is released.</summary>
    public Span<float> RentSingles(int length)
    {
        int offset = ReserveSingles(length);
        return _singles.AsSpan(offset, length);
    }

    /// <summary>
    /// A zeroed tensor of <paramref name="shape"/>, valid until the enclosing mark is released: the intermediates
    /// and adjoints of generated tensor gradients.
    /// </summary>
    public Tensor RentTensor(TensorShape shape)
    {
        int offset = ReserveSingles(shape.ElementCount);
        return new Tensor(_singles, offset, shape);
    }

    /// <summary>
    /// A tensor of <paramref name="shape"/> whose elements are <b>not</b> cleared, valid until the enclosing mark is
    /// released: its contents are garbage (whatever an earlier rent left there, possibly NaN), so the caller must write
    /// every element before reading any. Generated code rents this way the intermediates and adjoints whose first use
    /// overwrites them whole (a kernel called without <c>accumulate</c>, a loop that assigns every element), saving
    /// the clearing <see cref="RentTensor"/> does.
    /// </summary>
    public Tensor RentTensorUninitialized(TensorShape shape)
    {
        int offset = ReserveSingles(shape.ElementCount, clear: false);
        return new Tensor(_singles, offset, shape);
    }

    // Reserves `length` floats of the current arena, zeroed unless `clear` is false; returns where they start.
    private int ReserveSingles(int length, bool clear = true)
    {
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "An array length cannot be negative.");
        }
        int offset = AlignedSingle(_singles, _singlesUsed);
        if (_singles.Length - offset < length)
        {
            // Buffers already handed out keep the old array alive; new ones come from a bigger one.
            _singles = NewSingles(Math.Max(_singles.Length * 2, _singlesUsed + length + SinglesAlignment));
            offset = AlignedSingle(_singles, _singlesUsed);
        }
        _singlesUsed = offset + length;
        if (clear)
        {
            SpanKernels.Zero(_singles.AsSpan(offset, length));
        }
        return offset;
    }

    // The float arena lives on the pinned-object heap, so the addresses of its elements, and their alignment, stay put.
    private static float[] NewSingles(int length) => GC.AllocateUninitializedArray<float>(length, pinned: true);

    // The first position at or after `offset` whose address is a multiple of 64 bytes.
    private static unsafe int AlignedSingle(float[] arena, int offset)
    {
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(arena)) + (nuint)offset * sizeof(float);
        int misaligned = (int)(address % (SinglesAlignment * sizeof(float))) / sizeof(float);
        return misaligned == 0 ? offset : offset + SinglesAlignment - misaligned;
    }

    /// <summary>
    /// A recorder over this tape's stacks whose tops live in the caller's locals: what generated code pushes
    /// and pops inside loops. Take it after <see cref="GetMark"/>; call <see cref="Recorder.Commit"/> before
    /// calling anything else that may use the tape and <see cref="Recorder.Refresh"/> after.
    /// </summary>
    public Recorder Record()
    {
        _stale = true;
        return new(this);
    }

    /// <summary>Pushes and pops with the stack tops in locals (see <see cref="Record"/>).</summary>
    public ref struct Recorder
    {
        private readonly Tape _tape;
        private double[] _values;
        private int _valueCount;
        private long[] _integers;
        private int _integerCount;

        internal Recorder(Tape tape)
        {
            _tape = tape;
            _values = tape._values;
            _valueCount = tape._valueCount;
            _integers = tape._integers;
            _integerCount = tape._integerCount;
        }

        /// <summary>Pushes a floating-point value (a <see cref="float"/> widens exactly).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Push(double value)
        {
            double[] values = _values;
            int count = _valueCount;
            if ((uint)count >= (uint)values.Length)
            {
                _tape._valueCount = count;
                values = _values = _tape.GrowValues();
            }
            values[count] = value;
            _valueCount = count + 1;
        }

        /// <summary>
        /// Makes room for <paramref name="count"/> more floating-point values, so that the next <paramref name="count"/>
        /// <see cref="PushReserved"/> calls need no capacity check: a loop whose trip count is known before it starts
        /// reserves its pushes up front, and its body then calls nothing that could grow the stack.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Reserve(int count)
        {
            if ((uint)count > (uint)(_values.Length - _valueCount))
            {
                _tape._valueCount = _valueCount;
                _values = _tape.GrowValues(count);
            }
        }

        /// <summary>Pushes a floating-point value into room made by <see cref="Reserve"/> (still bounds-checked, never grown).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PushReserved(double value) => _values[_valueCount++] = value;

        /// <summary>Pushes an integer: a trip count, an index, or a branch decision.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Push(long value)
        {
            long[] integers = _integers;
            int count = _integerCount;
            if ((uint)count >= (uint)integers.Length)
            {
                _tape._integerCount = count;
                integers = _integers = _tape.GrowIntegers();
            }
            integers[count] = value;
            _integerCount = count + 1;
        }

        /// <summary>Pushes a branch decision.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Push(bool value) => Push(value ? 1L : 0L);

        /// <summary>
        /// Pushes every element of <paramref name="values"/>, then their count: a callee's partials for a span
        /// argument inside a loop. <see cref="PopDoubles"/> gives them back.
        /// </summary>
        public void Push(ReadOnlySpan<double> values)
        {
            EnsureValues(values.Length);
            values.CopyTo(_values.AsSpan(_valueCount));
            _valueCount += values.Length;
            Push((long)values.Length);
        }

        /// <summary>Pushes every element of <paramref name="values"/> (widened exactly), then their count; <see cref="PopSingles"/> gives them back.</summary>
        public void Push(ReadOnlySpan<float> values)
        {
            EnsureValues(values.Length);
            TensorPrimitives.ConvertChecked<float, double>(values, _values.AsSpan(_valueCount, values.Length));
            _valueCount += values.Length;
            Push((long)values.Length);
        }

        /// <summary>Pops the elements pushed last by <see cref="Push(ReadOnlySpan{double})"/> into scratch rented from the tape.</summary>
        public Span<double> PopDoubles()
        {
            int length = (int)PopInt64();
            Span<double> span = _tape.RentDoubles(length);
            _valueCount -= length;
            _values.AsSpan(_valueCount, length).CopyTo(span);
            return span;
        }

        /// <summary>Pops the elements pushed last by <see cref="Push(ReadOnlySpan{float})"/> into scratch rented from the tape.</summary>
        public Span<float> PopSingles()
        {
            int length = (int)PopInt64();
            Span<float> span = _tape.RentSingles(length);
            _valueCount -= length;
            TensorPrimitives.ConvertTruncating<double, float>(_values.AsSpan(_valueCount, length), span);
            return span;
        }

        private void EnsureValues(int length)
        {
            while (_values.Length - _valueCount < length)
            {
                _tape._valueCount = _valueCount;
                _values = _tape.GrowValues();
            }
        }

        /// <summary>Pops the floating-point value pushed last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double PopDouble() => _values[--_valueCount];

        /// <summary>Pops the integer pushed last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long PopInt64() => _integers[--_integerCount];

        /// <summary>Pops the integer pushed last, as an <see cref="int"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int PopInt32() => (int)_integers[--_integerCount];

        /// <summary>Pops the branch decision pushed last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool PopBoolean() => _integers[--_integerCount] != 0;

        /// <summary>Writes the stack tops back to the tape, before a call that may use it.</summary>
        public void Commit()
        {
            _tape._valueCount = _valueCount;
            _tape._integerCount = _integerCount;
            _tape._stale = false;
        }

        /// <summary>Reads the stacks back from the tape, after such a call (it may have grown them).</summary>
        public void Refresh()
        {
            _tape._stale = true;
            _values = _tape._values;
            _valueCount = _tape._valueCount;
            _integers = _tape._integers;
            _integerCount = _tape._integerCount;
        }
    }

    /// <summary>Grows the value stack to hold <paramref name="count"/> more values than it holds now.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private double[] GrowValues(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int length = _values.Length;
        while (length - _valueCount < count)
        {
            length = checked(length * 2);
        }
        Array.Resize(ref _values, length);
        return _values;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private double[] GrowValues()
    {
        Array.Resize(ref _values, _values.Length * 2);
        return _values;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Tensor[] GrowTensors()
    {
        Array.Resize(ref _tensors, _tensors.Length * 2);
        return _tensors;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long[] GrowIntegers()
    {
        Array.Resize(ref _integers, _integers.Length * 2);
        return _integers;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowStale() =>
        throw new InvalidOperationException("A generated gradient was called from inside another one's loop through a call the generator does not see (a method whose arguments are not differentiated). Call it outside the [Differentiable] method, or mark the method that calls it [Differentiable].");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowEmpty() =>
        throw new InvalidOperationException("The tape is empty: a generated gradient popped more values than it pushed. Please report this with the [Differentiable] method.");
}
