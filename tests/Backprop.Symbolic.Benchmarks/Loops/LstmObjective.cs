using System;
using Backprop.Symbolic;

namespace Backprop.Symbolic.Benchmarks;

public static partial class LoopObjectives
{
    /// <summary>σ(z) = 1 / (1 + e⁻ᶻ): the LSTM's gates call it, so the generator differentiates through a call.</summary>
    [Differentiable]
    public static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    /// <summary>
    /// (h) A two-layer LSTM over <paramref name="steps"/> time steps, written as a new user writes it: per-layer state
    /// arrays <c>h</c> and <c>c</c> overwritten in place at every step, gates through <see cref="Sigmoid"/>. Each layer l
    /// has, for every gate q ∈ (input, forget, output, candidate) and hidden unit j, one row of
    /// <c>inputs_l + hidden + 1</c> weights in <paramref name="w"/> (input weights, recurrent weights, bias), layer 1
    /// first: zₗ,q,j = Σₖ W·[x; h] + b; i, f, o = σ(z); g = tanh(z); c ← f c + i g; h ← o tanh(c). The loss is
    /// ½ Σₜ Σⱼ (h²ₜ,ⱼ − ½)² over the second layer's outputs. <paramref name="x"/> is steps × inputs.
    /// </summary>
    [Differentiable(nameof(w))]
    public static double Lstm(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int steps, int inputs, int hidden)
    {
        double[] h1 = new double[hidden];
        double[] c1 = new double[hidden];
        double[] h2 = new double[hidden];
        double[] c2 = new double[hidden];
        double[] next = new double[hidden];
        int row1 = inputs + hidden + 1;
        int row2 = hidden + hidden + 1;
        int layer2 = 4 * hidden * row1;
        double loss = 0.0;
        for (int t = 0; t < steps; t++)
        {
            // layer 1 reads x_t and h1
            for (int j = 0; j < hidden; j++)
            {
                int ri = j * row1;
                int rf = (hidden + j) * row1;
                int ro = (2 * hidden + j) * row1;
                int rg = (3 * hidden + j) * row1;
                double zi = w[ri + inputs + hidden];
                double zf = w[rf + inputs + hidden];
                double zo = w[ro + inputs + hidden];
                double zg = w[rg + inputs + hidden];
                for (int k = 0; k < inputs; k++)
                {
                    double xk = x[t * inputs + k];
                    zi += w[ri + k] * xk;
                    zf += w[rf + k] * xk;
                    zo += w[ro + k] * xk;
                    zg += w[rg + k] * xk;
                }
                for (int k = 0; k < hidden; k++)
                {
                    double hk = h1[k];
                    zi += w[ri + inputs + k] * hk;
                    zf += w[rf + inputs + k] * hk;
                    zo += w[ro + inputs + k] * hk;
                    zg += w[rg + inputs + k] * hk;
                }
                double c = Sigmoid(zf) * c1[j] + Sigmoid(zi) * Math.Tanh(zg);
                c1[j] = c;
                next[j] = Sigmoid(zo) * Math.Tanh(c);
            }
            for (int j = 0; j < hidden; j++)
            {
                h1[j] = next[j];
            }

            // layer 2 reads h1 and h2
            for (int j = 0; j < hidden; j++)
            {
                int ri = layer2 + j * row2;
                int rf = layer2 + (hidden + j) * row2;
                int ro = layer2 + (2 * hidden + j) * row2;
                int rg = layer2 + (3 * hidden + j) * row2;
                double zi = w[ri + hidden + hidden];
                double zf = w[rf + hidden + hidden];
                double zo = w[ro + hidden + hidden];
                double zg = w[rg + hidden + hidden];
                for (int k = 0; k < hidden; k++)
                {
                    double xk = h1[k];
                    double hk = h2[k];
                    zi += w[ri + k] * xk + w[ri + hidden + k] * hk;
                    zf += w[rf + k] * xk + w[rf + hidden + k] * hk;
                    zo += w[ro + k] * xk + w[ro + hidden + k] * hk;
                    zg += w[rg + k] * xk + w[rg + hidden + k] * hk;
                }
                double c = Sigmoid(zf) * c2[j] + Sigmoid(zi) * Math.Tanh(zg);
                c2[j] = c;
                next[j] = Sigmoid(zo) * Math.Tanh(c);
            }
            for (int j = 0; j < hidden; j++)
            {
                h2[j] = next[j];
                double e = next[j] - 0.5;
                loss += 0.5 * e * e;
            }
        }
        return loss;
    }
}
