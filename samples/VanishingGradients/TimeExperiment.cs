using System;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;

namespace VanishingGradients;

/// <summary>
/// A recurrent network unrolled over T steps in a C# loop: the cells' generated <c>…Value</c> forward, a softmax
/// readout of the last hidden state as the loss, then the cells' <c>…Pullback</c> backward, last step first. The norm of
/// ∂L/∂x_t at each step goes to an <see cref="ActivationRecorder"/> with the step index, as an instrumented loop over
/// time reports it.
/// </summary>
public static class TimeExperiment
{
    private const int Classes = 10;

    /// <summary>‖∂L/∂x_t‖ for t = 0 … steps − 1 of a vanilla RNN (<paramref name="lstm"/> false) or an LSTM.</summary>
    public static double[] InputGradientNorms(bool lstm, int steps, int batch, int inputs, int hidden, long seed)
    {
        var random = new SeededRandom(seed);
        var x = new Tensor[steps];
        for (int t = 0; t < steps; t++)
        {
            x[t] = Tensor.Zeros(batch, inputs);
            Span<float> values = x[t].Span;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)random.NextNormal();
            }
        }
        var labels = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            labels[i] = random.NextInt32(Classes);
        }
        Tensor readout = Weights(hidden, Classes, seed, 99);
        var recorder = new ActivationRecorder(capacity: 1, maxSteps: steps);

        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            if (lstm)
            {
                Lstm(x, labels, readout, inputs, hidden, seed, recorder);
            }
            else
            {
                Rnn(x, labels, readout, inputs, hidden, seed, recorder);
            }
        }
        finally
        {
            tape.Release(mark);
        }
        return recorder.Locals[0].StepAdjointNorms.ToArray();
    }

    private static void Rnn(Tensor[] x, int[] labels, Tensor readout, int inputs, int hidden, long seed, IInstrumentSink sink)
    {
        Tensor w = Weights(inputs, hidden, seed, 0), u = Weights(hidden, hidden, seed, 1), b = Tensor.Zeros(hidden);
        int steps = x.Length;
        Tape tape = Tape.Current;
        var h = new Tensor[steps + 1];
        h[0] = tape.RentTensor(TensorShape.Of(x[0].Shape[0], hidden));
        for (int t = 0; t < steps; t++)
        {
            h[t + 1] = Layers.RnnCellValue(x[t], h[t], w, u, b);
        }
        Tensor dH = tape.RentTensor(h[steps].Shape);
        Layers.ReadoutGradient(h[steps], labels, readout, dH, tape.RentTensor(readout.Shape));
        for (int t = steps - 1; t >= 0; t--)
        {
            Tensor dX = tape.RentTensor(x[t].Shape), dBefore = tape.RentTensor(h[t].Shape);
            Layers.RnnCellPullback(x[t], h[t], w, u, b, dH, dX, dBefore, default, default, default);
            sink.Adjoint("x", dX, t);
            dH = dBefore;
        }
    }

    private static void Lstm(Tensor[] x, int[] labels, Tensor readout, int inputs, int hidden, long seed, IInstrumentSink sink)
    {
        Tensor wf = Weights(inputs, hidden, seed, 10), uf = Weights(hidden, hidden, seed, 11), bf = Tensor.Zeros(hidden);
        Tensor wi = Weights(inputs, hidden, seed, 12), ui = Weights(hidden, hidden, seed, 13), bi = Tensor.Zeros(hidden);
        Tensor wg = Weights(inputs, hidden, seed, 14), ug = Weights(hidden, hidden, seed, 15), bg = Tensor.Zeros(hidden);
        Tensor wo = Weights(inputs, hidden, seed, 16), uo = Weights(hidden, hidden, seed, 17), bo = Tensor.Zeros(hidden);
        bf.Fill(1f); // the usual forget-gate bias: the cell starts out remembering (Jozefowicz et al., 2015)
        int steps = x.Length;
        Tape tape = Tape.Current;
        var h = new Tensor[steps + 1];
        var c = new Tensor[steps + 1];
        h[0] = tape.RentTensor(TensorShape.Of(x[0].Shape[0], hidden));
        c[0] = tape.RentTensor(h[0].Shape);
        for (int t = 0; t < steps; t++)
        {
            c[t + 1] = Layers.LstmCellStateValue(x[t], h[t], c[t], wf, uf, bf, wi, ui, bi, wg, ug, bg);
            h[t + 1] = Layers.LstmHiddenValue(x[t], h[t], c[t + 1], wo, uo, bo);
        }
        Tensor dH = tape.RentTensor(h[steps].Shape), dC = tape.RentTensor(c[steps].Shape);
        Layers.ReadoutGradient(h[steps], labels, readout, dH, tape.RentTensor(readout.Shape));
        for (int t = steps - 1; t >= 0; t--)
        {
            Tensor dX = tape.RentTensor(x[t].Shape), dHBefore = tape.RentTensor(h[t].Shape), dCBefore = tape.RentTensor(c[t].Shape);
            // h_{t+1} depends on c_{t+1}: its pullback adds to dC, which already holds what later steps sent back.
            Layers.LstmHiddenPullback(x[t], h[t], c[t + 1], wo, uo, bo, dH, dX, dHBefore, dC, default, default, default);
            Layers.LstmCellStatePullback(x[t], h[t], c[t], wf, uf, bf, wi, ui, bi, wg, ug, bg, dC,
                dX, dHBefore, dCBefore, default, default, default, default, default, default, default, default, default);
            sink.Adjoint("x", dX, t);
            dH = dHBefore;
            dC = dCBefore;
        }
    }

    private static Tensor Weights(int rows, int columns, long seed, int index)
    {
        Tensor w = Tensor.Zeros(rows, columns);
        Initializer.XavierNormal(seed * 1000 + index).Fill(w);
        return w;
    }
}
