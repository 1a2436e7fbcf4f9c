using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Kernels;

public static partial class TensorKernels
{
    /// <summary>
    /// The mean over rows of the cross-entropy of softmax(<paramref name="logits"/>) against the class indices
    /// <paramref name="labels"/>: (1 / rows) Σ_i (log Σ_j exp(logits[i, j]) − logits[i, labels[i]]), computed stably.
    /// Fills <paramref name="probabilities"/> (same shape as <paramref name="logits"/>, may be the same tensor) with
    /// the softmax, which <see cref="SoftmaxCrossEntropyBackward"/> reads. A row is the last axis; rows are every
    /// leading index.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ, the number of labels is not the number of rows, or there is no row.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is not a class index (0 to the row length − 1).</exception>
    public static float SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities)
    {
        RequireRows(logits, probabilities, nameof(SoftmaxCrossEntropy));
        int classes = logits.Shape.Last;
        int rows = RequireLabels(logits.Shape, labels, nameof(SoftmaxCrossEntropy));
        ReadOnlySpan<float> source = logits.Span;
        Span<float> target = probabilities.Span;
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> row = source.Slice(i * classes, classes);
            Span<float> output = target.Slice(i * classes, classes);
            float max = TensorPrimitives.Max(row);
            float chosen = row[labels[i]] - max;
            TensorPrimitives.Subtract(row, max, output);
            TensorPrimitives.Exp(output, output);
            float sum = TensorPrimitives.Sum(output);
            TensorPrimitives.Divide(output, sum, output);
            total += Math.Log(sum) - chosen;
        }
        return (float)(total / rows);
    }

    /// <summary>
    /// dLogits += <paramref name="dLoss"/> · (p − onehot(labels)) / rows: the backward of
    /// <see cref="SoftmaxCrossEntropy"/>, given the probabilities it filled.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ, the number of labels is not the number of rows, or <paramref name="dLogits"/> is <paramref name="probabilities"/>' memory.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is not a class index.</exception>
    public static void SoftmaxCrossEntropyBackward(Tensor probabilities, ReadOnlySpan<int> labels, float dLoss, Tensor dLogits)
    {
        RequireRows(probabilities, dLogits, nameof(SoftmaxCrossEntropyBackward));
        RequireDisjoint(dLogits, probabilities, nameof(SoftmaxCrossEntropyBackward), "the probabilities");
        int classes = probabilities.Shape.Last;
        int rows = RequireLabels(probabilities.Shape, labels, nameof(SoftmaxCrossEntropyBackward));
        float scale = dLoss / rows;
        Span<float> target = dLogits.Span;
        TensorPrimitives.MultiplyAdd(probabilities.Span, scale, target, target);
        for (int i = 0; i < rows; i++)
        {
            target[(i * classes) + labels[i]] -= scale;
        }
    }

    /// <summary>The mean over all elements of (prediction − target)².</summary>
    /// <exception cref="ArgumentException">The shapes differ, or the tensors are empty.</exception>
    public static float MeanSquaredError(Tensor prediction, Tensor target)
    {
        int count = RequireLossPair(prediction, target, nameof(MeanSquaredError));
        ReadOnlySpan<float> p = prediction.Span;
        ReadOnlySpan<float> t = target.Span;
        Span<float> buffer = stackalloc float[Chunk];
        double total = 0;
        for (int start = 0; start < count; start += Chunk)
        {
            int length = Math.Min(Chunk, count - start);
            Span<float> difference = buffer.Slice(0, length);
            TensorPrimitives.Subtract(p.Slice(start, length), t.Slice(start, length), difference);
            total += TensorPrimitives.SumOfSquares(difference);
        }
        return (float)(total / count);
    }

    /// <summary>
    /// The backward of <see cref="MeanSquaredError"/>: dPrediction += 2 (p − t) / N · <paramref name="dLoss"/> and
    /// dTarget += its negative, N the number of elements. A <c>default(Tensor)</c> adjoint is skipped.
    /// </summary>
    /// <exception cref="ArgumentException">A shape differs, or an adjoint shares memory with an input.</exception>
    public static void MeanSquaredErrorBackward(Tensor prediction, Tensor target, float dLoss, Tensor dPrediction, Tensor dTarget)
    {
        const string Operation = nameof(MeanSquaredErrorBackward);
        int count = RequireLossPair(prediction, target, Operation);
        RequireAdjoint(dPrediction, prediction, Operation);
        RequireAdjoint(dTarget, prediction, Operation);
        RequireAdjoint(dPrediction, target, Operation);
        RequireAdjoint(dTarget, target, Operation);
        float scale = 2f * dLoss / count;
        ReadOnlySpan<float> p = prediction.Span;
        ReadOnlySpan<float> t = target.Span;
        Span<float> dP = dPrediction.Span;
        Span<float> dT = dTarget.Span;
        Span<float> buffer = stackalloc float[Chunk];
        for (int start = 0; start < count; start += Chunk)
        {
            int length = Math.Min(Chunk, count - start);
            Span<float> difference = buffer.Slice(0, length);
            TensorPrimitives.Subtract(p.Slice(start, length), t.Slice(start, length), difference);
            if (!dPrediction.IsDefault)
            {
                Span<float> part = dP.Slice(start, length);
                TensorPrimitives.MultiplyAdd(difference, scale, part, part);
            }
            if (!dTarget.IsDefault)
            {
                Span<float> part = dT.Slice(start, length);
                TensorPrimitives.MultiplyAdd(difference, -scale, part, part);
            }
        }
    }

    /// <summary>Checks that there is one label per row and each is a class index; returns the number of rows.</summary>
    private static int RequireLabels(TensorShape shape, ReadOnlySpan<int> labels, string operation)
    {
        int classes = shape.Last;
        int rows = classes == 0 ? 0 : shape.ElementCount / classes;
        if (classes == 0 || rows == 0)
        {
            throw new ArgumentException($"{operation}: logits of shape {shape} hold no row of classes; the loss is a mean over at least one row.");
        }
        if (labels.Length != rows)
        {
            throw new ArgumentException(
                $"{operation}: logits of shape {shape} have {rows} rows but {labels.Length} labels were given; pass one label per row.", nameof(labels));
        }
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(labels), labels[i], $"{operation}: labels[{i}] = {labels[i]} is not a class index of logits of shape {shape} (0 to {classes - 1}).");
            }
        }
        return rows;
    }

    /// <summary>Checks a loss's two inputs: same shape, not empty; returns the element count.</summary>
    private static int RequireLossPair(Tensor prediction, Tensor target, string operation)
    {
        Tensor.RequireSameShape(prediction, target, operation);
        if (prediction.Length == 0)
        {
            throw new ArgumentException($"{operation}: tensors of shape {prediction.Shape} have no element; the loss is a mean over at least one.");
        }
        return prediction.Length;
    }

    /// <summary>Checks an optional adjoint: skipped when default, else the input's shape and separate memory.</summary>
    private static void RequireAdjoint(Tensor adjoint, Tensor input, string operation)
    {
        if (adjoint.IsDefault)
        {
            return;
        }
        Tensor.RequireSameShape(input, adjoint, operation);
        RequireDisjoint(adjoint, input, operation, "an input");
    }
}
