using System;
using Backprop.Symbolic.Kernels;

namespace Backprop.Symbolic.Tensors;

public readonly partial struct Tensor
{
    /// <summary>The matrix product <paramref name="a"/> [m, k] · <paramref name="b"/> [k, n], in a new tensor [m, n].</summary>
    /// <exception cref="ArgumentException">A tensor is not a matrix, or the inner sizes differ (the message names both shapes).</exception>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        RequireMemory(a, nameof(MatMul));
        RequireMemory(b, nameof(MatMul));
        Tensor result = Zeros(TensorShapes.MatMul(a.Shape, b.Shape));
        TensorKernels.MatMul(a, b, result);
        return result;
    }
}
