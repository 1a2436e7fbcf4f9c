using System;

namespace Backprop.Symbolic.GradientChecking;

/// <summary>
/// Numerical derivatives by central differences, for checking a generated gradient.
/// The error of a central difference is O(h²) from truncation plus O(ε/h) from rounding;
/// the default step balances the two for <see cref="double"/>.
/// </summary>
public static class FiniteDifferences
{
    /// <summary>The default relative step: the cube root of double's machine epsilon, about 6e-6.</summary>
    public const double DefaultStep = 6.0554544523933395e-06;

    /// <summary>
    /// Central-difference gradient of <paramref name="f"/> at <paramref name="x"/>, written into
    /// <paramref name="gradient"/>. Each coordinate is stepped by <c>h·max(1, |xᵢ|)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The gradient buffer's length differs from the point's.</exception>
    public static void Gradient(Func<double[], double> f, ReadOnlySpan<double> x, Span<double> gradient, double h = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (gradient.Length != x.Length)
        {
            throw new ArgumentException($"The gradient buffer has length {gradient.Length} but the point has {x.Length} coordinates; pass a buffer of length {x.Length}.", nameof(gradient));
        }
        if (!(h > 0) || double.IsInfinity(h))
        {
            throw new ArgumentOutOfRangeException(nameof(h), h, "The step must be a positive finite number.");
        }

        double[] probe = x.ToArray();
        for (int i = 0; i < probe.Length; i++)
        {
            double xi = probe[i];
            double step = h * Math.Max(1.0, Math.Abs(xi));
            probe[i] = xi + step;
            double up = f(probe);
            probe[i] = xi - step;
            double down = f(probe);
            probe[i] = xi;
            gradient[i] = (up - down) / (2 * step);
        }
    }

    /// <summary>Central-difference gradient of <paramref name="f"/> at <paramref name="x"/>.</summary>
    public static double[] Gradient(Func<double[], double> f, ReadOnlySpan<double> x, double h = DefaultStep)
    {
        var gradient = new double[x.Length];
        Gradient(f, x, gradient, h);
        return gradient;
    }

    /// <summary>Central-difference derivative of a function of one variable.</summary>
    public static double Derivative(Func<double, double> f, double x, double h = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        double step = h * Math.Max(1.0, Math.Abs(x));
        return (f(x + step) - f(x - step)) / (2 * step);
    }
}
