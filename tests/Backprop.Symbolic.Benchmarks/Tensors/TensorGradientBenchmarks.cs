using System;
using Backprop.Symbolic.Tensors;
using BenchmarkDotNet.Attributes;
using static Backprop.Symbolic.Tensors.Tensor;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>A two-layer perceptron's loss over tensors: tanh hidden layer, softmax cross-entropy.</summary>
public static partial class TensorObjectives
{
    [Differentiable(nameof(a), nameof(b), nameof(c), nameof(d))]
    public static float Mlp(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d)
    {
        Tensor h = Tanh(MatMul(x, a) + b);
        return SoftmaxCrossEntropy(MatMul(h, c) + d, y);
    }
}

/// <summary>
/// The generated gradient of <see cref="TensorObjectives.Mlp"/> against a careful hand-written backpropagation of the
/// same network with the same kernels and workspace (<see cref="Tensors.MlpHandWritten"/>, the baseline, so Ratio reads generated / hand-written), and the eager primal.
/// Sizes: inputs-hidden-classes × batch.
/// </summary>
[MemoryDiagnoser]
public class TensorGradientBenchmarks
{
    private Tensor _x, _a, _b, _c, _d, _dA, _dB, _dC, _dD;
    private int[] _y = [];

    private float _sink;

    [Params("64-128-10x32", "784-256-10x64")]
    public string Size { get; set; } = "64-128-10x32";

    public float Sink => _sink;

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Size.Split('x');
        string[] layers = parts[0].Split('-');
        int inputs = int.Parse(layers[0]), hidden = int.Parse(layers[1]), classes = int.Parse(layers[2]), batch = int.Parse(parts[1]);
        var random = new Random(42);
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
        _a = Fill(1 / Math.Sqrt(inputs), inputs, hidden);
        _b = Fill(0.1, hidden);
        _c = Fill(1 / Math.Sqrt(hidden), hidden, classes);
        _d = Fill(0.1, classes);
        _y = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            _y[i] = random.Next(classes);
        }
        _dA = Zeros(_a.Shape);
        _dB = Zeros(_b.Shape);
        _dC = Zeros(_c.Shape);
        _dD = Zeros(_d.Shape);

        // The two gradients must agree before they are timed.
        float generated = Generated();
        float[][] g = { _dA.ToArray(), _dB.ToArray(), _dC.ToArray(), _dD.ToArray() };
        float hand = HandWritten();
        float[][] w = { _dA.ToArray(), _dB.ToArray(), _dC.ToArray(), _dD.ToArray() };
        if (Math.Abs(generated - hand) > 1e-4f * Math.Max(1, Math.Abs(hand)))
        {
            throw new InvalidOperationException($"Values differ: generated {generated}, hand-written {hand}.");
        }
        for (int p = 0; p < g.Length; p++)
        {
            for (int i = 0; i < g[p].Length; i++)
            {
                if (Math.Abs(g[p][i] - w[p][i]) > 1e-4f * Math.Max(1, Math.Abs(w[p][i])))
                {
                    throw new InvalidOperationException($"Adjoint {p}[{i}] differs: generated {g[p][i]}, hand-written {w[p][i]}.");
                }
            }
        }
    }

    [Benchmark]
    public float Primal() => _sink = TensorObjectives.Mlp(_x, _y, _a, _b, _c, _d);

    [Benchmark]
    public float Generated() => _sink = TensorObjectives.MlpGradient(_x, _y, _a, _b, _c, _d, _dA, _dB, _dC, _dD);

    [Benchmark(Baseline = true)]
    public float HandWritten() => _sink = Tensors.MlpHandWritten.LossGradient(_x, _y, _a, _b, _c, _d, _dA, _dB, _dC, _dD);

}
