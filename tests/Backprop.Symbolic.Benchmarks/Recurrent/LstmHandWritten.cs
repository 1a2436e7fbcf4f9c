using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Benchmarks.Recurrent;

/// <summary>
/// A careful hand-written backpropagation through time of <see cref="RecurrentObjectives.LstmLoss"/> (initial state
/// zero), with the same kernels and workspace: the forward loop keeps each step's gates, cell state and hidden state in
/// [T, B, ·] buffers, the backward loop runs the steps last first with the state's adjoints in two buffers.
/// </summary>
public static class LstmHandWritten
{
    public static float LossGradient(Tensor xs, ReadOnlySpan<int> labels, Tensor w, Tensor u, Tensor b, Tensor v, Tensor c,
        Tensor dW, Tensor dU, Tensor dB, Tensor dV, Tensor dC)
    {
        int steps = xs.Shape[0], batch = xs.Shape[1], hidden = u.Shape[0];
        int size = batch * hidden;
        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            Tensor gates = tape.RentTensor(TensorShape.Of(steps, batch, 4 * hidden)); // i, f, g, o after their activations
            Tensor cells = tape.RentTensor(TensorShape.Of(steps + 1, batch, hidden));   // c_0 = 0 … c_T
            Tensor hs = tape.RentTensor(TensorShape.Of(steps + 1, batch, hidden));      // h_0 = 0 … h_T
            Tensor tanhCells = tape.RentTensor(TensorShape.Of(steps, batch, hidden));
            for (int t = 0; t < steps; t++)
            {
                Tensor z = Tensor.TimeStep(gates, t);
                TensorKernels.MatMul(Tensor.TimeStep(xs, t), w, z);
                TensorKernels.MatMul(Tensor.TimeStep(hs, t), u, z, accumulate: true);
                Span<float> zs = z.Span;
                ReadOnlySpan<float> bias = b.Span, cPrev = Tensor.TimeStep(cells, t).Span;
                Span<float> cNext = Tensor.TimeStep(cells, t + 1).Span, hNext = Tensor.TimeStep(hs, t + 1).Span, tc = Tensor.TimeStep(tanhCells, t).Span;
                for (int r = 0; r < batch; r++)
                {
                    int row = r * 4 * hidden;
                    for (int j = 0; j < hidden; j++)
                    {
                        float i = Sigmoid(zs[row + j] + bias[j]);
                        float f = Sigmoid(zs[row + hidden + j] + bias[hidden + j]);
                        float g = MathF.Tanh(zs[row + (2 * hidden) + j] + bias[(2 * hidden) + j]);
                        float o = Sigmoid(zs[row + (3 * hidden) + j] + bias[(3 * hidden) + j]);
                        zs[row + j] = i;
                        zs[row + hidden + j] = f;
                        zs[row + (2 * hidden) + j] = g;
                        zs[row + (3 * hidden) + j] = o;
                        int k = (r * hidden) + j;
                        float cell = (f * cPrev[k]) + (i * g);
                        cNext[k] = cell;
                        tc[k] = MathF.Tanh(cell);
                        hNext[k] = o * tc[k];
                    }
                }
            }
            Tensor hLast = Tensor.TimeStep(hs, steps);
            Tensor logits = tape.RentTensor(TensorShape.Of(batch, v.Shape[1]));
            TensorKernels.MatMul(hLast, v, logits);
            Span<float> scores = logits.Span;
            ReadOnlySpan<float> classBias = c.Span;
            for (int k = 0; k < scores.Length; k++)
            {
                scores[k] += classBias[k % classBias.Length];
            }
            Tensor probabilities = tape.RentTensor(logits.Shape);
            float loss = TensorKernels.SoftmaxCrossEntropy(logits, labels, probabilities);

            Tensor dLogits = logits;
            dLogits.Span.Clear();
            TensorKernels.SoftmaxCrossEntropyBackward(probabilities, labels, 1f, dLogits);
            TensorKernels.MatMulTransposeA(hLast, dLogits, dV);
            TensorKernels.SumRows(dLogits, dC);
            Tensor dH = tape.RentTensor(TensorShape.Of(batch, hidden));
            TensorKernels.MatMulTransposeB(dLogits, v, dH);
            Tensor dCell = tape.RentTensor(TensorShape.Of(batch, hidden));
            Tensor dZ = tape.RentTensor(TensorShape.Of(batch, 4 * hidden));
            dW.Span.Clear();
            dU.Span.Clear();
            dB.Span.Clear();
            for (int t = steps - 1; t >= 0; t--)
            {
                ReadOnlySpan<float> gs = Tensor.TimeStep(gates, t).Span, cPrev = Tensor.TimeStep(cells, t).Span, tc = Tensor.TimeStep(tanhCells, t).Span;
                Span<float> dh = dH.Span, dc = dCell.Span, dz = dZ.Span;
                for (int r = 0; r < batch; r++)
                {
                    int row = r * 4 * hidden;
                    for (int j = 0; j < hidden; j++)
                    {
                        int k = (r * hidden) + j;
                        float i = gs[row + j], f = gs[row + hidden + j], g = gs[row + (2 * hidden) + j], o = gs[row + (3 * hidden) + j];
                        float dCellK = dc[k] + (dh[k] * o * (1f - (tc[k] * tc[k])));
                        dz[row + j] = dCellK * g * i * (1f - i);
                        dz[row + hidden + j] = dCellK * cPrev[k] * f * (1f - f);
                        dz[row + (2 * hidden) + j] = dCellK * i * (1f - (g * g));
                        dz[row + (3 * hidden) + j] = dh[k] * tc[k] * o * (1f - o);
                        dc[k] = dCellK * f;
                    }
                }
                TensorKernels.MatMulTransposeA(Tensor.TimeStep(xs, t), dZ, dW, accumulate: true);
                TensorKernels.MatMulTransposeA(Tensor.TimeStep(hs, t), dZ, dU, accumulate: true);
                TensorKernels.SumRows(dZ, dB, accumulate: true);
                TensorKernels.MatMulTransposeB(dZ, u, dH);
            }
            return loss;
        }
        finally
        {
            tape.Release(mark);
        }
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
