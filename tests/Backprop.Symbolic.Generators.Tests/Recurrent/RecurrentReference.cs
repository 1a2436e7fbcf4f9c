using System;
using Backprop.Symbolic.Generators.Tests.Tensors;

namespace Backprop.Symbolic.Generators.Tests.Recurrent;

/// <summary>The recurrent losses in double precision, unrolled step by step with plain arrays: the tests' reference.</summary>
internal static class RecurrentReference
{
    /// <summary>Block t of a time-major sequence [T, B, F].</summary>
    public static double[] Step(double[] xs, int t, int batch, int features) => xs.AsSpan(t * batch * features, batch * features).ToArray();

    /// <summary>h' = tanh(x·W + h·U + b).</summary>
    public static double[] Rnn(double[] x, double[] h, double[] w, double[] u, double[] b, int batch, int features, int hidden) =>
        Reference.Map(Reference.Zip(Reference.Zip(Reference.MatMul(x, w, batch, features, hidden), Reference.MatMul(h, u, batch, hidden, hidden), (p, q) => p + q), b, (p, q) => p + q), Math.Tanh);

    /// <summary>One LSTM step on a state [B, 2H] holding h and c side by side; gates i, f, g, o from z = x·W + h·U + b.</summary>
    public static double[] Lstm(double[] x, double[] state, double[] w, double[] u, double[] b, int batch, int features, int hidden)
    {
        var h = new double[batch * hidden];
        var c = new double[batch * hidden];
        for (int r = 0; r < batch; r++)
        {
            for (int j = 0; j < hidden; j++)
            {
                h[r * hidden + j] = state[r * 2 * hidden + j];
                c[r * hidden + j] = state[r * 2 * hidden + hidden + j];
            }
        }
        double[] z = Reference.Zip(Reference.Zip(Reference.MatMul(x, w, batch, features, 4 * hidden), Reference.MatMul(h, u, batch, hidden, 4 * hidden), (p, q) => p + q), b, (p, q) => p + q);
        var next = new double[batch * 2 * hidden];
        for (int r = 0; r < batch; r++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double Gate(int k) => z[r * 4 * hidden + k * hidden + j];
                double i = Reference.Sigmoid(Gate(0)), f = Reference.Sigmoid(Gate(1)), g = Math.Tanh(Gate(2)), o = Reference.Sigmoid(Gate(3));
                double cNext = f * c[r * hidden + j] + i * g;
                next[r * 2 * hidden + j] = o * Math.Tanh(cNext);
                next[r * 2 * hidden + hidden + j] = cNext;
            }
        }
        return next;
    }

    /// <summary>The first half of each row of a state [B, 2H]: h.</summary>
    public static double[] Hidden(double[] state, int batch, int hidden)
    {
        var h = new double[batch * hidden];
        for (int r = 0; r < batch; r++)
        {
            Array.Copy(state, r * 2 * hidden, h, r * hidden, hidden);
        }
        return h;
    }
}
