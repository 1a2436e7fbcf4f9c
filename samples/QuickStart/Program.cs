using System;
using System.Diagnostics;
using System.Globalization;

namespace QuickStart;

/// <summary>
/// Minimizes the Rosenbrock function from the classic start (−1.2, 1) by gradient descent with
/// (heavy-ball) momentum, using the gradient that Backprop.Symbolic generates at compile time.
/// </summary>
public static class Program
{
    private const double LearningRate = 1e-3;
    private const double Momentum = 0.9;
    private const double GradientTolerance = 1e-6;
    private const int MaxIterations = 100_000;
    private const int ReportEvery = 250;

    public static int Main()
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

        double x = -1.2, y = 1.0;
        double vx = 0.0, vy = 0.0;

        Console.WriteLine("Minimizing f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1)");
        Console.WriteLine($"gradient descent with momentum: learning rate {LearningRate}, momentum {Momentum}, stop when |grad f| < {GradientTolerance:0e0}");
        Console.WriteLine();
        string header = $"{"iteration",9}  {"f(x, y)",12}  {"|grad f|",12}  {"x",12}  {"y",12}";
        Console.WriteLine(header);
        Console.WriteLine(new string('-', header.Length));

        var clock = Stopwatch.StartNew();
        int iteration = 0;
        bool converged = false;
        double f, gradNorm;
        while (true)
        {
            // One call gives the value and both partial derivatives.
            f = Objectives.RosenbrockGradient(x, y, out double dX, out double dY);
            gradNorm = Math.Sqrt(dX * dX + dY * dY);

            converged = gradNorm < GradientTolerance;
            if (converged || iteration == MaxIterations || !double.IsFinite(f))
            {
                break;
            }
            if (iteration % ReportEvery == 0)
            {
                PrintRow(iteration, f, gradNorm, x, y);
            }

            vx = Momentum * vx - LearningRate * dX;
            vy = Momentum * vy - LearningRate * dY;
            x += vx;
            y += vy;
            iteration++;
        }
        clock.Stop();
        PrintRow(iteration, f, gradNorm, x, y);
        Console.WriteLine();

        double distance = Math.Sqrt((x - 1.0) * (x - 1.0) + (y - 1.0) * (y - 1.0));
        Console.WriteLine(converged
            ? $"Converged after {iteration} iterations ({clock.Elapsed.TotalMilliseconds:F1} ms)."
            : $"Did not converge: stopped after {iteration} iterations ({clock.Elapsed.TotalMilliseconds:F1} ms).");
        Console.WriteLine($"  {"final point (x, y)",-20}({x:R}, {y:R})");
        Console.WriteLine($"  {"f(x, y)",-20}{f.ToString(Sci)}");
        Console.WriteLine($"  {"|grad f(x, y)|",-20}{gradNorm.ToString(Sci)}");
        Console.WriteLine($"  {"distance to (1, 1)",-20}{distance.ToString(Sci)}");
        return converged ? 0 : 1;
    }

    private const string Sci = "0.0000e+00";

    private static void PrintRow(int iteration, double f, double gradNorm, double x, double y) =>
        Console.WriteLine($"{iteration,9}  {f.ToString(Sci),12}  {gradNorm.ToString(Sci),12}  {x,12:F8}  {y,12:F8}");
}
