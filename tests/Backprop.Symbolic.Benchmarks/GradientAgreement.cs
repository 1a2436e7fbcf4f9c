using System;
using System.Globalization;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// The <c>--verify</c> mode: at several points per objective, the generated gradient must equal the
/// hand-written one (to rounding) and both must agree with central finite differences. Run it before
/// trusting a benchmark: a fast gradient that is wrong measures nothing.
/// </summary>
public static class GradientAgreement
{
    /// <summary>Generated vs hand-written: same math, different operation order.</summary>
    private const double ExactTolerance = 1e-11;

    /// <summary>Analytic vs central differences: truncation and rounding error of the difference quotient.</summary>
    private const double NumericTolerance = 1e-6;

    private static int s_checks;
    private static int s_failures;

    public static int Run()
    {
        s_checks = 0;
        s_failures = 0;

        double[][] points2 = [[-1.2, 1.0], [1.0, 1.0], [0.3, -0.7], [2.5, 6.1], [-0.01, 0.02]];
        foreach (var p in points2)
        {
            double gv = Objectives.RosenbrockGradient(p[0], p[1], out double gx, out double gy);
            double hv = HandWritten.RosenbrockGradient(p[0], p[1], out double hx, out double hy);
            double nv = FiniteDifferenceGradients.Rosenbrock(p[0], p[1], out double nx, out double ny);
            Compare("Rosenbrock", p, Objectives.Rosenbrock(p[0], p[1]), [gv, gx, gy], [hv, hx, hy], [nv, nx, ny]);
        }

        double[][] points4 = [[0.7, -0.3, 1.1, 0.4], [0.0, 0.0, 0.0, 0.0], [-1.3, 0.9, -0.4, 2.2], [2.0, -1.5, 0.25, -0.8], [0.1, 3.0, -2.0, 1.0]];
        foreach (var p in points4)
        {
            double gv = Objectives.MixedGradient(p[0], p[1], p[2], p[3], out double g1, out double g2, out double g3, out double g4);
            double hv = HandWritten.MixedGradient(p[0], p[1], p[2], p[3], out double h1, out double h2, out double h3, out double h4);
            double nv = FiniteDifferenceGradients.Mixed(p[0], p[1], p[2], p[3], out double n1, out double n2, out double n3, out double n4);
            Compare("Mixed", p, Objectives.Mixed(p[0], p[1], p[2], p[3]), [gv, g1, g2, g3, g4], [hv, h1, h2, h3, h4], [nv, n1, n2, n3, n4]);
        }

        // Points on both sides of softplus's branch, in each layer.
        double[][] lossPoints = [[0.8, -0.2, 1.3, 0.1], [-2.0, -1.0, 0.5, -3.0], [1.5, 0.7, -2.0, 0.3], [0.0, 0.0, 0.0, 0.0], [3.0, -4.0, 2.0, -1.0]];
        foreach (var p in lossPoints)
        {
            double gv = Objectives.TwoLayerLossGradient(p[0], p[1], p[2], p[3], out double g1, out double g2, out double g3, out double g4);
            double hv = HandWritten.TwoLayerLossGradient(p[0], p[1], p[2], p[3], out double h1, out double h2, out double h3, out double h4);
            double nv = FiniteDifferenceGradients.TwoLayerLoss(p[0], p[1], p[2], p[3], out double n1, out double n2, out double n3, out double n4);
            Compare("TwoLayerLoss", p, Objectives.TwoLayerLoss(p[0], p[1], p[2], p[3]), [gv, g1, g2, g3, g4], [hv, h1, h2, h3, h4], [nv, n1, n2, n3, n4]);
        }

        foreach (double t in new[] { -30.0, -2.0, -1e-3, 0.0, 1e-3, 0.5, 4.0, 30.0 })
        {
            double gv = Objectives.SoftplusGradient(t, out double gt);
            double sigmoid = 1.0 / (1.0 + Math.Exp(-t));
            double numeric = (Objectives.Softplus(t + 1e-6) - Objectives.Softplus(t - 1e-6)) / 2e-6;
            Compare("Softplus", [t], Objectives.Softplus(t), [gv, gt], [Objectives.Softplus(t), sigmoid], [gv, numeric]);
        }

        var (loopChecks, loopFailures) = LoopGradientAgreement.Run();
        s_checks += loopChecks;
        s_failures += loopFailures;

        var (mlpChecks, mlpFailures) = Tensors.MlpGradientAgreement.Run();
        s_checks += mlpChecks;
        s_failures += mlpFailures;

        Console.WriteLine();
        Console.WriteLine(s_failures == 0
            ? $"verify: all {s_checks} comparisons agree (generated = hand-written within {ExactTolerance:0e0}, both = finite differences within {NumericTolerance:0e0})."
            : $"verify: {s_failures} of {s_checks} comparisons disagree.");
        return s_failures == 0 ? 0 : 1;
    }

    /// <summary>Entry 0 of each array is the value, the rest the partials in parameter order.</summary>
    private static void Compare(string name, double[] point, double primal, double[] generated, double[] handWritten, double[] numeric)
    {
        string at = name + "(" + string.Join(", ", Array.ConvertAll(point, v => v.ToString("R", CultureInfo.InvariantCulture))) + ")";
        Check(at, "value: generated vs primal", generated[0], primal, ExactTolerance);
        for (int i = 0; i < generated.Length; i++)
        {
            string what = i == 0 ? "value" : "partial " + i;
            Check(at, what + ": generated vs hand-written", generated[i], handWritten[i], ExactTolerance);
            if (i > 0)
            {
                Check(at, what + ": generated vs finite differences", generated[i], numeric[i], NumericTolerance);
                Check(at, what + ": hand-written vs finite differences", handWritten[i], numeric[i], NumericTolerance);
            }
        }
        Console.WriteLine($"{at,-48} value {generated[0],12:G8}  gradient [{string.Join(", ", Array.ConvertAll(generated[1..], v => v.ToString("G8", CultureInfo.InvariantCulture)))}]");
    }

    private static void Check(string at, string what, double actual, double expected, double tolerance)
    {
        s_checks++;
        double error = Math.Abs(actual - expected) / Math.Max(1.0, Math.Max(Math.Abs(actual), Math.Abs(expected)));
        if (!(error <= tolerance))
        {
            s_failures++;
            Console.WriteLine($"MISMATCH at {at}, {what}: {actual:R} vs {expected:R} (relative error {error:E2} > {tolerance:0e0})");
        }
    }
}
