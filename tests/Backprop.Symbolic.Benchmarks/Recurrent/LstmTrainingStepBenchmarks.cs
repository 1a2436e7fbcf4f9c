using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;
using BenchmarkDotNet.Attributes;

namespace Backprop.Symbolic.Benchmarks.Recurrent;

/// <summary>
/// A training step of an LSTM classifier (8 inputs per step, hidden 32, 10 classes, batch 32) at sequence lengths 8 and
/// 64: the generated backpropagation through time of <see cref="RecurrentObjectives.LstmLoss"/> and the hand-written one
/// (<see cref="LstmHandWritten"/>, the baseline, so Ratio reads generated / hand-written), each followed by an Adam update.
/// The setup checks that the two gradients agree, so a fast wrong one cannot be measured.
/// </summary>
[MemoryDiagnoser]
public class LstmTrainingStepBenchmarks
{
    private const int Batch = 32, Features = 8, Hidden = 32, Classes = 10;

    private ParameterSet _set = null!;
    private Parameter _w = null!, _u = null!, _b = null!, _v = null!, _c = null!;
    private Tensor _xs, _state0;
    private int[] _labels = [];
    private Adam _adam = null!;
    private float _sink;

    [Params(8, 64)]
    public int Steps { get; set; } = 8;

    /// <summary>The last loss; written so nothing is dead.</summary>
    public float Sink => _sink;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261130);
        _set = new ParameterSet();
        _w = _set.Add("W", Features, 4 * Hidden);
        _u = _set.Add("U", Hidden, 4 * Hidden);
        _b = _set.Add("b", 4 * Hidden);
        _v = _set.Add("V", Hidden, Classes);
        _c = _set.Add("c", Classes);
        _set.Build();
        Fill(_set.Values, random, 0.2f);
        _xs = Tensor.Zeros(Steps, Batch, Features);
        Fill(_xs.Span, random, 1f);
        _state0 = Tensor.Zeros(Batch, 2 * Hidden);
        _labels = new int[Batch];
        for (int i = 0; i < Batch; i++)
        {
            _labels[i] = random.Next(Classes);
        }
        // A small rate keeps the parameters in range over the millions of steps a run takes.
        _adam = new Adam(1e-5f);
        CheckAgreement();
    }

    [Benchmark(Baseline = true)]
    public float HandWritten()
    {
        _sink = LstmHandWritten.LossGradient(_xs, _labels, _w.Value, _u.Value, _b.Value, _v.Value, _c.Value,
            _w.Gradient, _u.Gradient, _b.Gradient, _v.Gradient, _c.Gradient);
        _adam.Step(_set);
        return _sink;
    }

    [Benchmark]
    public float Generated()
    {
        _sink = RecurrentObjectives.LstmLossGradient(_xs, _labels, _state0, _w.Value, _u.Value, _b.Value, _v.Value, _c.Value,
            _w.Gradient, _u.Gradient, _b.Gradient, _v.Gradient, _c.Gradient);
        _adam.Step(_set);
        return _sink;
    }

    [Benchmark]
    public float GeneratedInline()
    {
        _sink = RecurrentObjectives.LstmLossInlineGradient(_xs, _labels, _state0, _w.Value, _u.Value, _b.Value, _v.Value, _c.Value,
            _w.Gradient, _u.Gradient, _b.Gradient, _v.Gradient, _c.Gradient);
        _adam.Step(_set);
        return _sink;
    }

    private void CheckAgreement()
    {
        float generated = RecurrentObjectives.LstmLossGradient(_xs, _labels, _state0, _w.Value, _u.Value, _b.Value, _v.Value, _c.Value,
            _w.Gradient, _u.Gradient, _b.Gradient, _v.Gradient, _c.Gradient);
        float[] expected = _set.Gradients.ToArray();
        float hand = LstmHandWritten.LossGradient(_xs, _labels, _w.Value, _u.Value, _b.Value, _v.Value, _c.Value,
            _w.Gradient, _u.Gradient, _b.Gradient, _v.Gradient, _c.Gradient);
        ReadOnlySpan<float> actual = _set.Gradients;
        for (int i = 0; i < expected.Length; i++)
        {
            if (MathF.Abs(actual[i] - expected[i]) > 1e-4f * MathF.Max(1f, MathF.Abs(expected[i])) || MathF.Abs(generated - hand) > 1e-4f)
            {
                throw new InvalidOperationException($"The hand-written LSTM gradient disagrees with the generated one at {i}: {actual[i]} vs {expected[i]} (losses {hand}, {generated}).");
            }
        }
    }

    private static void Fill(Span<float> values, Random random, float scale)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = scale * (float)((2 * random.NextDouble()) - 1);
        }
    }
}
