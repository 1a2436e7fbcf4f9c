using System;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// Central differences on the primal, two calls per coordinate, with the step
/// <c>h·max(1, |xᵢ|)</c> that <see cref="GradientChecking.FiniteDifferences"/> uses.
/// </summary>
public static class FiniteDifferenceGradients
{
    private const double H = GradientChecking.FiniteDifferences.DefaultStep;

    private static double Step(double v) => H * Math.Max(1.0, Math.Abs(v));

    public static double Rosenbrock(double x, double y, out double dX, out double dY)
    {
        double hx = Step(x), hy = Step(y);
        dX = (Objectives.Rosenbrock(x + hx, y) - Objectives.Rosenbrock(x - hx, y)) / (2.0 * hx);
        dY = (Objectives.Rosenbrock(x, y + hy) - Objectives.Rosenbrock(x, y - hy)) / (2.0 * hy);
        return Objectives.Rosenbrock(x, y);
    }

    public static double Mixed(double x, double y, double z, double w,
        out double dX, out double dY, out double dZ, out double dW)
    {
        double hx = Step(x), hy = Step(y), hz = Step(z), hw = Step(w);
        dX = (Objectives.Mixed(x + hx, y, z, w) - Objectives.Mixed(x - hx, y, z, w)) / (2.0 * hx);
        dY = (Objectives.Mixed(x, y + hy, z, w) - Objectives.Mixed(x, y - hy, z, w)) / (2.0 * hy);
        dZ = (Objectives.Mixed(x, y, z + hz, w) - Objectives.Mixed(x, y, z - hz, w)) / (2.0 * hz);
        dW = (Objectives.Mixed(x, y, z, w + hw) - Objectives.Mixed(x, y, z, w - hw)) / (2.0 * hw);
        return Objectives.Mixed(x, y, z, w);
    }

    public static double TwoLayerLoss(double w1, double b1, double w2, double b2,
        out double dW1, out double dB1, out double dW2, out double dB2)
    {
        double h1 = Step(w1), h2 = Step(b1), h3 = Step(w2), h4 = Step(b2);
        dW1 = (Objectives.TwoLayerLoss(w1 + h1, b1, w2, b2) - Objectives.TwoLayerLoss(w1 - h1, b1, w2, b2)) / (2.0 * h1);
        dB1 = (Objectives.TwoLayerLoss(w1, b1 + h2, w2, b2) - Objectives.TwoLayerLoss(w1, b1 - h2, w2, b2)) / (2.0 * h2);
        dW2 = (Objectives.TwoLayerLoss(w1, b1, w2 + h3, b2) - Objectives.TwoLayerLoss(w1, b1, w2 - h3, b2)) / (2.0 * h3);
        dB2 = (Objectives.TwoLayerLoss(w1, b1, w2, b2 + h4) - Objectives.TwoLayerLoss(w1, b1, w2, b2 - h4)) / (2.0 * h4);
        return Objectives.TwoLayerLoss(w1, b1, w2, b2);
    }
}
