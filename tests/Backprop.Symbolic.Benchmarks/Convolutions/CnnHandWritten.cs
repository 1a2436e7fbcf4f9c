using System;
using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Benchmarks.Convolutions;

/// <summary>
/// A careful hand-written backpropagation of <see cref="CnnObjective.Flat"/>, with the same kernels and workspace the
/// generated gradient uses: ReLU applied in place (vectorized) on each convolution's output, its backward masking the
/// adjoint in place, the logits' memory reused for their adjoint, the flattened features read as a view. The yardstick
/// for generated / hand-written.
/// </summary>
public static class CnnHandWritten
{
    /// <summary>The loss and its gradient with respect to k1, c1, k2, c2, w and b (overwritten).</summary>
    public static float LossGradient(
        Tensor x, ReadOnlySpan<int> y, Tensor k1, Tensor c1, Tensor k2, Tensor c2, Tensor w, Tensor b,
        Tensor dK1, Tensor dC1, Tensor dK2, Tensor dC2, Tensor dW, Tensor dB)
    {
        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            // forward
            Tensor a1 = tape.RentTensor(TensorShapes.Conv2D(x.Shape, k1.Shape, 1, 1));
            TensorKernels.Conv2D(x, k1, c1, a1, 1, 1);
            TensorPrimitives.Max((ReadOnlySpan<float>)a1.Span, 0f, a1.Span);
            Tensor p1 = tape.RentTensor(TensorShapes.MaxPool2D(a1.Shape, 2, 2));
            TensorKernels.MaxPool2D(a1, p1, 2, 2);
            Tensor a2 = tape.RentTensor(TensorShapes.Conv2D(p1.Shape, k2.Shape, 1, 1));
            TensorKernels.Conv2D(p1, k2, c2, a2, 1, 1);
            TensorPrimitives.Max((ReadOnlySpan<float>)a2.Span, 0f, a2.Span);
            Tensor features = Tensor.Flatten(a2);
            Tensor logits = tape.RentTensor(TensorShapes.MatMul(features.Shape, w.Shape));
            TensorKernels.MatMul(features, w, logits);
            int classes = logits.Shape[1];
            Span<float> scores = logits.Span;
            for (int row = 0; row < scores.Length; row += classes)
            {
                Span<float> r = scores.Slice(row, classes);
                TensorPrimitives.Add(r, b.Span, r);
            }
            Tensor probabilities = tape.RentTensor(logits.Shape);
            float loss = TensorKernels.SoftmaxCrossEntropy(logits, y, probabilities);

            // backward
            Tensor dLogits = logits;
            dLogits.Span.Clear();
            TensorKernels.SoftmaxCrossEntropyBackward(probabilities, y, 1f, dLogits);
            TensorKernels.MatMulTransposeA(features, dLogits, dW);
            TensorKernels.SumRows(dLogits, dB);
            Tensor dA2 = tape.RentTensor(a2.Shape);
            TensorKernels.MatMulTransposeB(dLogits, w, Tensor.Flatten(dA2));
            MaskByRelu(a2, dA2);
            dK2.Span.Clear();
            dC2.Span.Clear();
            Tensor dP1 = tape.RentTensor(p1.Shape);
            TensorKernels.Conv2DBackward(p1, k2, dA2, dP1, dK2, dC2, 1, 1);
            Tensor dA1 = tape.RentTensor(a1.Shape);
            TensorKernels.MaxPool2DBackward(a1, dP1, dA1, 2, 2);
            MaskByRelu(a1, dA1);
            dK1.Span.Clear();
            dC1.Span.Clear();
            TensorKernels.Conv2DBackward(x, k1, dA1, default, dK1, dC1, 1, 1);
            return loss;
        }
        finally
        {
            tape.Release(mark);
        }
    }

    /// <summary>adjoint = 0 where the ReLU's output is 0 (its input was not positive), a vector of lanes at a time.</summary>
    private static void MaskByRelu(Tensor output, Tensor adjoint)
    {
        ReadOnlySpan<float> y = output.Span;
        Span<float> g = adjoint.Span;
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(y.Slice(i)), Vector<float>.Zero), new Vector<float>(g.Slice(i)), Vector<float>.Zero).CopyTo(g.Slice(i));
        }
        for (; i < g.Length; i++)
        {
            if (y[i] <= 0f)
            {
                g[i] = 0f;
            }
        }
    }
}
