using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// For each loop objective of <see cref="LoopObjectives"/>: the primal alone (the baseline, so Ratio reads
/// "gradient time / primal time"), the generated gradient and the hand-written one
/// (<see cref="LoopHandWritten"/>). No finite differences: one coordinate costs two primal calls, so they
/// would take hundreds to thousands of primal times here and dominate the run.
/// </summary>
/// <remarks>
/// One call per invocation: even the cheapest objective (a degree-32 polynomial) takes tens of
/// nanoseconds. Inputs come from a fixed seed in <see cref="Setup"/>; adjoint buffers are preallocated
/// fields, so Allocated shows what the gradient itself allocates. Each benchmark stores value + a few
/// partials into a field, and the adjoints land in heap arrays, so no output is dead.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class LoopGradientBenchmarks
{
    public const int DotLength = 1000;
    public const int HornerDegree = 32;
    public const int RnnSteps = 100;
    public const int MixturePoints = 100;
    public const int MixtureComponents = 5;
    public const int MixtureDimensions = 3;
    public const int LstmSteps = 16;
    public const int LstmInputs = 8;
    public const int LstmHidden = 16;

    /// <summary>The number of weights of <see cref="LoopObjectives.Lstm"/>: two layers, four gates, rows of inputs + hidden + 1.</summary>
    public static int LstmWeights(int inputs, int hidden) => (4 * hidden * (inputs + hidden + 1)) + (4 * hidden * (hidden + hidden + 1));

    private const string DotCategory = "Dot";
    private const string HornerCategory = "Horner";
    private const string RnnCategory = "Rnn100";
    private const string MixtureCategory = "GaussianMixture";
    private const string LstmCategory = "Lstm";

    private double[] _x = [], _y = [], _dX = [], _dY = [];
    private double[] _coefficients = [], _dCoefficients = [];
    private double _hornerX;
    private double[] _inputs = [];
    private double _w, _u, _b;
    private double[] _points = [], _means = [], _logSigmas = [], _logWeights = [];
    private double[] _dMeans = [], _dLogSigmas = [], _dLogWeights = [];
    private double[] _lstmX = [], _lstmW = [], _dLstmW = [];
    private double _sink;

    /// <summary>The last benchmark's result; read by nobody, written so nothing is dead.</summary>
    public double Sink => _sink;

    [GlobalSetup]
    public void Setup()
    {
        // Fixed seed: every run sees the same inputs.
        var random = new Random(20240611);
        _x = LoopBenchmarkData.Uniform(random, DotLength, -1.0, 1.0);
        _y = LoopBenchmarkData.Uniform(random, DotLength, -1.0, 1.0);
        _dX = new double[DotLength];
        _dY = new double[DotLength];

        _coefficients = LoopBenchmarkData.Uniform(random, HornerDegree + 1, -1.0, 1.0);
        _dCoefficients = new double[HornerDegree + 1];
        _hornerX = LoopBenchmarkData.Uniform(random, 1, -1.0, 1.0)[0];

        _inputs = LoopBenchmarkData.Uniform(random, RnnSteps, -1.0, 1.0);
        _w = 0.5 + 0.5 * random.NextDouble();
        _u = 0.5 + 0.5 * random.NextDouble();
        _b = 0.2 * random.NextDouble() - 0.1;

        LoopBenchmarkData.Mixture(random, MixturePoints, MixtureComponents, MixtureDimensions,
            out _points, out _means, out _logSigmas, out _logWeights);
        _dMeans = new double[_means.Length];
        _dLogSigmas = new double[_logSigmas.Length];
        _dLogWeights = new double[_logWeights.Length];

        _lstmX = LoopBenchmarkData.Uniform(random, LstmSteps * LstmInputs, -1.0, 1.0);
        _lstmW = LoopBenchmarkData.Uniform(random, LstmWeights(LstmInputs, LstmHidden), -0.5, 0.5);
        _dLstmW = new double[_lstmW.Length];
    }

    // (h) two-layer LSTM, 16 steps of 8 inputs, 16 hidden units: 3712 weights

    [Benchmark(Baseline = true, Description = "Primal"), BenchmarkCategory(LstmCategory)]
    public void LstmPrimal()
    {
        _sink = LoopObjectives.Lstm(_lstmX, _lstmW, LstmSteps, LstmInputs, LstmHidden);
    }

    [Benchmark(Description = "Generated"), BenchmarkCategory(LstmCategory)]
    public void LstmGenerated()
    {
        double[] dW = _dLstmW;
        double f = LoopObjectives.LstmGradient(_lstmX, _lstmW, LstmSteps, LstmInputs, LstmHidden, dW);
        _sink = f + dW[0] + dW[dW.Length - 1];
    }

    [Benchmark(Description = "HandWritten"), BenchmarkCategory(LstmCategory)]
    public void LstmHandWrittenGradient()
    {
        double[] dW = _dLstmW;
        double f = LstmHandWritten.LstmGradient(_lstmX, _lstmW, LstmSteps, LstmInputs, LstmHidden, dW);
        _sink = f + dW[0] + dW[dW.Length - 1];
    }

    // (d) dot product, 2 × 1000 parameters

    [Benchmark(Baseline = true, Description = "Primal"), BenchmarkCategory(DotCategory)]
    public void DotPrimal()
    {
        _sink = LoopObjectives.Dot(_x, _y);
    }

    [Benchmark(Description = "Generated"), BenchmarkCategory(DotCategory)]
    public void DotGenerated()
    {
        double[] dX = _dX, dY = _dY;
        double f = LoopObjectives.DotGradient(_x, _y, dX, dY);
        _sink = f + dX[0] + dX[DotLength - 1] + dY[0] + dY[DotLength - 1];
    }

    [Benchmark(Description = "HandWritten"), BenchmarkCategory(DotCategory)]
    public void DotHandWritten()
    {
        double[] dX = _dX, dY = _dY;
        double f = LoopHandWritten.DotGradient(_x, _y, dX, dY);
        _sink = f + dX[0] + dX[DotLength - 1] + dY[0] + dY[DotLength - 1];
    }

    // (e) Horner's rule, degree 32: 33 coefficients and x

    [Benchmark(Baseline = true, Description = "Primal"), BenchmarkCategory(HornerCategory)]
    public void HornerPrimal()
    {
        _sink = LoopObjectives.Horner(_coefficients, _hornerX);
    }

    [Benchmark(Description = "Generated"), BenchmarkCategory(HornerCategory)]
    public void HornerGenerated()
    {
        double[] dC = _dCoefficients;
        double f = LoopObjectives.HornerGradient(_coefficients, _hornerX, dC, out double dX);
        _sink = f + dX + dC[0] + dC[HornerDegree];
    }

    [Benchmark(Description = "HandWritten"), BenchmarkCategory(HornerCategory)]
    public void HornerHandWritten()
    {
        double[] dC = _dCoefficients;
        double f = LoopHandWritten.HornerGradient(_coefficients, _hornerX, dC, out double dX);
        _sink = f + dX + dC[0] + dC[HornerDegree];
    }

    // (f) scalar tanh recurrence over 100 inputs: w, u, b

    [Benchmark(Baseline = true, Description = "Primal"), BenchmarkCategory(RnnCategory)]
    public void RnnPrimal()
    {
        _sink = LoopObjectives.Rnn(_inputs, _w, _u, _b);
    }

    [Benchmark(Description = "Generated"), BenchmarkCategory(RnnCategory)]
    public void RnnGenerated()
    {
        double f = LoopObjectives.RnnGradient(_inputs, _w, _u, _b, out double dW, out double dU, out double dB);
        _sink = f + dW + dU + dB;
    }

    [Benchmark(Description = "HandWritten"), BenchmarkCategory(RnnCategory)]
    public void RnnHandWritten()
    {
        double f = LoopHandWritten.RnnGradient(_inputs, _w, _u, _b, out double dW, out double dU, out double dB);
        _sink = f + dW + dU + dB;
    }

    // (g) Gaussian-mixture log-likelihood, 100 points, 5 components, 3 dimensions: 35 parameters

    [Benchmark(Baseline = true, Description = "Primal"), BenchmarkCategory(MixtureCategory)]
    public void MixturePrimal()
    {
        _sink = LoopObjectives.GaussianMixture(_points, _means, _logSigmas, _logWeights, MixtureDimensions);
    }

    [Benchmark(Description = "Generated"), BenchmarkCategory(MixtureCategory)]
    public void MixtureGenerated()
    {
        double[] dM = _dMeans, dS = _dLogSigmas, dW = _dLogWeights;
        double f = LoopObjectives.GaussianMixtureGradient(_points, _means, _logSigmas, _logWeights, MixtureDimensions, dM, dS, dW);
        _sink = f + dM[0] + dM[dM.Length - 1] + dS[0] + dS[dS.Length - 1] + dW[0] + dW[dW.Length - 1];
    }

    [Benchmark(Description = "HandWritten"), BenchmarkCategory(MixtureCategory)]
    public void MixtureHandWritten()
    {
        double[] dM = _dMeans, dS = _dLogSigmas, dW = _dLogWeights;
        double f = LoopHandWritten.GaussianMixtureGradient(_points, _means, _logSigmas, _logWeights, MixtureDimensions, dM, dS, dW);
        _sink = f + dM[0] + dM[dM.Length - 1] + dS[0] + dS[dS.Length - 1] + dW[0] + dW[dW.Length - 1];
    }
}

