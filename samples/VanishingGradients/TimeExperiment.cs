using System;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;

namespace VanishingGradients;

/// <summary>
/// A vanilla RNN and an LSTM read a random sequence of T steps and a softmax readout of the last hidden state is the
/// loss (<see cref="Layers.RnnSequenceLoss"/>, <see cref="Layers.LstmSequenceLoss"/>: loops over time steps in
/// <c>[Differentiable]</c> methods). Their generated gradients with respect to the sequence give ∂L/∂x_t at every step;
/// the norm of each step's block goes to an <see cref="ActivationRecorder"/> with the step index.
/// </summary>
public static class TimeExperiment
{
    private const int Classes = 10;

    /// <summary>‖∂L/∂x_t‖ for t = 0 … steps − 1 of a vanilla RNN (<paramref name="lstm"/> false) or an LSTM.</summary>
    public static double[] InputGradientNorms(bool lstm, int steps, int batch, int inputs, int hidden, long seed)
    {
        var random = new SeededRandom(seed);
        Tensor xs = Tensor.Zeros(steps, batch, inputs);
        Span<float> values = xs.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextNormal();
        }
        var labels = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            labels[i] = random.NextInt32(Classes);
        }
        Tensor readout = Weights(hidden, Classes, seed, 99);
        Tensor dXs = Tensor.Zeros(xs.Shape);
        if (lstm)
        {
            // Four gates side by side (i, f, g, o), each block drawn as the RNN's matrices are; the forget gate's bias
            // starts at 1, so the cell starts out remembering (Jozefowicz et al., 2015).
            Tensor w = Gates(inputs, hidden, seed, 12, 10, 14, 16), u = Gates(hidden, hidden, seed, 13, 11, 15, 17), b = Tensor.Zeros(4 * hidden);
            b.Span.Slice(hidden, hidden).Fill(1f);
            Layers.LstmSequenceLossGradient(xs, Tensor.Zeros(batch, 2 * hidden), labels, w, u, b, readout, dXs);
        }
        else
        {
            Tensor w = Weights(inputs, hidden, seed, 0), u = Weights(hidden, hidden, seed, 1), b = Tensor.Zeros(hidden);
            Layers.RnnSequenceLossGradient(xs, Tensor.Zeros(batch, hidden), labels, w, u, b, readout, dXs);
        }
        var recorder = new ActivationRecorder(capacity: 1, maxSteps: steps);
        for (int t = 0; t < steps; t++)
        {
            recorder.Adjoint("x", dXs.Slice(0, t, 1), t);
        }
        return recorder.Locals[0].StepAdjointNorms.ToArray();
    }

    private static Tensor Weights(int rows, int columns, long seed, int index)
    {
        Tensor w = Tensor.Zeros(rows, columns);
        Initializer.XavierNormal(seed * 1000 + index).Fill(w);
        return w;
    }

    // [rows, 4·columns]: the gates' Xavier-drawn [rows, columns] blocks side by side (i, f, g, o), each from its own seed.
    private static Tensor Gates(int rows, int columns, long seed, params int[] indices)
    {
        Tensor w = Tensor.Zeros(rows, 4 * columns);
        for (int gate = 0; gate < 4; gate++)
        {
            Tensor block = Weights(rows, columns, seed, indices[gate]);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    w[r, gate * columns + c] = block[r, c];
                }
            }
        }
        return w;
    }
}
