using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// For each objective: the primal alone (the baseline, so Ratio reads "gradient time / primal time"), the
/// generated gradient, the hand-written gradient and central finite differences.
/// </summary>
/// <remarks>
/// Each benchmark evaluates its function at <see cref="Points"/> fixed pseudo-random points read from arrays
/// and stores a result per point (<c>OperationsPerInvoke</c> divides the time back to one call). A single
/// call of a two-variable polynomial takes about a nanosecond, below what a lone invocation can resolve;
/// the varied inputs also keep the JIT from hoisting or folding the work, and the stores from dropping it.
/// Gradients store value + Σ partials, so every output is used.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class GradientBenchmarks
{
    /// <summary>Evaluations per benchmark invocation.</summary>
    public const int Points = 64;

    private const string RosenbrockCategory = "Rosenbrock";
    private const string MixedCategory = "Mixed20";
    private const string LossCategory = "SoftplusLoss";

    private readonly double[] _p1 = new double[Points];
    private readonly double[] _p2 = new double[Points];
    private readonly double[] _p3 = new double[Points];
    private readonly double[] _p4 = new double[Points];
    private readonly double[] _out = new double[Points];

    [GlobalSetup]
    public void Setup()
    {
        // Fixed seed: every run sees the same points. Inputs in [-2, 2] take both branches of softplus.
        var random = new Random(20240611);
        for (int i = 0; i < Points; i++)
        {
            _p1[i] = 4.0 * random.NextDouble() - 2.0;
            _p2[i] = 4.0 * random.NextDouble() - 2.0;
            _p3[i] = 4.0 * random.NextDouble() - 2.0;
            _p4[i] = 4.0 * random.NextDouble() - 2.0;
        }
    }

    // (a) Rosenbrock, 2 variables

    [Benchmark(Baseline = true, OperationsPerInvoke = Points, Description = "Primal"), BenchmarkCategory(RosenbrockCategory)]
    public void RosenbrockPrimal()
    {
        double[] x = _p1, y = _p2, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            o[i] = Objectives.Rosenbrock(x[i], y[i]);
        }
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "Generated"), BenchmarkCategory(RosenbrockCategory)]
    public void RosenbrockGenerated()
    {
        double[] x = _p1, y = _p2, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            double f = Objectives.RosenbrockGradient(x[i], y[i], out double dX, out double dY);
            o[i] = f + dX + dY;
        }
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "HandWritten"), BenchmarkCategory(RosenbrockCategory)]
    public void RosenbrockHandWritten()
    {
        double[] x = _p1, y = _p2, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            double f = HandWritten.RosenbrockGradient(x[i], y[i], out double dX, out double dY);
            o[i] = f + dX + dY;
        }
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "FiniteDifferences"), BenchmarkCategory(RosenbrockCategory)]
    public void RosenbrockFiniteDifferences()
    {
        double[] x = _p1, y = _p2, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            double f = FiniteDifferenceGradients.Rosenbrock(x[i], y[i], out double dX, out double dY);
            o[i] = f + dX + dY;
        }
    }

    // (b) twenty mixed terms, 4 variables

    [Benchmark(Baseline = true, OperationsPerInvoke = Points, Description = "Primal"), BenchmarkCategory(MixedCategory)]
    public void MixedPrimal()
    {
        double[] x = _p1, y = _p2, z = _p3, w = _p4, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            o[i] = Objectives.Mixed(x[i], y[i], z[i], w[i]);
        }
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "Generated"), BenchmarkCategory(MixedCategory)]
    public void MixedGenerated()
    {
        double[] x = _p1, y = _p2, z = _p3, w = _p4, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            double f = Objectives.MixedGradient(x[i], y[i], z[i], w[i], out double dX, out double dY, out double dZ, out double dW);
            o[i] = f + dX + dY + dZ + dW;
        }
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "HandWritten"), BenchmarkCategory(MixedCategory)]
    public void MixedHandWritten()
    {
        double[] x = _p1, y = _p2, z = _p3, w = _p4, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            double f = HandWritten.MixedGradient(x[i], y[i], z[i], w[i], out double dX, out double dY, out double dZ, out double dW);
            o[i] = f + dX + dY + dZ + dW;
        }
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "FiniteDifferences"), BenchmarkCategory(MixedCategory)]
    public void MixedFiniteDifferences()
    {
        double[] x = _p1, y = _p2, z = _p3, w = _p4, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            double f = FiniteDifferenceGradients.Mixed(x[i], y[i], z[i], w[i], out double dX, out double dY, out double dZ, out double dW);
            o[i] = f + dX + dY + dZ + dW;
        }
    }

    // (c) a loss calling the [Differentiable] Softplus twice, 4 variables

    [Benchmark(Baseline = true, OperationsPerInvoke = Points, Description = "Primal"), BenchmarkCategory(LossCategory)]
    public void LossPrimal()
    {
        double[] w1 = _p1, b1 = _p2, w2 = _p3, b2 = _p4, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            o[i] = Objectives.TwoLayerLoss(w1[i], b1[i], w2[i], b2[i]);
        }
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "Generated"), BenchmarkCategory(LossCategory)]
    public void LossGenerated()
    {
        double[] w1 = _p1, b1 = _p2, w2 = _p3, b2 = _p4, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            double f = Objectives.TwoLayerLossGradient(w1[i], b1[i], w2[i], b2[i], out double dW1, out double dB1, out double dW2, out double dB2);
            o[i] = f + dW1 + dB1 + dW2 + dB2;
        }
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "HandWritten"), BenchmarkCategory(LossCategory)]
    public void LossHandWritten()
    {
        double[] w1 = _p1, b1 = _p2, w2 = _p3, b2 = _p4, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            double f = HandWritten.TwoLayerLossGradient(w1[i], b1[i], w2[i], b2[i], out double dW1, out double dB1, out double dW2, out double dB2);
            o[i] = f + dW1 + dB1 + dW2 + dB2;
        }
    }

    [Benchmark(OperationsPerInvoke = Points, Description = "FiniteDifferences"), BenchmarkCategory(LossCategory)]
    public void LossFiniteDifferences()
    {
        double[] w1 = _p1, b1 = _p2, w2 = _p3, b2 = _p4, o = _out;
        for (int i = 0; i < o.Length; i++)
        {
            double f = FiniteDifferenceGradients.TwoLayerLoss(w1[i], b1[i], w2[i], b2[i], out double dW1, out double dB1, out double dW2, out double dB2);
            o[i] = f + dW1 + dB1 + dW2 + dB2;
        }
    }
}
