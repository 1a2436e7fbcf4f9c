using System;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;
using BenchmarkDotNet.Attributes;
using static Backprop.Symbolic.Tensors.Tensor;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// A dense layer, swish and a log-cosh loss, twice: once with the swish layer and the loss supplied by hand
/// ([CustomGradient], their own vectorized kernels), once written with generated operations only.
/// </summary>
public static partial class CustomObjectives
{
    private const float Ln2 = 0.6931471805599453f;

    [CustomGradient(nameof(SwishPullback), Tangent = nameof(SwishDerivative), Value = nameof(SwishValue))]
    public static Tensor Swish(Tensor x, float beta) => x * Sigmoid(x * beta);

    public static Tensor SwishValue(Tensor x, float beta)
    {
        Tensor y = Tape.Current.RentTensor(x.Shape);
        Sigmoids(x, beta, y);
        TensorPrimitives.Multiply(x.Span, y.Span, y.Span);
        return y;
    }

    public static void SwishPullback(Tensor x, float beta, Tensor dResult, Tensor dX, ref float dBeta)
    {
        Tensor s = Tape.Current.RentTensor(x.Shape);
        Sigmoids(x, beta, s);
        ReadOnlySpan<float> xs = x.Span, ss = s.Span, dY = dResult.Span;
        Span<float> dXs = dX.IsDefault ? default : dX.Span;
        float sum = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            float slope = ss[i] * (1 - ss[i]);
            if (!dX.IsDefault)
            {
                dXs[i] += dY[i] * (ss[i] + beta * xs[i] * slope);
            }
            sum += dY[i] * xs[i] * xs[i] * slope;
        }
        dBeta += sum;
    }

    public static Tensor SwishDerivative(Tensor x, float beta, Tensor dX, float dBeta, out Tensor derivative)
    {
        Tensor y = Tape.Current.RentTensor(x.Shape);
        derivative = Tape.Current.RentTensor(x.Shape);
        Sigmoids(x, beta, y);
        ReadOnlySpan<float> xs = x.Span;
        Span<float> ys = y.Span, ts = derivative.Span;
        for (int i = 0; i < xs.Length; i++)
        {
            float s = ys[i], slope = s * (1 - s);
            ts[i] = (dX.IsDefault ? 0 : dX.Span[i]) * (s + beta * xs[i] * slope) + dBeta * xs[i] * xs[i] * slope;
            ys[i] = xs[i] * s;
        }
        return y;
    }

    private static void Sigmoids(Tensor x, float beta, Tensor s)
    {
        TensorPrimitives.Multiply(x.Span, beta, s.Span);
        TensorPrimitives.Sigmoid(s.Span, s.Span);
    }

    [CustomGradient(nameof(LogCoshGradient))]
    public static float LogCosh(Tensor prediction, Tensor target)
    {
        ReadOnlySpan<float> p = prediction.Span, t = target.Span;
        float sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            float d = MathF.Abs(p[i] - t[i]);
            sum += d + MathF.Log(1 + MathF.Exp(-2 * d)) - Ln2;
        }
        return sum / p.Length;
    }

    public static float LogCoshGradient(Tensor prediction, Tensor target, Tensor dPrediction, Tensor dTarget)
    {
        Span<float> d = dPrediction.Span;
        TensorPrimitives.Subtract(prediction.Span, target.Span, d);
        float sum = 0;
        for (int i = 0; i < d.Length; i++)
        {
            float a = MathF.Abs(d[i]);
            sum += a + MathF.Log(1 + MathF.Exp(-2 * a)) - Ln2;
        }
        TensorPrimitives.Tanh(d, d);
        TensorPrimitives.Multiply(d, 1f / d.Length, d);
        TensorPrimitives.Negate(d, dTarget.Span);
        return sum / d.Length;
    }

    [Differentiable(nameof(w), nameof(b), nameof(beta))]
    public static float Custom(Tensor x, Tensor y, Tensor w, Tensor b, float beta) => LogCosh(Swish(MatMul(x, w) + b, beta), y);

    [Differentiable(nameof(w), nameof(b), nameof(beta))]
    public static float Generated(Tensor x, Tensor y, Tensor w, Tensor b, float beta)
    {
        Tensor h = MatMul(x, w) + b;
        Tensor d = h * Sigmoid(h * beta) - y;
        return Mean(Softplus(2f * d) - d) - Ln2;
    }
}

/// <summary>
/// <see cref="CustomObjectives.Custom"/> (hand-supplied swish and log-cosh) against <see cref="CustomObjectives.Generated"/>
/// (the baseline: the same network in generated operations), in both modes. Size: inputs-outputs × batch.
/// </summary>
[MemoryDiagnoser]
public class CustomGradientBenchmarks
{
    private Tensor _x, _y, _w, _b, _dW, _dB;
    private const float Beta = 1.2f;
    private float _sink;

    [Params("256-256x64")]
    public string Size { get; set; } = "256-256x64";

    public float Sink => _sink;

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Size.Split('x');
        string[] layers = parts[0].Split('-');
        int inputs = int.Parse(layers[0]), outputs = int.Parse(layers[1]), batch = int.Parse(parts[1]);
        var random = new Random(7);
        Tensor Fill(double scale, params int[] shape)
        {
            Tensor t = Zeros(shape);
            Span<float> s = t.Span;
            for (int i = 0; i < s.Length; i++)
            {
                s[i] = (float)((random.NextDouble() * 2 - 1) * scale);
            }
            return t;
        }
        _x = Fill(1, batch, inputs);
        _y = Fill(1, batch, outputs);
        _w = Fill(1 / Math.Sqrt(inputs), inputs, outputs);
        _b = Fill(0.1, outputs);
        _dW = Zeros(_w.Shape);
        _dB = Zeros(_b.Shape);

        // The two gradients must agree before they are timed.
        float generated = GeneratedGradient();
        float[] gW = _dW.ToArray(), gB = _dB.ToArray();
        float custom = CustomGradient();
        if (Math.Abs(generated - custom) > 1e-4f * Math.Max(1, Math.Abs(generated)))
        {
            throw new InvalidOperationException($"Values differ: generated {generated}, custom {custom}.");
        }
        Compare(gW, _dW.ToArray(), "dW");
        Compare(gB, _dB.ToArray(), "dB");
    }

    private static void Compare(float[] generated, float[] custom, string name)
    {
        for (int i = 0; i < generated.Length; i++)
        {
            if (Math.Abs(generated[i] - custom[i]) > 1e-4f * Math.Max(1e-2f, Math.Abs(generated[i])))
            {
                throw new InvalidOperationException($"{name}[{i}] differs: generated {generated[i]}, custom {custom[i]}.");
            }
        }
    }

    [Benchmark(Baseline = true)]
    public float GeneratedGradient() => _sink = CustomObjectives.GeneratedGradient(_x, _y, _w, _b, Beta, _dW, _dB, out _);

    [Benchmark]
    public float CustomGradient() => _sink = CustomObjectives.CustomGradient(_x, _y, _w, _b, Beta, _dW, _dB, out _);

    [Benchmark]
    public float GeneratedDerivative() => _sink = CustomObjectives.GeneratedDerivative(_x, _y, _w, _b, Beta, _w, _b, 1f, out _);

    [Benchmark]
    public float CustomDerivative() => _sink = CustomObjectives.CustomDerivative(_x, _y, _w, _b, Beta, _w, _b, 1f, out _);
}