/// <summary>Fixed-seed inputs shared by <see cref="LoopGradientBenchmarks"/> and <see cref="LoopGradientAgreement"/>.</summary>
internal static class LoopBenchmarkData
{
    public static double[] Uniform(Random random, int length, double low, double high)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = low + (high - low) * random.NextDouble();
        }
        return values;
    }

    /// <summary>
    /// A mixture of <paramref name="components"/> diagonal Gaussians (means in [−2, 2], log σ in [−0.7, 0.3],
    /// log-weights in [−1, 1]) and <paramref name="count"/> points drawn from it, flattened row-major.
    /// </summary>
    public static void Mixture(Random random, int count, int components, int dimensions,
        out double[] points, out double[] means, out double[] logSigmas, out double[] logWeights)
    {
        means = Uniform(random, components * dimensions, -2.0, 2.0);
        logSigmas = Uniform(random, components * dimensions, -0.7, 0.3);
        logWeights = Uniform(random, components, -1.0, 1.0);
        points = new double[count * dimensions];
        for (int n = 0; n < count; n++)
        {
            int k = random.Next(components);
            for (int d = 0; d < dimensions; d++)
            {
                // Box–Muller: one standard normal from two uniforms.
                double normal = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
                int j = k * dimensions + d;
                points[n * dimensions + d] = means[j] + Math.Exp(logSigmas[j]) * normal;
            }
        }
    }
}
