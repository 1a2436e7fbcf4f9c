using System;
using Backprop.Symbolic.Taping;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// A careful hand-written backpropagation through time for <see cref="LoopObjectives.Lstm"/>: the forward pass keeps
/// every step's gates, cell and output in one workspace buffer (what a person stores), the backward pass runs the
/// steps in reverse with the recurrent adjoints carried in four small arrays. The workspace comes from the same
/// per-thread <see cref="Tape"/> the generated gradient uses, so both allocate nothing per call.
/// </summary>
public static class LstmHandWritten
{
    // Per layer, per step, per hidden unit: i, f, o, g, c, tanh(c), h.
    private const int Slots = 7;
    private const int I = 0, F = 1, O = 2, G = 3, C = 4, TanhC = 5, H = 6;

    public static double LstmGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int steps, int inputs, int hidden, Span<double> dW)
    {
        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            int row1 = inputs + hidden + 1;
            int row2 = hidden + hidden + 1;
            int layer2 = 4 * hidden * row1;
            int stride = Slots * hidden;
            Span<double> s1 = tape.RentDoubles(steps * stride);
            Span<double> s2 = tape.RentDoubles(steps * stride);
            Span<double> zero = tape.RentDoubles(hidden);

            double loss = 0.0;
            for (int t = 0; t < steps; t++)
            {
                ReadOnlySpan<double> h1Prev = t == 0 ? zero : s1.Slice((t - 1) * stride + H * hidden, hidden);
                ReadOnlySpan<double> c1Prev = t == 0 ? zero : s1.Slice((t - 1) * stride + C * hidden, hidden);
                Forward(w, 0, row1, x.Slice(t * inputs, inputs), h1Prev, c1Prev, s1.Slice(t * stride, stride), hidden);
                ReadOnlySpan<double> h1 = s1.Slice(t * stride + H * hidden, hidden);
                ReadOnlySpan<double> h2Prev = t == 0 ? zero : s2.Slice((t - 1) * stride + H * hidden, hidden);
                ReadOnlySpan<double> c2Prev = t == 0 ? zero : s2.Slice((t - 1) * stride + C * hidden, hidden);
                Span<double> state2 = s2.Slice(t * stride, stride);
                Forward(w, layer2, row2, h1, h2Prev, c2Prev, state2, hidden);
                for (int j = 0; j < hidden; j++)
                {
                    double e = state2[H * hidden + j] - 0.5;
                    loss += 0.5 * e * e;
                }
            }

            dW.Clear();
            Span<double> dH1 = tape.RentDoubles(hidden);     // adjoint of h1 at the step being reversed
            Span<double> dC1 = tape.RentDoubles(hidden);
            Span<double> dH2 = tape.RentDoubles(hidden);
            Span<double> dC2 = tape.RentDoubles(hidden);
            Span<double> dH1Prev = tape.RentDoubles(hidden);
            Span<double> dH2Prev = tape.RentDoubles(hidden);
            for (int t = steps - 1; t >= 0; t--)
            {
                ReadOnlySpan<double> state2 = s2.Slice(t * stride, stride);
                for (int j = 0; j < hidden; j++)
                {
                    dH2[j] += state2[H * hidden + j] - 0.5;
                }
                ReadOnlySpan<double> h1 = s1.Slice(t * stride + H * hidden, hidden);
                ReadOnlySpan<double> h2Prev = t == 0 ? zero : s2.Slice((t - 1) * stride + H * hidden, hidden);
                ReadOnlySpan<double> c2Prev = t == 0 ? zero : s2.Slice((t - 1) * stride + C * hidden, hidden);
                dH2Prev.Clear();
                // layer 2 sends its input's adjoint into dH1 (added to the recurrent part already there)
                Backward(w, dW, layer2, row2, h1, h2Prev, c2Prev, state2, dH2, dC2, dH1, dH2Prev, hidden);
                dH2Prev.CopyTo(dH2);

                ReadOnlySpan<double> state1 = s1.Slice(t * stride, stride);
                ReadOnlySpan<double> h1Prev = t == 0 ? zero : s1.Slice((t - 1) * stride + H * hidden, hidden);
                ReadOnlySpan<double> c1Prev = t == 0 ? zero : s1.Slice((t - 1) * stride + C * hidden, hidden);
                dH1Prev.Clear();
                Backward(w, dW, 0, row1, x.Slice(t * inputs, inputs), h1Prev, c1Prev, state1, dH1, dC1, default, dH1Prev, hidden);
                dH1Prev.CopyTo(dH1);
            }
            return loss;
        }
        finally
        {
            tape.Release(mark);
        }
    }

    // One layer's step: the gates of every unit from [input; hPrev], then c and h, into `state`.
    private static void Forward(ReadOnlySpan<double> w, int offset, int row, ReadOnlySpan<double> input,
        ReadOnlySpan<double> hPrev, ReadOnlySpan<double> cPrev, Span<double> state, int hidden)
    {
        int n = input.Length;
        for (int j = 0; j < hidden; j++)
        {
            double zi = Gate(w, offset + j * row, input, hPrev, n, hidden);
            double zf = Gate(w, offset + (hidden + j) * row, input, hPrev, n, hidden);
            double zo = Gate(w, offset + (2 * hidden + j) * row, input, hPrev, n, hidden);
            double zg = Gate(w, offset + (3 * hidden + j) * row, input, hPrev, n, hidden);
            double i = Sigmoid(zi), f = Sigmoid(zf), o = Sigmoid(zo), g = Math.Tanh(zg);
            double c = f * cPrev[j] + i * g;
            double tc = Math.Tanh(c);
            state[I * hidden + j] = i;
            state[F * hidden + j] = f;
            state[O * hidden + j] = o;
            state[G * hidden + j] = g;
            state[C * hidden + j] = c;
            state[TanhC * hidden + j] = tc;
            state[H * hidden + j] = o * tc;
        }
    }

    // One layer's step reversed. dH holds the adjoint of this step's h (consumed), dC the cell adjoint carried from
    // the next step (replaced by the one for the previous step); the input's adjoint is added to dInput (when it is
    // not empty) and the previous h's to dHPrev.
    private static void Backward(ReadOnlySpan<double> w, Span<double> dW, int offset, int row, ReadOnlySpan<double> input,
        ReadOnlySpan<double> hPrev, ReadOnlySpan<double> cPrev, ReadOnlySpan<double> state, Span<double> dH, Span<double> dC,
        Span<double> dInput, Span<double> dHPrev, int hidden)
    {
        int n = input.Length;
        for (int j = 0; j < hidden; j++)
        {
            double i = state[I * hidden + j], f = state[F * hidden + j], o = state[O * hidden + j], g = state[G * hidden + j];
            double tc = state[TanhC * hidden + j];
            double dh = dH[j];
            double dc = dC[j] + dh * o * (1.0 - tc * tc);
            double dzi = dc * g * i * (1.0 - i);
            double dzf = dc * cPrev[j] * f * (1.0 - f);
            double dzo = dh * tc * o * (1.0 - o);
            double dzg = dc * i * (1.0 - g * g);
            dC[j] = dc * f;
            GateBackward(w, dW, offset + j * row, dzi, input, hPrev, dInput, dHPrev, n, hidden);
            GateBackward(w, dW, offset + (hidden + j) * row, dzf, input, hPrev, dInput, dHPrev, n, hidden);
            GateBackward(w, dW, offset + (2 * hidden + j) * row, dzo, input, hPrev, dInput, dHPrev, n, hidden);
            GateBackward(w, dW, offset + (3 * hidden + j) * row, dzg, input, hPrev, dInput, dHPrev, n, hidden);
        }
        dH.Clear();
    }

    private static double Gate(ReadOnlySpan<double> w, int r, ReadOnlySpan<double> input, ReadOnlySpan<double> hPrev, int n, int hidden)
    {
        double z = w[r + n + hidden];
        for (int k = 0; k < n; k++)
        {
            z += w[r + k] * input[k];
        }
        for (int k = 0; k < hidden; k++)
        {
            z += w[r + n + k] * hPrev[k];
        }
        return z;
    }

    private static void GateBackward(ReadOnlySpan<double> w, Span<double> dW, int r, double dz, ReadOnlySpan<double> input,
        ReadOnlySpan<double> hPrev, Span<double> dInput, Span<double> dHPrev, int n, int hidden)
    {
        dW[r + n + hidden] += dz;
        for (int k = 0; k < n; k++)
        {
            dW[r + k] += dz * input[k];
        }
        if (!dInput.IsEmpty)
        {
            for (int k = 0; k < n; k++)
            {
                dInput[k] += dz * w[r + k];
            }
        }
        for (int k = 0; k < hidden; k++)
        {
            dW[r + n + k] += dz * hPrev[k];
            dHPrev[k] += dz * w[r + n + k];
        }
    }

    private static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));
}
