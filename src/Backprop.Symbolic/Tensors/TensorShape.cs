using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace Backprop.Symbolic.Tensors;

/// <summary>
/// The dimensions of a <see cref="Tensor"/>: rank 1 to 4, stored inline (no allocation), indexable like a span
/// (<c>shape[0]</c>, <see cref="Length"/>). Shapes compare by value and print as <c>[32, 10]</c>.
/// </summary>
public readonly struct TensorShape : IEquatable<TensorShape>
{
    /// <summary>The largest rank a tensor can have.</summary>
    public const int MaxRank = 4;

    private readonly int _d0;
    private readonly int _d1;
    private readonly int _d2;
    private readonly int _d3;
    private readonly int _rank;

    /// <summary>A shape with the given dimensions (1 to 4 of them, none negative).</summary>
    /// <exception cref="ArgumentException">No dimension, more than four, or a negative one.</exception>
    public TensorShape(params int[] dimensions)
        : this((ReadOnlySpan<int>)(dimensions ?? throw new ArgumentNullException(nameof(dimensions))))
    {
    }

    /// <summary>A shape with the given dimensions (1 to 4 of them, none negative).</summary>
    /// <exception cref="ArgumentException">No dimension, more than four, or a negative one.</exception>
    public TensorShape(ReadOnlySpan<int> dimensions)
    {
        if (dimensions.Length is < 1 or > MaxRank)
        {
            throw new ArgumentException(
                $"A tensor has 1 to {MaxRank} dimensions; {dimensions.Length} were given.", nameof(dimensions));
        }
        for (int i = 0; i < dimensions.Length; i++)
        {
            if (dimensions[i] < 0)
            {
                throw new ArgumentException(
                    $"Dimension {i} of {Format(dimensions)} is negative; every dimension must be 0 or more.", nameof(dimensions));
            }
        }
        _rank = dimensions.Length;
        _d0 = dimensions[0];
        _d1 = _rank > 1 ? dimensions[1] : 0;
        _d2 = _rank > 2 ? dimensions[2] : 0;
        _d3 = _rank > 3 ? dimensions[3] : 0;
    }

    /// <summary>A rank-1 shape.</summary>
    public static TensorShape Of(int d0) => new(stackalloc int[] { d0 });

    /// <summary>A rank-2 shape.</summary>
    public static TensorShape Of(int d0, int d1) => new(stackalloc int[] { d0, d1 });

    /// <summary>A rank-3 shape.</summary>
    public static TensorShape Of(int d0, int d1, int d2) => new(stackalloc int[] { d0, d1, d2 });

    /// <summary>A rank-4 shape.</summary>
    public static TensorShape Of(int d0, int d1, int d2, int d3) => new(stackalloc int[] { d0, d1, d2, d3 });

    /// <summary>The number of dimensions (the rank); 0 only for <c>default</c>.</summary>
    public int Length => _rank;

    /// <summary>The size of dimension <paramref name="index"/>.</summary>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is not below <see cref="Length"/>.</exception>
    public int this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)_rank)
            {
                ThrowIndex(index, _rank);
            }
            return index switch { 0 => _d0, 1 => _d1, 2 => _d2, _ => _d3 };
        }
    }

    // The dimensions without the rank check of the indexer, for callers that have checked the rank themselves
    // (the tensor's element indexers); a dimension beyond the rank is 0.
    internal int D0 => _d0;

    internal int D1 => _d1;

    internal int D2 => _d2;

    internal int D3 => _d3;

    /// <summary>The number of elements: the product of the dimensions (0 for <c>default</c>).</summary>
    public int ElementCount
    {
        get
        {
            if (_rank == 0)
            {
                return 0;
            }
            long n = _d0;
            if (_rank > 1) n *= _d1;
            if (_rank > 2) n *= _d2;
            if (_rank > 3) n *= _d3;
            return n <= int.MaxValue
                ? (int)n
                : throw new ArgumentException($"A tensor of shape {this} would have {n} elements, more than {int.MaxValue}.");
        }
    }

    /// <summary>The last dimension (the length of a row); 0 for <c>default</c>.</summary>
    public int Last => _rank == 0 ? 0 : this[_rank - 1];

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray()
    {
        var result = new int[_rank];
        for (int i = 0; i < _rank; i++)
        {
            result[i] = this[i];
        }
        return result;
    }

    /// <summary>Copies the dimensions into <paramref name="destination"/>, which must hold <see cref="Length"/> values.</summary>
    public void CopyTo(Span<int> destination)
    {
        for (int i = 0; i < _rank; i++)
        {
            destination[i] = this[i];
        }
    }

    /// <inheritdoc/>
    public bool Equals(TensorShape other) =>
        _rank == other._rank && _d0 == other._d0 && _d1 == other._d1 && _d2 == other._d2 && _d3 == other._d3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TensorShape other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_rank, _d0, _d1, _d2, _d3);

    /// <summary>Value equality.</summary>
    public static bool operator ==(TensorShape left, TensorShape right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(TensorShape left, TensorShape right) => !left.Equals(right);

    /// <summary>The shape as <c>[d0, d1, …]</c>.</summary>
    public override string ToString()
    {
        Span<int> dims = stackalloc int[MaxRank];
        CopyTo(dims);
        return Format(dims.Slice(0, _rank));
    }

    internal static string Format(ReadOnlySpan<int> dimensions)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < dimensions.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            text.Append(dimensions[i]);
        }
        return text.Append(']').ToString();
    }

    private static void ThrowIndex(int index, int rank) =>
        throw new IndexOutOfRangeException($"Dimension {index} does not exist in a shape of rank {rank}.");
}
