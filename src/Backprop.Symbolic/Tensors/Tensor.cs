using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace Backprop.Symbolic.Tensors;

/// <summary>
/// A float32 tensor <b>view</b>: an array, an offset into it and a shape of rank 1 to 4, row-major and contiguous.
/// Creating a view (<see cref="Reshape(int[])"/>, <see cref="Slice"/>, a row of a batch) never allocates and never
/// copies; writes through one view are seen through every other view of the same memory.
/// </summary>
/// <remarks>
/// The operations (<c>MatMul</c>, <c>+</c>, <c>Tanh</c>, <c>SoftmaxCrossEntropy</c>, …) are static members of this
/// type, so <c>using static Backprop.Symbolic.Tensors.Tensor;</c> lets code read like the formula. Outside
/// <c>[Differentiable]</c> code each allocates its result; inside, the generated code takes results from the
/// per-thread workspace. A shape mismatch throws <see cref="ArgumentException"/> naming both shapes.
/// </remarks>
public readonly partial struct Tensor
{
    private readonly float[]? _data;
    private readonly int _offset;
    private readonly TensorShape _shape;

    /// <summary>A view of <paramref name="shape"/>.<see cref="TensorShape.ElementCount"/> elements of <paramref name="data"/> from <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentException">The elements do not fit in <paramref name="data"/>.</exception>
    public Tensor(float[] data, int offset, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (shape.Length == 0)
        {
            throw new ArgumentException("A tensor needs a shape of rank 1 to 4.", nameof(shape));
        }
        int count = shape.ElementCount;
        if (offset < 0 || (long)offset + count > data.Length)
        {
            throw new ArgumentException(
                $"A tensor of shape {shape} ({count} elements) from offset {offset} does not fit in an array of {data.Length} elements.",
                nameof(data));
        }
        _data = data;
        _offset = offset;
        _shape = shape;
    }

    /// <summary>A new tensor of zeros.</summary>
    /// <exception cref="ArgumentException">The shape has no dimension, more than four, or a negative one.</exception>
    public static Tensor Zeros(params int[] shape)
    {
        var s = new TensorShape(shape);
        return new Tensor(new float[s.ElementCount], 0, s);
    }

    /// <summary>A new tensor of zeros.</summary>
    public static Tensor Zeros(TensorShape shape) => new(new float[shape.ElementCount], 0, shape);

    /// <summary>
    /// A tensor over <paramref name="data"/> itself (no copy): writes to either are seen by both. With no shape,
    /// a vector of all of <paramref name="data"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shape's element count is not <paramref name="data"/>'s length.</exception>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = shape is null || shape.Length == 0 ? TensorShape.Of(data.Length) : new TensorShape(shape);
        if (s.ElementCount != data.Length)
        {
            throw new ArgumentException(
                $"Shape {s} holds {s.ElementCount} elements but the array has {data.Length}.", nameof(shape));
        }
        return new Tensor(data, 0, s);
    }

    /// <summary>The dimensions.</summary>
    public TensorShape Shape => _shape;

    /// <summary>The number of dimensions, 1 to 4 (0 for <c>default</c>).</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements.</summary>
    public int Length => _shape.ElementCount;

    /// <summary>True for <c>default(Tensor)</c>, which has no memory.</summary>
    public bool IsDefault => _data is null;

    /// <summary>The elements, row-major.</summary>
    public Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _data is null ? default : new Span<float>(_data, _offset, _shape.ElementCount);
    }

    /// <summary>The array this view reads (for kernels and interop); elements start at <see cref="Offset"/>.</summary>
    public float[]? Array => _data;

    /// <summary>Where this view's first element is in <see cref="Array"/>.</summary>
    public int Offset => _offset;

    // The element indexers check the rank, then each index against its axis, each with a branch of its own to a
    // static throw helper that takes the shape by value: nothing in the fast path takes the tensor's address, so
    // the JIT can keep its fields in registers, and the helpers never return, so a loop around a read calls nothing.

    /// <summary>Element <paramref name="i"/> of a rank-1 tensor.</summary>
    public ref float this[int i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_shape.Length != 1)
            {
                ThrowRank(_shape, 1);
            }
            if ((uint)i >= (uint)_shape.D0)
            {
                ThrowIndex(_shape, i, 0);
            }
            return ref _data![_offset + i];
        }
    }

    /// <summary>Element (<paramref name="i"/>, <paramref name="j"/>) of a rank-2 tensor.</summary>
    public ref float this[int i, int j]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_shape.Length != 2)
            {
                ThrowRank(_shape, 2);
            }
            if ((uint)i >= (uint)_shape.D0)
            {
                ThrowIndex(_shape, i, 0);
            }
            if ((uint)j >= (uint)_shape.D1)
            {
                ThrowIndex(_shape, j, 1);
            }
            return ref _data![_offset + (i * _shape.D1) + j];
        }
    }

    /// <summary>Element (<paramref name="i"/>, <paramref name="j"/>, <paramref name="k"/>) of a rank-3 tensor.</summary>
    public ref float this[int i, int j, int k]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_shape.Length != 3)
            {
                ThrowRank(_shape, 3);
            }
            if ((uint)i >= (uint)_shape.D0)
            {
                ThrowIndex(_shape, i, 0);
            }
            if ((uint)j >= (uint)_shape.D1)
            {
                ThrowIndex(_shape, j, 1);
            }
            if ((uint)k >= (uint)_shape.D2)
            {
                ThrowIndex(_shape, k, 2);
            }
            return ref _data![_offset + (((i * _shape.D1) + j) * _shape.D2) + k];
        }
    }

    /// <summary>Element (<paramref name="i"/>, <paramref name="j"/>, <paramref name="k"/>, <paramref name="l"/>) of a rank-4 tensor.</summary>
    public ref float this[int i, int j, int k, int l]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_shape.Length != 4)
            {
                ThrowRank(_shape, 4);
            }
            if ((uint)i >= (uint)_shape.D0)
            {
                ThrowIndex(_shape, i, 0);
            }
            if ((uint)j >= (uint)_shape.D1)
            {
                ThrowIndex(_shape, j, 1);
            }
            if ((uint)k >= (uint)_shape.D2)
            {
                ThrowIndex(_shape, k, 2);
            }
            if ((uint)l >= (uint)_shape.D3)
            {
                ThrowIndex(_shape, l, 3);
            }
            return ref _data![_offset + (((((i * _shape.D1) + j) * _shape.D2) + k) * _shape.D3) + l];
        }
    }

    /// <summary>
    /// The same elements under another shape (a view, no copy). One dimension may be <c>-1</c>: it is inferred
    /// from the element count.
    /// </summary>
    /// <exception cref="ArgumentException">The new shape does not hold the same number of elements.</exception>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return ReshapeTo(shape);
    }

    /// <summary>The same elements under another shape (a view, no copy).</summary>
    public Tensor Reshape(TensorShape shape)
    {
        if (shape.ElementCount != Length)
        {
            throw new ArgumentException(
                $"Cannot reshape {_shape} ({Length} elements) to {shape} ({shape.ElementCount} elements).", nameof(shape));
        }
        return new Tensor(_data ?? throw NoMemory(), _offset, shape);
    }

    /// <summary>
    /// Entries <paramref name="start"/> to <paramref name="start"/> + <paramref name="length"/> - 1 along
    /// <paramref name="axis"/>. Along axis 0 (rows of a matrix, samples of a batch) this is a <b>view</b>: no copy, writes
    /// are shared. Along any other axis the elements are not contiguous, so the result is a new tensor holding a
    /// <b>copy</b> (writes to it are not seen by this tensor); use index
    /// arithmetic when a shared view along another axis is needed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis or the range is outside the shape.</exception>
    public Tensor Slice(int axis, int start, int length)
    {
        if ((uint)axis >= (uint)Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"A tensor of shape {_shape} has no axis {axis}.");
        }
        int size = _shape[axis];
        if (start < 0 || length < 0 || (long)start + length > size)
        {
            throw new ArgumentOutOfRangeException(
                nameof(start), start, $"Entries {start}..{(long)start + length - 1} are outside axis {axis} of shape {_shape} (size {size}).");
        }
        Span<int> dims = stackalloc int[TensorShape.MaxRank];
        _shape.CopyTo(dims);
        dims = dims.Slice(0, Rank);
        int inner = 1;
        for (int d = axis + 1; d < Rank; d++)
        {
            inner *= dims[d];
        }
        dims[axis] = length;
        var shape = new TensorShape(dims);
        if (axis == 0)
        {
            return new Tensor(_data ?? throw NoMemory(), _offset + (start * inner), shape);
        }
        int outer = 1;
        for (int d = 0; d < axis; d++)
        {
            outer *= dims[d];
        }
        var result = Zeros(shape);
        ReadOnlySpan<float> source = Span;
        Span<float> target = result.Span;
        int block = length * inner;
        for (int o = 0; o < outer; o++)
        {
            source.Slice((o * size * inner) + (start * inner), block).CopyTo(target.Slice(o * block, block));
        }
        return result;
    }

    /// <summary>The elements, row-major, in a new array.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>A new tensor with a copy of the elements and the same shape.</summary>
    public Tensor Clone() => new(ToArray(), 0, _shape);

    /// <summary>Copies the elements into <paramref name="destination"/>, which must have the same shape.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void CopyTo(Tensor destination)
    {
        RequireSameShape(this, destination, nameof(CopyTo));
        Span.CopyTo(destination.Span);
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(float value) => Span.Fill(value);

    /// <summary>The shape and the first elements, e.g. <c>Tensor[2, 3] { 1, 2, 3, 4, 5, 6 }</c>.</summary>
    public override string ToString()
    {
        if (_data is null)
        {
            return "Tensor (default)";
        }
        const int Shown = 8;
        var text = new StringBuilder("Tensor").Append(_shape.ToString()).Append(" { ");
        ReadOnlySpan<float> values = Span;
        for (int i = 0; i < Math.Min(Shown, values.Length); i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append(values[i].ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (values.Length > Shown)
        {
            text.Append(", … (").Append(values.Length).Append(" elements)");
        }
        return text.Append(" }").ToString();
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming both shapes unless <paramref name="a"/> and <paramref name="b"/> have the same shape.</summary>
    internal static void RequireSameShape(Tensor a, Tensor b, string operation)
    {
        if (a._shape != b._shape)
        {
            throw ShapeMismatch(operation, a._shape, b._shape, "the shapes must be equal");
        }
    }

    /// <summary>The exception for a shape mismatch: names the operation, both shapes and the rule.</summary>
    internal static ArgumentException ShapeMismatch(string operation, TensorShape a, TensorShape b, string rule) =>
        new($"{operation}: shapes {a} and {b} do not match ({rule}).");

    private static void ThrowRank(TensorShape shape, int rank) =>
        throw new ArgumentException($"An indexer with {rank} indices was used on a tensor of shape {shape} (rank {shape.Length}).");

    private static void ThrowIndex(TensorShape shape, int index, int axis) =>
        throw new IndexOutOfRangeException($"Index {index} is outside axis {axis} of shape {shape}.");

    private static InvalidOperationException NoMemory() =>
        new("This tensor is default(Tensor): it has no memory. Create tensors with Tensor.Zeros or Tensor.FromArray.");
}
