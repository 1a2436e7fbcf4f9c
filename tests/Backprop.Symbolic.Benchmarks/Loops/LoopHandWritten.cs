using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// Reverse-mode gradients of <see cref="LoopObjectives"/> written by hand, with the signatures the generator
/// gives its own: the value returned, span adjoints overwritten in full, <c>out</c> adjoints for scalars.
/// Scratch storage comes from the stack (or, past <see cref="StackLimit"/> doubles, from the shared array
/// pool), so no call allocates.
/// </summary>
public static class LoopHandWritten
{
    /// <summary>Largest scratch buffer, in doubles, taken from the stack (8 KB).</summary>
    private const int StackLimit = 1024;

    /// <summary>½ log 2π, as in <see cref="LoopObjectives"/>.</summary>
    private const double HalfLogTwoPi = 0.91893853320467274178;

    /// <summary>∂/∂xᵢ = yᵢ, ∂/∂yᵢ = xᵢ (and 0 for elements of y past the length of x).</summary>
    public static double DotGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> dX, Span<double> dY)
    {
        RequireLength(dX, x.Length, nameof(dX));
        RequireLength(dY, y.Length, nameof(dY));
        int n = x.Length;
        ReadOnlySpan<double> yn = y.Slice(0, n);
        // Copies first: a sum live across the calls would be kept in memory inside its loop.
        yn.CopyTo(dX);
        x.CopyTo(dY);
        dY.Slice(n).Clear();
        double sum = 0.0;
        for (int i = 0; i < n; i++)
        {
            sum += x[i] * yn[i];
        }
        return sum;
    }

    /// <summary>
    /// ∂p/∂cₖ = xᵏ, and p′(x) by Horner's rule run alongside p's: p′ ← p′ x + p before p ← p x + cₖ.
    /// The powers of x fill the adjoint from the other end in the same loop (three independent chains).
    /// </summary>
    public static double HornerGradient(ReadOnlySpan<double> coefficients, double x, Span<double> dCoefficients, out double dX)
    {
        RequireLength(dCoefficients, coefficients.Length, nameof(dCoefficients));
        int last = coefficients.Length - 1;
        double p = 0.0;
        double dp = 0.0;
        double power = 1.0;
        for (int k = last; k >= 0; k--)
        {
            dp = dp * x + p;
            p = p * x + coefficients[k];
            dCoefficients[last - k] = power;
            power *= x;
        }
        dX = dp;
        return p;
    }

    /// <summary>
    /// Backpropagation through time. The forward sweep keeps every hₜ; the backward sweep carries
    /// ḡ = ∂L/∂hₜ: ḡ += 2hₜ, ∂L/∂aₜ = ḡ (1 − hₜ²), then w̄ += ∂L/∂aₜ hₜ₋₁, ū += ∂L/∂aₜ xₜ, b̄ += ∂L/∂aₜ and
    /// ḡ ← ∂L/∂aₜ w for step t − 1.
    /// </summary>
    public static double RnnGradient(ReadOnlySpan<double> inputs, double w, double u, double b,
        out double dW, out double dU, out double dB)
    {
        int steps = inputs.Length;
        double[]? rented = null;
        Span<double> hs = steps <= StackLimit
            ? stackalloc double[steps]
            : (rented = ArrayPool<double>.Shared.Rent(steps)).AsSpan(0, steps);

        double h = 0.0;
        double loss = 0.0;
        for (int t = 0; t < steps; t++)
        {
            h = Math.Tanh(w * h + u * inputs[t] + b);
            hs[t] = h;
            loss += h * h;
        }

        double gh = 0.0, gw = 0.0, gu = 0.0, gb = 0.0;
        for (int t = steps - 1; t >= 0; t--)
        {
            double ht = hs[t];
            gh += 2.0 * ht;
            double ga = gh * (1.0 - ht * ht);
            if (t > 0)
            {
                gw += ga * hs[t - 1];
            }
            gu += ga * inputs[t];
            gb += ga;
            gh = ga * w;
        }

        if (rented is not null)
        {
            ArrayPool<double>.Shared.Return(rented);
        }
        dW = gw;
        dU = gu;
        dB = gb;
        return loss;
    }

    /// <summary>
    /// With lₙₖ = log πₖ + log 𝒩(xₙ | μₖ, σₖ), zₙₖ = (xₙ − μₖ)/σₖ and responsibilities rₙₖ = exp(lₙₖ − LSEₖ′ lₙₖ′):
    /// ∂/∂μₖ = Σₙ rₙₖ zₙₖ / σₖ, ∂/∂log σₖ = Σₙ rₙₖ (zₙₖ² − 1), ∂/∂logWeightsₖ = Σₙ rₙₖ − N πₖ.
    /// Per call, 1/σ and each component's constant part log πₖ − Σ log σ − D·½ log 2π are computed once;
    /// per point, each lₙₖ and each zₙₖ once, cached for the backward pass.
    /// </summary>
    public static double GaussianMixtureGradient(ReadOnlySpan<double> points, ReadOnlySpan<double> means,
        ReadOnlySpan<double> logSigmas, ReadOnlySpan<double> logWeights, int dimensions,
        Span<double> dMeans, Span<double> dLogSigmas, Span<double> dLogWeights)
    {
        RequireLength(dMeans, means.Length, nameof(dMeans));
        RequireLength(dLogSigmas, logSigmas.Length, nameof(dLogSigmas));
        RequireLength(dLogWeights, logWeights.Length, nameof(dLogWeights));
        int components = logWeights.Length;
        int count = points.Length / dimensions;
        int cells = components * dimensions;

        int size = 2 * cells + 2 * components;
        double[]? rented = null;
        Span<double> scratch = size <= StackLimit
            ? stackalloc double[size]
            : (rented = ArrayPool<double>.Shared.Rent(size)).AsSpan(0, size);
        Span<double> invSigma = scratch.Slice(0, cells);
        Span<double> z = scratch.Slice(cells, cells);
        Span<double> offset = scratch.Slice(2 * cells, components);
        Span<double> density = scratch.Slice(2 * cells + components, components);

        // log Σⱼ exp(logWeightsⱼ), shifted by the largest.
        double maxWeight = double.NegativeInfinity;
        for (int k = 0; k < components; k++)
        {
            maxWeight = Math.Max(maxWeight, logWeights[k]);
        }
        double weightSum = 0.0;
        for (int k = 0; k < components; k++)
        {
            weightSum += Math.Exp(logWeights[k] - maxWeight);
        }
        double logNormalizer = maxWeight + Math.Log(weightSum);

        // The parts of lₙₖ that do not depend on the point.
        for (int k = 0; k < components; k++)
        {
            double c = logWeights[k] - logNormalizer;
            for (int d = 0; d < dimensions; d++)
            {
                int j = k * dimensions + d;
                double logSigma = logSigmas[j];
                invSigma[j] = Math.Exp(-logSigma);
                c -= logSigma + HalfLogTwoPi;
            }
            offset[k] = c;
        }

        dMeans.Clear();
        dLogSigmas.Clear();
        dLogWeights.Clear(); // accumulates Σₙ rₙₖ
        double total = 0.0;
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<double> x = points.Slice(n * dimensions, dimensions);
            double maxLog = double.NegativeInfinity;
            for (int k = 0; k < components; k++)
            {
                double q = 0.0;
                for (int d = 0; d < dimensions; d++)
                {
                    int j = k * dimensions + d;
                    double zj = (x[d] - means[j]) * invSigma[j];
                    z[j] = zj;
                    q += zj * zj;
                }
                double l = offset[k] - 0.5 * q;
                density[k] = l;
                maxLog = Math.Max(maxLog, l);
            }

            double sum = 0.0;
            for (int k = 0; k < components; k++)
            {
                double e = Math.Exp(density[k] - maxLog);
                density[k] = e;
                sum += e;
            }
            total += maxLog + Math.Log(sum);

            // Backward: ∂/∂lₙₖ = rₙₖ.
            double invSum = 1.0 / sum;
            for (int k = 0; k < components; k++)
            {
                double r = density[k] * invSum;
                dLogWeights[k] += r;
                for (int d = 0; d < dimensions; d++)
                {
                    int j = k * dimensions + d;
                    double rz = r * z[j];
                    dMeans[j] += rz * invSigma[j];
                    dLogSigmas[j] += rz * z[j];
                }
            }
        }

        // The −log σ terms (−Σₙ rₙₖ each) and the weights' normaliser (−N πₖ).
        for (int k = 0; k < components; k++)
        {
            double responsibility = dLogWeights[k];
            for (int d = 0; d < dimensions; d++)
            {
                dLogSigmas[k * dimensions + d] -= responsibility;
            }
            dLogWeights[k] = responsibility - count * Math.Exp(logWeights[k] - logNormalizer);
        }

        if (rented is not null)
        {
            ArrayPool<double>.Shared.Return(rented);
        }
        return total;
    }

    private static void RequireLength(Span<double> adjoint, int length, string name)
    {
        if (adjoint.Length != length)
        {
            ThrowLengthMismatch(adjoint.Length, length, name);
        }
    }

    /// <summary>Out of line: the message formatting stays out of the gradients' code.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthMismatch(int actual, int length, string name)
    {
        throw new ArgumentException($"The adjoint buffer has length {actual} but its parameter has {length} elements.", name);
    }
}
