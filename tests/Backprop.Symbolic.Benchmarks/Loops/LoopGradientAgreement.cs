using System;
using System.Globalization;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// The loop objectives' part of <c>--verify</c>: at a few inputs per objective of <see cref="LoopObjectives"/>,
/// the generated gradient must equal the hand-written one (to rounding), both must agree with central
/// finite differences, and the forward-mode <c>…Derivative</c> along three random directions must equal the
/// reverse gradient's inner product with the direction.
/// </summary>
internal static class LoopGradientAgreement
{
    /// <summary>Generated vs hand-written, forward vs reverse: same math, different operation order.</summary>
    private const double ExactTolerance = 1e-11;

    /// <summary>Analytic vs central differences: truncation and rounding error of the difference quotient.</summary>
    private const double NumericTolerance = 1e-6;

    /// <summary>Forward-mode directions per input.</summary>
    private const int Directions = 3;

    /// <summary>Mismatch lines printed per input; the rest are counted, not printed.</summary>
    private const int MaxPrintedPerInput = 20;

    private static int s_checks;
    private static int s_failures;
    private static int s_failuresHere;

    public static (int Checks, int Failures) Run()
    {
        s_checks = 0;
        s_failures = 0;
        var random = new Random(20240612);

        // (d) Dot: two inputs of the benchmarked length, and short and empty spans.
        foreach (int n in new[] { LoopGradientBenchmarks.DotLength, LoopGradientBenchmarks.DotLength, 17, 1, 0 })
        {
            double[] x = LoopBenchmarkData.Uniform(random, n, -1.0, 1.0);
            double[] y = LoopBenchmarkData.Uniform(random, n, -1.0, 1.0);
            string at = $"Dot(n = {n})";
            double[] gx = new double[n], gy = new double[n], hx = new double[n], hy = new double[n], nx = new double[n], ny = new double[n];
            double gv = LoopObjectives.DotGradient(x, y, gx, gy);
            double hv = LoopHandWritten.DotGradient(x, y, hx, hy);
            double nv = LoopFiniteDifferences.Dot(x, y, nx, ny);
            Compare(at, LoopObjectives.Dot(x, y), gv, hv, ["dX[]", "dY[]"], [gx, gy], [hx, hy], [nx, ny]);
            for (int j = 0; j < Directions; j++)
            {
                double[] vx = Direction(random, n), vy = Direction(random, n);
                double fv = LoopObjectives.DotDerivative(x, y, vx, vy, out double derivative);
                CompareForward(at, j, LoopObjectives.Dot(x, y), fv, derivative, [gx, gy], [vx, vy]);
            }
            Summary(at, gv, [gx, gy]);
        }

        // (e) Horner: degree 32 on both sides of |x| = 1 and at 0, and degrees 0 and 1.
        double[] coefficients = LoopBenchmarkData.Uniform(random, LoopGradientBenchmarks.HornerDegree + 1, -1.0, 1.0);
        (double[] C, double X)[] hornerInputs =
        [
            (coefficients, 0.9), (coefficients, -0.7), (coefficients, 1.05), (coefficients, -1.1), (coefficients, 0.0),
            ([0.75], 0.3), ([0.5, -2.0], -1.5),
        ];
        foreach (var (c, x) in hornerInputs)
        {
            int n = c.Length;
            string at = $"Horner(degree {n - 1}, x = {x.ToString("R", CultureInfo.InvariantCulture)})";
            double[] gc = new double[n], hc = new double[n], nc = new double[n];
            double gv = LoopObjectives.HornerGradient(c, x, gc, out double gx);
            double hv = LoopHandWritten.HornerGradient(c, x, hc, out double hx);
            double nv = LoopFiniteDifferences.Horner(c, x, nc, out double nx);
            Compare(at, LoopObjectives.Horner(c, x), gv, hv, ["dCoefficients[]", "dX"], [gc, [gx]], [hc, [hx]], [nc, [nx]]);
            for (int j = 0; j < Directions; j++)
            {
                double[] vc = Direction(random, n), vx = Direction(random, 1);
                double fv = LoopObjectives.HornerDerivative(c, x, vc, vx[0], out double derivative);
                CompareForward(at, j, LoopObjectives.Horner(c, x), fv, derivative, [gc, [gx]], [vc, vx]);
            }
            Summary(at, gv, [gc, [gx]]);
        }

        // (f) Rnn: 100 inputs, contracting and saturating weights; one step; no steps.
        double[] inputs = LoopBenchmarkData.Uniform(random, LoopGradientBenchmarks.RnnSteps, -1.0, 1.0);
        (double[] Inputs, double W, double U, double B)[] rnnInputs =
        [
            (inputs, 0.5, 0.8, 0.1), (inputs, -1.2, 0.3, -0.4), (inputs, 0.9, -1.5, 0.05), (inputs, 2.5, 1.0, 0.5),
            ([0.6], 0.7, -0.9, 0.2), ([], 0.7, -0.9, 0.2),
        ];
        foreach (var (xs, w, u, b) in rnnInputs)
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"Rnn({xs.Length} inputs, w = {w}, u = {u}, b = {b})");
            double gv = LoopObjectives.RnnGradient(xs, w, u, b, out double gw, out double gu, out double gb);
            double hv = LoopHandWritten.RnnGradient(xs, w, u, b, out double hw, out double hu, out double hb);
            double nv = LoopFiniteDifferences.Rnn(xs, w, u, b, out double nw, out double nu, out double nb);
            Compare(at, LoopObjectives.Rnn(xs, w, u, b), gv, hv, ["dW", "dU", "dB"], [[gw], [gu], [gb]], [[hw], [hu], [hb]], [[nw], [nu], [nb]]);
            for (int j = 0; j < Directions; j++)
            {
                double[] v = Direction(random, 3);
                double fv = LoopObjectives.RnnDerivative(xs, w, u, b, v[0], v[1], v[2], out double derivative);
                CompareForward(at, j, LoopObjectives.Rnn(xs, w, u, b), fv, derivative, [[gw], [gu], [gb]], [[v[0]], [v[1]], [v[2]]]);
            }
            Summary(at, gv, [[gw], [gu], [gb]]);
        }

        // (g) Gaussian mixture: the benchmarked size twice, a small one, and points scattered far from
        // narrow components (σ ≈ 0.04–0.1), where most points have every lₙₖ < −745: exp(lₙₖ) underflows to 0
        // unless shifted by the maximum.
        (int N, int K, int D, bool Far)[] mixtureSizes =
        [
            (LoopGradientBenchmarks.MixturePoints, LoopGradientBenchmarks.MixtureComponents, LoopGradientBenchmarks.MixtureDimensions, false),
            (LoopGradientBenchmarks.MixturePoints, LoopGradientBenchmarks.MixtureComponents, LoopGradientBenchmarks.MixtureDimensions, false),
            (7, 2, 2, false),
            (4, 5, 3, true),
        ];
        foreach (var (count, components, dimensions, far) in mixtureSizes)
        {
            LoopBenchmarkData.Mixture(random, count, components, dimensions, out double[] points, out double[] means, out double[] logSigmas, out double[] logWeights);
            if (far)
            {
                for (int i = 0; i < logSigmas.Length; i++)
                {
                    logSigmas[i] -= 2.6;
                }
                for (int i = 0; i < points.Length; i++)
                {
                    points[i] = 5.0 * (2.0 * random.NextDouble() - 1.0);
                }
            }
            string at = $"GaussianMixture(N = {count}, K = {components}, D = {dimensions}{(far ? ", far" : "")})";
            double[] gm = new double[means.Length], gs = new double[logSigmas.Length], gw = new double[logWeights.Length];
            double[] hm = new double[means.Length], hs = new double[logSigmas.Length], hw = new double[logWeights.Length];
            double[] nm = new double[means.Length], ns = new double[logSigmas.Length], nw = new double[logWeights.Length];
            double gv = LoopObjectives.GaussianMixtureGradient(points, means, logSigmas, logWeights, dimensions, gm, gs, gw);
            double hv = LoopHandWritten.GaussianMixtureGradient(points, means, logSigmas, logWeights, dimensions, hm, hs, hw);
            double nv = LoopFiniteDifferences.GaussianMixture(points, means, logSigmas, logWeights, dimensions, nm, ns, nw);
            double primal = LoopObjectives.GaussianMixture(points, means, logSigmas, logWeights, dimensions);
            Compare(at, primal, gv, hv, ["dMeans[]", "dLogSigmas[]", "dLogWeights[]"], [gm, gs, gw], [hm, hs, hw], [nm, ns, nw]);
            for (int j = 0; j < Directions; j++)
            {
                double[] vm = Direction(random, means.Length), vs = Direction(random, logSigmas.Length), vw = Direction(random, logWeights.Length);
                double fv = LoopObjectives.GaussianMixtureDerivative(points, means, logSigmas, logWeights, dimensions, vm, vs, vw, out double derivative);
                CompareForward(at, j, primal, fv, derivative, [gm, gs, gw], [vm, vs, vw]);
            }
            Summary(at, gv, [gm, gs, gw]);
        }

        // (h) LSTM: the benchmarked shape, a short sequence, and large weights that saturate the gates.
        (int Steps, int Inputs, int Hidden, double Scale)[] lstmShapes =
        [
            (LoopGradientBenchmarks.LstmSteps, LoopGradientBenchmarks.LstmInputs, LoopGradientBenchmarks.LstmHidden, 0.5),
            (3, 2, 3, 0.5),
            (4, 3, 2, 3.0),
        ];
        foreach (var (steps, inputCount, hidden, scale) in lstmShapes)
        {
            double[] x = LoopBenchmarkData.Uniform(random, steps * inputCount, -1.0, 1.0);
            double[] w = LoopBenchmarkData.Uniform(random, LoopGradientBenchmarks.LstmWeights(inputCount, hidden), -scale, scale);
            string at = string.Create(CultureInfo.InvariantCulture, $"Lstm(T = {steps}, D = {inputCount}, H = {hidden}, |w| <= {scale})");
            double[] gw = new double[w.Length], hw = new double[w.Length], nw = new double[w.Length];
            double gv = LoopObjectives.LstmGradient(x, w, steps, inputCount, hidden, gw);
            double hv = LstmHandWritten.LstmGradient(x, w, steps, inputCount, hidden, hw);
            LoopFiniteDifferences.Lstm(x, w, steps, inputCount, hidden, nw);
            double primal = LoopObjectives.Lstm(x, w, steps, inputCount, hidden);
            Compare(at, primal, gv, hv, ["dW[]"], [gw], [hw], [nw]);
            for (int j = 0; j < Directions; j++)
            {
                double[] v = Direction(random, w.Length);
                double fv = LoopObjectives.LstmDerivative(x, w, steps, inputCount, hidden, v, out double derivative);
                CompareForward(at, j, primal, fv, derivative, [gw], [v]);
            }
            Summary(at, gv, [gw]);
        }

        return (s_checks, s_failures);
    }

    private static double[] Direction(Random random, int length) => LoopBenchmarkData.Uniform(random, length, -1.0, 1.0);

    /// <summary>
    /// Values, then each adjoint element by element. <paramref name="names"/> name the adjoints; a name ending
    /// in <c>[]</c> is a span, reported with the element's index.
    /// </summary>
    private static void Compare(string at, double primal, double generatedValue, double handWrittenValue,
        string[] names, double[][] generated, double[][] handWritten, double[][] numeric)
    {
        s_failuresHere = 0;
        Check(at, "value: generated vs primal", generatedValue, primal, ExactTolerance);
        Check(at, "value: hand-written vs primal", handWrittenValue, primal, ExactTolerance);
        for (int a = 0; a < names.Length; a++)
        {
            for (int i = 0; i < generated[a].Length; i++)
            {
                string what = names[a].EndsWith("[]", StringComparison.Ordinal) ? names[a][..^1] + i + "]" : names[a];
                Check(at, what + ": generated vs hand-written", generated[a][i], handWritten[a][i], ExactTolerance);
                Check(at, what + ": generated vs finite differences", generated[a][i], numeric[a][i], NumericTolerance);
                Check(at, what + ": hand-written vs finite differences", handWritten[a][i], numeric[a][i], NumericTolerance);
            }
        }
    }

    /// <summary>Forward mode along <paramref name="direction"/> against (reverse gradient) · direction.</summary>
    private static void CompareForward(string at, int index, double primal, double value, double derivative,
        double[][] gradient, double[][] direction)
    {
        double expected = 0.0, scale = 0.0;
        for (int a = 0; a < gradient.Length; a++)
        {
            for (int i = 0; i < gradient[a].Length; i++)
            {
                expected += gradient[a][i] * direction[a][i];
                scale += Math.Abs(gradient[a][i] * direction[a][i]);
            }
        }
        string what = $"forward mode, direction {index + 1}";
        Check(at, what + ": value vs primal", value, primal, ExactTolerance);
        Check(at, what + ": derivative vs gradient · direction", derivative, expected, ExactTolerance, scale);
    }

    private static void Summary(string at, double value, double[][] gradient)
    {
        double norm = 0.0;
        int count = 0;
        foreach (double[] block in gradient)
        {
            foreach (double g in block)
            {
                norm += g * g;
                count++;
            }
        }
        string hidden = s_failuresHere > MaxPrintedPerInput ? $"  ({s_failuresHere - MaxPrintedPerInput} more mismatches not shown)" : "";
        Console.WriteLine($"{at,-48} value {value,12:G8}  |gradient| {Math.Sqrt(norm),12:G8}  ({count} partials){hidden}");
    }

    /// <summary>
    /// Relative error against max(1, |actual|, |expected|, <paramref name="scale"/>); the scale is the size of
    /// the terms a sum cancelled, when that is larger.
    /// </summary>
    private static void Check(string at, string what, double actual, double expected, double tolerance, double scale = 0.0)
    {
        s_checks++;
        double error = Math.Abs(actual - expected) / Math.Max(Math.Max(1.0, scale), Math.Max(Math.Abs(actual), Math.Abs(expected)));
        if (!(error <= tolerance))
        {
            s_failures++;
            s_failuresHere++;
            if (s_failuresHere <= MaxPrintedPerInput)
            {
                Console.WriteLine($"MISMATCH at {at}, {what}: {actual:R} vs {expected:R} (relative error {error:E2} > {tolerance:0e0})");
            }
        }
    }
}
