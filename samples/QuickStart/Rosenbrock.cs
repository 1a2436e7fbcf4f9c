using Backprop.Symbolic;

namespace QuickStart;

public static partial class Objectives
{
    /// <summary>
    /// The Rosenbrock function f(x, y) = (1 − x)² + 100 (y − x²)²: a long, curved, narrow valley
    /// with its minimum f = 0 at (1, 1). The generator adds
    /// <c>RosenbrockGradient(double x, double y, out double dX, out double dY)</c>.
    /// </summary>
    [Differentiable]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1.0 - x;
        double b = y - x * x;
        return a * a + 100.0 * b * b;
    }
}
