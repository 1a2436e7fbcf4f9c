using System;
using Backprop.Symbolic.Kernels;

namespace Backprop.Symbolic.Tensors;

public readonly partial struct Tensor
{
    /// <summary>The sum of all elements (0 for an empty tensor).</summary>
    public static float Sum(Tensor x)
    {
        RequireMemory(x, nameof(Sum));
        return TensorKernels.Sum(x);
    }

    /// <summary>The mean of all elements.</summary>
    /// <exception cref="ArgumentException">The tensor has no element.</exception>
    public static float Mean(Tensor x)
    {
        RequireMemory(x, nameof(Mean));
        if (x.Length == 0)
        {
            throw new ArgumentException($"{nameof(Mean)}: a tensor of shape {x._shape} has no element to average.", nameof(x));
        }
        return TensorKernels.Sum(x) / x.Length;
    }

    /// <summary>
    /// The sums along <paramref name="axis"/>, in a new tensor with that axis removed: [m, n] along 0 gives [n], along
    /// 1 gives [m]. A rank-1 tensor gives shape [1].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not an axis of <paramref name="x"/>.</exception>
    public static Tensor Sum(Tensor x, int axis)
    {
        RequireMemory(x, nameof(Sum));
        TensorKernels.RequireAxis(x, axis, nameof(Sum));
        Tensor result = Zeros(TensorKernels.WithoutAxis(x._shape, axis));
        TensorKernels.Sum(x, axis, result);
        return result;
    }

    /// <summary>The means along <paramref name="axis"/>, shaped like <see cref="Sum(Tensor, int)"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not an axis of <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentException">The axis has size 0.</exception>
    public static Tensor Mean(Tensor x, int axis)
    {
        Tensor result = Sum(x, axis);
        int size = x._shape[axis];
        if (size == 0)
        {
            throw new ArgumentException($"{nameof(Mean)}: axis {axis} of shape {x._shape} is empty; there is nothing to average.", nameof(axis));
        }
        Span<float> values = result.Span;
        System.Numerics.Tensors.TensorPrimitives.Divide(values, size, values);
        return result;
    }
}
