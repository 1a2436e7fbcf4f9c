using System;

namespace Backprop.Symbolic.Tensors;

public readonly partial struct Tensor
{
    /// <summary>The same elements as a vector of <paramref name="d0"/> elements (a view, no copy); <c>-1</c> infers it.</summary>
    /// <exception cref="ArgumentException">The new shape does not hold the same number of elements.</exception>
    public Tensor Reshape(int d0) => ReshapeTo(stackalloc int[] { d0 });

    /// <summary>
    /// The same elements under the shape [<paramref name="d0"/>, <paramref name="d1"/>] (a view, no copy, no
    /// allocation). One dimension may be <c>-1</c>: it is inferred from the element count.
    /// </summary>
    /// <exception cref="ArgumentException">The new shape does not hold the same number of elements.</exception>
    public Tensor Reshape(int d0, int d1) => ReshapeTo(stackalloc int[] { d0, d1 });

    /// <summary>
    /// The same elements under the shape [<paramref name="d0"/>, <paramref name="d1"/>, <paramref name="d2"/>] (a view,
    /// no copy, no allocation). One dimension may be <c>-1</c>: it is inferred from the element count.
    /// </summary>
    /// <exception cref="ArgumentException">The new shape does not hold the same number of elements.</exception>
    public Tensor Reshape(int d0, int d1, int d2) => ReshapeTo(stackalloc int[] { d0, d1, d2 });

    /// <summary>
    /// The same elements under the shape [<paramref name="d0"/>, <paramref name="d1"/>, <paramref name="d2"/>,
    /// <paramref name="d3"/>] (a view, no copy, no allocation). One dimension may be <c>-1</c>: it is inferred from the
    /// element count.
    /// </summary>
    /// <exception cref="ArgumentException">The new shape does not hold the same number of elements.</exception>
    public Tensor Reshape(int d0, int d1, int d2, int d3) => ReshapeTo(stackalloc int[] { d0, d1, d2, d3 });

    /// <summary>The view under <paramref name="shape"/>, whose one <c>-1</c> (if any) is inferred from the element count.</summary>
    private Tensor ReshapeTo(ReadOnlySpan<int> shape)
    {
        Span<int> dims = stackalloc int[TensorShape.MaxRank];
        if (shape.Length is < 1 or > TensorShape.MaxRank)
        {
            throw new ArgumentException(
                $"Cannot reshape {_shape} to {TensorShape.Format(shape)}: a tensor has 1 to {TensorShape.MaxRank} dimensions.", nameof(shape));
        }
        dims = dims.Slice(0, shape.Length);
        shape.CopyTo(dims);
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (inferred >= 0)
                {
                    throw new ArgumentException(
                        $"Cannot reshape {_shape} to {TensorShape.Format(shape)}: only one dimension may be -1.", nameof(shape));
                }
                inferred = i;
            }
            else
            {
                known *= dims[i];
            }
        }
        if (inferred >= 0)
        {
            if (known == 0 || Length % known != 0)
            {
                throw new ArgumentException(
                    $"Cannot reshape {_shape} ({Length} elements) to {TensorShape.Format(shape)}: no whole size fits the -1.", nameof(shape));
            }
            dims[inferred] = (int)(Length / known);
        }
        var target = new TensorShape(dims);
        if (target.ElementCount != Length)
        {
            throw new ArgumentException(
                $"Cannot reshape {_shape} ({Length} elements) to {target} ({target.ElementCount} elements).", nameof(shape));
        }
        return new Tensor(_data ?? throw NoMemory(), _offset, target);
    }
}
