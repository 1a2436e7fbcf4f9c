using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;
using Backprop.Symbolic.Training.Optimizers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Backprop.Symbolic.Benchmarks.Convolutions;

/// <summary>
/// A training step of the DigitsConv network (a minibatch of 32 images 1 × 8 × 8, 16 and 32 filters): the gradient —
/// hand-written (<see cref="CnnHandWritten"/>, the baseline of each group, so Ratio reads generated / hand-written),
/// generated from the one-method loss, generated from the loss composing a layer — alone and followed by an Adam update
/// over one <see cref="ParameterSet"/>. The set-up checks once that the three gradients agree.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[MinColumn]
public class CnnTrainingStepBenchmarks
{
    private const int Batch = 32, Filters1 = 16, Filters2 = 32, Classes = 10;

    private ParameterSet _set = null!;
    private Parameter _k1 = null!, _c1 = null!, _k2 = null!, _c2 = null!, _w = null!, _b = null!;
    private Tensor _x;
    private int[] _y = [];
    private Adam _adam = null!;
    private float _sink;

    /// <summary>The last loss; written so nothing is dead.</summary>
    public float Sink => _sink;

    [GlobalSetup]
    public void Setup()
    {
        _set = new ParameterSet();
        _k1 = _set.Add("k1", Initializer.HeNormal(1), Filters1, 1, 3, 3);
        _c1 = _set.Add("c1", Initializer.Constant(0.01f), Filters1);
        _k2 = _set.Add("k2", Initializer.HeNormal(2), Filters2, Filters1, 3, 3);
        _c2 = _set.Add("c2", Initializer.Constant(0.01f), Filters2);
        _w = _set.Add("w", Initializer.XavierNormal(3), Filters2 * 16, Classes);
        _b = _set.Add("b", Initializer.Zeros, Classes);
        _set.Build();
        var random = new Random(20261130);
        _x = Tensor.Zeros(Batch, 1, 8, 8);
        Span<float> pixels = _x.Span;
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = random.NextSingle();
        }
        _y = new int[Batch];
        for (int i = 0; i < Batch; i++)
        {
            _y[i] = random.Next(Classes);
        }
        AgreeOrThrow();
        // A small rate keeps the parameters in range over the many steps a run takes.
        _adam = new Adam(1e-5f);
        _adam.Step(_set);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("gradient")]
    public float HandWritten() => _sink = HandWrittenGradient();

    [Benchmark, BenchmarkCategory("gradient")]
    public float Generated() => _sink = GeneratedGradient();

    [Benchmark, BenchmarkCategory("gradient")]
    public float GeneratedLayered() => _sink = LayeredGradient();

    [Benchmark(Baseline = true), BenchmarkCategory("step")]
    public float HandWrittenStep()
    {
        _sink = HandWrittenGradient();
        _adam.Step(_set);
        return _sink;
    }

    [Benchmark, BenchmarkCategory("step")]
    public float GeneratedStep()
    {
        _sink = GeneratedGradient();
        _adam.Step(_set);
        return _sink;
    }

    [Benchmark, BenchmarkCategory("step")]
    public float GeneratedLayeredStep()
    {
        _sink = LayeredGradient();
        _adam.Step(_set);
        return _sink;
    }

    private float HandWrittenGradient() => CnnHandWritten.LossGradient(_x, _y, _k1.Value, _c1.Value, _k2.Value, _c2.Value, _w.Value, _b.Value,
        _k1.Gradient, _c1.Gradient, _k2.Gradient, _c2.Gradient, _w.Gradient, _b.Gradient);

    private float GeneratedGradient() => CnnObjective.FlatGradient(_x, _y, _k1.Value, _c1.Value, _k2.Value, _c2.Value, _w.Value, _b.Value,
        _k1.Gradient, _c1.Gradient, _k2.Gradient, _c2.Gradient, _w.Gradient, _b.Gradient);

    private float LayeredGradient() => CnnObjective.LayeredGradient(_x, _y, _k1.Value, _c1.Value, _k2.Value, _c2.Value, _w.Value, _b.Value,
        _k1.Gradient, _c1.Gradient, _k2.Gradient, _c2.Gradient, _w.Gradient, _b.Gradient);

    private void AgreeOrThrow()
    {
        float loss = HandWrittenGradient();
        float[] expected = _set.Gradients.ToArray();
        foreach ((string name, Func<float> gradient) in new (string, Func<float>)[] { ("generated", GeneratedGradient), ("generated, layered", LayeredGradient) })
        {
            _set.Gradients.Fill(float.NaN);
            float value = gradient();
            ReadOnlySpan<float> actual = _set.Gradients;
            bool agrees = Math.Abs(value - loss) <= 1e-5f * Math.Max(1f, Math.Abs(loss));
            for (int i = 0; agrees && i < expected.Length; i++)
            {
                agrees = Math.Abs(actual[i] - expected[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i]));
            }
            if (!agrees)
            {
                throw new InvalidOperationException($"The {name} gradient of the CNN disagrees with the hand-written one.");
            }
        }
    }
}
