using System;
using Backprop.Symbolic;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// The benchmarked functions, written as a user would write them. The generator adds
/// <c>RosenbrockGradient</c>, <c>MixedGradient</c>, <c>SoftplusGradient</c> and <c>TwoLayerLossGradient</c>.
/// </summary>
public static partial class Objectives
{
    /// <summary>(a) Rosenbrock's valley, f(x, y) = (1 − x)² + 100 (y − x²)².</summary>
    [Differentiable]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1.0 - x;
        double b = y - x * x;
        return a * a + 100.0 * b * b;
    }

    /// <summary>(b) Twenty terms mixing polynomials and transcendental functions of four variables.</summary>
    [Differentiable]
    public static double Mixed(double x, double y, double z, double w)
    {
        return x * y
            + Math.Sin(x) * Math.Exp(-y)
            + Math.Log(1.0 + z * z)
            + Math.Sqrt(1.0 + w * w) * x
            + Math.Tanh(x * z)
            + 0.5 * x * x * x
            - 2.0 * y * y
            + z * w
            + Math.Cos(y * w)
            + Math.Exp(0.1 * x * z)
            + 3.0 * x * x * y
            - y * z * w
            + Math.Sin(z + w)
            + Math.Log(2.0 + Math.Cos(x))
            + 0.25 * w * w * w * w
            + Math.Sqrt(x * x + y * y + 1.0)
            + Math.Tanh(y - w)
            + x * Math.Exp(-0.5 * z * z)
            + 1.5 * z
            + Math.Cos(x) * Math.Sin(y);
    }

    /// <summary>Numerically stable softplus, log(1 + eᵗ).</summary>
    [Differentiable]
    public static double Softplus(double t)
    {
        return t > 0.0 ? t + Math.Log(1.0 + Math.Exp(-t)) : Math.Log(1.0 + Math.Exp(t));
    }

    /// <summary>
    /// (c) Squared error of a two-layer chain of softplus units on the input 0.5 with target 1, plus an L2
    /// penalty: calls the [Differentiable] <see cref="Softplus"/> twice.
    /// </summary>
    [Differentiable]
    public static double TwoLayerLoss(double w1, double b1, double w2, double b2)
    {
        double h1 = Softplus(0.5 * w1 + b1);
        double h2 = Softplus(w2 * h1 + b2);
        double err = h2 - 1.0;
        return err * err + 0.01 * (w1 * w1 + w2 * w2);
    }
}
