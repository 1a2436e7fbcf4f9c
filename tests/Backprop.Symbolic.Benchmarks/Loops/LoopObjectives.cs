using System;
using Backprop.Symbolic;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// Loop-heavy benchmarked functions over spans, written as a user would write them. The generator adds
/// <c>DotGradient</c>, <c>HornerGradient</c>, <c>RnnGradient</c> and <c>GaussianMixtureGradient</c> (reverse
/// mode, span adjoints written in full) and the matching <c>…Derivative</c> methods (forward mode).
/// </summary>
public static partial class LoopObjectives
{
    /// <summary>½ log 2π, the normalising constant of a standard normal density, per dimension.</summary>
    private const double HalfLogTwoPi = 0.91893853320467274178;

    /// <summary>(d) Dot product Σᵢ xᵢ yᵢ over the first <c>x.Length</c> elements.</summary>
    [Differentiable]
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }
        return sum;
    }

    /// <summary>
    /// (e) The polynomial Σₖ cₖ xᵏ with <c>coefficients[k]</c> = cₖ, evaluated by Horner's rule from the highest
    /// coefficient down.
    /// </summary>
    [Differentiable]
    public static double Horner(ReadOnlySpan<double> coefficients, double x)
    {
        double p = 0.0;
        for (int k = coefficients.Length - 1; k >= 0; k--)
        {
            p = p * x + coefficients[k];
        }
        return p;
    }

    /// <summary>
    /// (f) A scalar recurrent unit run over the inputs, hₜ = tanh(w hₜ₋₁ + u xₜ + b) with h₋₁ = 0, and the
    /// loss Σₜ hₜ². The inputs are data, not parameters.
    /// </summary>
    [Differentiable(nameof(w), nameof(u), nameof(b))]
    public static double Rnn(ReadOnlySpan<double> inputs, double w, double u, double b)
    {
        double h = 0.0;
        double loss = 0.0;
        for (int t = 0; t < inputs.Length; t++)
        {
            h = Math.Tanh(w * h + u * inputs[t] + b);
            loss += h * h;
        }
        return loss;
    }

    /// <summary>
    /// (g) Log-likelihood Σₙ log Σₖ πₖ 𝒩(xₙ | μₖ, diag σₖ²) of a mixture of K diagonal Gaussians in
    /// <paramref name="dimensions"/> dimensions. Arrays are flattened row-major: <paramref name="points"/> is
    /// N×D, <paramref name="means"/> and <paramref name="logSigmas"/> (log standard deviations) are K×D,
    /// <paramref name="logWeights"/> has K unnormalised log-weights, normalised here: πₖ = softmax(logWeights)ₖ,
    /// i.e. log πₖ = logWeightsₖ − log Σⱼ exp(logWeightsⱼ). Both log-sum-exps are shifted by their maximum.
    /// </summary>
    [Differentiable(nameof(means), nameof(logSigmas), nameof(logWeights))]
    public static double GaussianMixture(ReadOnlySpan<double> points, ReadOnlySpan<double> means,
        ReadOnlySpan<double> logSigmas, ReadOnlySpan<double> logWeights, int dimensions)
    {
        // log Σⱼ exp(logWeightsⱼ)
        double maxWeight = double.NegativeInfinity;
        for (int k = 0; k < logWeights.Length; k++)
        {
            maxWeight = Math.Max(maxWeight, logWeights[k]);
        }
        double weightSum = 0.0;
        for (int k = 0; k < logWeights.Length; k++)
        {
            weightSum += Math.Exp(logWeights[k] - maxWeight);
        }
        double logNormalizer = maxWeight + Math.Log(weightSum);

        // Per component: 1/σ for each dimension, and the part of the log-density that does not depend on the point.
        int components = logWeights.Length;
        double[] inverseSigma = new double[components * dimensions];
        double[] constant = new double[components];
        for (int k = 0; k < components; k++)
        {
            double c = logWeights[k] - logNormalizer;
            for (int d = 0; d < dimensions; d++)
            {
                double logSigma = logSigmas[k * dimensions + d];
                inverseSigma[k * dimensions + d] = Math.Exp(-logSigma);
                c -= logSigma + HalfLogTwoPi;
            }
            constant[k] = c;
        }

        // Per point: the component log-densities (overwritten for every point), then their log-sum-exp.
        double[] logDensity = new double[components];
        double total = 0.0;
        for (int n = 0; n < points.Length / dimensions; n++)
        {
            double maxLog = double.NegativeInfinity;
            for (int k = 0; k < components; k++)
            {
                double l = constant[k];
                for (int d = 0; d < dimensions; d++)
                {
                    double z = (points[n * dimensions + d] - means[k * dimensions + d]) * inverseSigma[k * dimensions + d];
                    l -= 0.5 * z * z;
                }
                logDensity[k] = l;
                maxLog = Math.Max(maxLog, l);
            }
            double sum = 0.0;
            for (int k = 0; k < components; k++)
            {
                sum += Math.Exp(logDensity[k] - maxLog);
            }
            total += maxLog + Math.Log(sum);
        }
        return total;
    }
}
