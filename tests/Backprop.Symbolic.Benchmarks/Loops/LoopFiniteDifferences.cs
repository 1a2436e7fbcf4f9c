using System;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// Central differences on the primals of <see cref="LoopObjectives"/>, two calls per coordinate, with the
/// step <c>h·max(1, |xᵢ|)</c> that <see cref="GradientChecking.FiniteDifferences"/> uses; same signatures as
/// the generated gradients. For <c>--verify</c> only: each call copies its inputs to arrays.
/// </summary>
public static class LoopFiniteDifferences
{
    private const double H = GradientChecking.FiniteDifferences.DefaultStep;

    private static double Step(double v) => H * Math.Max(1.0, Math.Abs(v));

    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> dX, Span<double> dY)
    {
        double[] xs = x.ToArray(), ys = y.ToArray();
        Func<double> f = () => LoopObjectives.Dot(xs, ys);
        Differentiate(xs, dX, f);
        Differentiate(ys, dY, f);
        return f();
    }

    public static double Horner(ReadOnlySpan<double> coefficients, double x, Span<double> dCoefficients, out double dX)
    {
        double[] cs = coefficients.ToArray();
        Differentiate(cs, dCoefficients, () => LoopObjectives.Horner(cs, x));
        dX = Differentiate(x, v => LoopObjectives.Horner(cs, v));
        return LoopObjectives.Horner(cs, x);
    }

    public static double Lstm(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int steps, int inputs, int hidden, Span<double> dW)
    {
        double[] xs = x.ToArray(), ws = w.ToArray();
        Differentiate(ws, dW, () => LoopObjectives.Lstm(xs, ws, steps, inputs, hidden));
        return LoopObjectives.Lstm(xs, ws, steps, inputs, hidden);
    }

    public static double Rnn(ReadOnlySpan<double> inputs, double w, double u, double b,
        out double dW, out double dU, out double dB)
    {
        double[] xs = inputs.ToArray();
        dW = Differentiate(w, v => LoopObjectives.Rnn(xs, v, u, b));
        dU = Differentiate(u, v => LoopObjectives.Rnn(xs, w, v, b));
        dB = Differentiate(b, v => LoopObjectives.Rnn(xs, w, u, v));
        return LoopObjectives.Rnn(xs, w, u, b);
    }

    public static double GaussianMixture(ReadOnlySpan<double> points, ReadOnlySpan<double> means,
        ReadOnlySpan<double> logSigmas, ReadOnlySpan<double> logWeights, int dimensions,
        Span<double> dMeans, Span<double> dLogSigmas, Span<double> dLogWeights)
    {
        double[] xs = points.ToArray(), mu = means.ToArray(), ls = logSigmas.ToArray(), lw = logWeights.ToArray();
        Func<double> f = () => LoopObjectives.GaussianMixture(xs, mu, ls, lw, dimensions);
        Differentiate(mu, dMeans, f);
        Differentiate(ls, dLogSigmas, f);
        Differentiate(lw, dLogWeights, f);
        return f();
    }

    /// <summary>Steps each element of <paramref name="probe"/>, which <paramref name="f"/> reads, in turn.</summary>
    private static void Differentiate(double[] probe, Span<double> gradient, Func<double> f)
    {
        if (gradient.Length != probe.Length)
        {
            throw new ArgumentException($"The gradient buffer has length {gradient.Length} but its parameter has {probe.Length} elements.", nameof(gradient));
        }
        for (int i = 0; i < probe.Length; i++)
        {
            double xi = probe[i];
            double step = Step(xi);
            probe[i] = xi + step;
            double up = f();
            probe[i] = xi - step;
            double down = f();
            probe[i] = xi;
            gradient[i] = (up - down) / (2.0 * step);
        }
    }

    private static double Differentiate(double x, Func<double, double> f)
    {
        double step = Step(x);
        return (f(x + step) - f(x - step)) / (2.0 * step);
    }
}
