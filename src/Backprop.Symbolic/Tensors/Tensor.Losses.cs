using System;
using Backprop.Symbolic.Kernels;

namespace Backprop.Symbolic.Tensors;

public readonly partial struct Tensor
{
    /// <summary>
    /// The mean over rows of the cross-entropy between softmax(<paramref name="logits"/>) and the class indices
    /// <paramref name="labels"/> (one per row of the last axis): (1 / rows) Σ_i −log softmax(logits)[i, labels[i]],
    /// computed stably from the logits.
    /// </summary>
    /// <exception cref="ArgumentException">The number of labels is not the number of rows, or there is no row.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is not a class index; the message names its position and value.</exception>
    public static float SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels)
    {
        Tensor probabilities = Zeros(RequireMemory(logits, nameof(SoftmaxCrossEntropy)));
        return TensorKernels.SoftmaxCrossEntropy(logits, labels, probabilities);
    }

    /// <summary>The mean over all elements of (prediction − target)².</summary>
    /// <exception cref="ArgumentException">The shapes differ (the message names both), or the tensors are empty.</exception>
    public static float MeanSquaredError(Tensor prediction, Tensor target)
    {
        RequireMemory(prediction, nameof(MeanSquaredError));
        RequireMemory(target, nameof(MeanSquaredError));
        return TensorKernels.MeanSquaredError(prediction, target);
    }
}
