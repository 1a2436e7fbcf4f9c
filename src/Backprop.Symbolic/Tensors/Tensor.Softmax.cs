using Backprop.Symbolic.Kernels;

namespace Backprop.Symbolic.Tensors;

public readonly partial struct Tensor
{
    /// <summary>
    /// softmax over the last axis, in a new tensor: each row becomes exp(x − max) / Σ exp(x − max) (positive, summing
    /// to 1; large values do not overflow).
    /// </summary>
    public static Tensor Softmax(Tensor x)
    {
        Tensor result = Zeros(RequireMemory(x, nameof(Softmax)));
        TensorKernels.Softmax(x, result);
        return result;
    }

    /// <summary>log-softmax over the last axis, in a new tensor: x − max − log Σ exp(x − max) per row.</summary>
    public static Tensor LogSoftmax(Tensor x)
    {
        Tensor result = Zeros(RequireMemory(x, nameof(LogSoftmax)));
        TensorKernels.LogSoftmax(x, result);
        return result;
    }
}
