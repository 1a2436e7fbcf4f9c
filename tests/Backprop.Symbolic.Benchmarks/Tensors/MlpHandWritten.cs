using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Benchmarks.Tensors;

/// <summary>
/// A careful hand-written backpropagation of the benchmark MLP, loss = CE(softmax(tanh(x·A + b)·C + d), y), with
/// the same kernels and workspace the generated gradient uses: the yardstick for generated / hand-written.
/// </summary>
public static class MlpHandWritten
{
    /// <summary>The loss alone (the primal).</summary>
    public static float Loss(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d)
    {
        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            Tensor h = Hidden(tape, x, a, b);
            Tensor logits = Logits(tape, h, c, d);
            Tensor probabilities = tape.RentTensor(logits.Shape);
            return TensorKernels.SoftmaxCrossEntropy(logits, y, probabilities);
        }
        finally
        {
            tape.Release(mark);
        }
    }

    /// <summary>The loss and its gradient with respect to A, b, C and d (overwritten).</summary>
    public static float LossGradient(
        Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d, Tensor dA, Tensor dB, Tensor dC, Tensor dD)
    {
        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            // forward
            Tensor h = Hidden(tape, x, a, b);
            Tensor logits = Logits(tape, h, c, d);
            Tensor probabilities = tape.RentTensor(logits.Shape);
            float loss = TensorKernels.SoftmaxCrossEntropy(logits, y, probabilities);

            // backward: dLogits = (p − onehot) / rows, reusing the logits' memory
            Tensor dLogits = logits;
            dLogits.Span.Clear();
            TensorKernels.SoftmaxCrossEntropyBackward(probabilities, y, 1f, dLogits);
            TensorKernels.MatMulTransposeA(h, dLogits, dC);
            TensorKernels.SumRows(dLogits, dD);
            Tensor dH = tape.RentTensor(h.Shape);
            TensorKernels.MatMulTransposeB(dLogits, c, dH);

            // dZ = dH ⊙ (1 − h²), in place
            Span<float> dz = dH.Span;
            ReadOnlySpan<float> hs = h.Span;
            for (int i = 0; i < dz.Length; i++)
            {
                float t = hs[i];
                dz[i] *= 1f - (t * t);
            }
            TensorKernels.MatMulTransposeA(x, dH, dA);
            TensorKernels.SumRows(dH, dB);
            return loss;
        }
        finally
        {
            tape.Release(mark);
        }
    }

    // h = tanh(x·A + b), the bias add and tanh in one pass over each row.
    private static Tensor Hidden(Tape tape, Tensor x, Tensor a, Tensor b)
    {
        int rows = x.Shape[0];
        int hidden = a.Shape[1];
        Tensor h = tape.RentTensor(TensorShape.Of(rows, hidden));
        TensorKernels.MatMul(x, a, h);
        Span<float> hs = h.Span;
        ReadOnlySpan<float> bias = b.Span;
        for (int i = 0; i < rows; i++)
        {
            Span<float> row = hs.Slice(i * hidden, hidden);
            TensorPrimitives.Add(row, bias, row);
            TensorPrimitives.Tanh(row, row);
        }
        return h;
    }

    // logits = h·C + d
    private static Tensor Logits(Tape tape, Tensor h, Tensor c, Tensor d)
    {
        int rows = h.Shape[0];
        int classes = c.Shape[1];
        Tensor logits = tape.RentTensor(TensorShape.Of(rows, classes));
        TensorKernels.MatMul(h, c, logits);
        Span<float> ls = logits.Span;
        ReadOnlySpan<float> bias = d.Span;
        for (int i = 0; i < rows; i++)
        {
            Span<float> row = ls.Slice(i * classes, classes);
            TensorPrimitives.Add(row, bias, row);
        }
        return logits;
    }
}
