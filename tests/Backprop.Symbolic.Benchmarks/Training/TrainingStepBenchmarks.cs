using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;
using BenchmarkDotNet.Attributes;

namespace Backprop.Symbolic.Benchmarks.Tensors;

/// <summary>
/// A full training step of the benchmark MLP — forward, backward and an Adam update over one <see cref="ParameterSet"/> —
/// with the generated gradient and with the hand-written one (the baseline, so Ratio reads generated / hand-written),
/// and the Adam update alone, whose time over a step's is the optimizer's share.
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private ParameterSet _set = null!;
    private Parameter _a = null!, _b = null!, _c = null!, _d = null!;
    private Tensor _x;
    private int[] _y = [];
    private Adam _adam = null!;
    private float _sink;

    /// <summary>inputs-hidden-classes x batch.</summary>
    [Params("64-128-10x32", "784-256-10x64")]
    public string Size { get; set; } = "64-128-10x32";

    /// <summary>The last loss; written so nothing is dead.</summary>
    public float Sink => _sink;

    [GlobalSetup]
    public void Setup()
    {
        MlpProblem p = MlpProblem.Create(Size, seed: 20261129);
        _set = new ParameterSet();
        _a = _set.Add("a", p.A.Shape);
        _b = _set.Add("b", p.B.Shape);
        _c = _set.Add("c", p.C.Shape);
        _d = _set.Add("d", p.D.Shape);
        _set.Build();
        p.A.CopyTo(_a.Value);
        p.B.CopyTo(_b.Value);
        p.C.CopyTo(_c.Value);
        p.D.CopyTo(_d.Value);
        _x = p.X;
        _y = p.Labels;
        // A small rate keeps the parameters in range over the millions of steps a run takes.
        _adam = new Adam(1e-5f);
        _adam.Step(_set);
    }

    [Benchmark(Baseline = true)]
    public float HandWritten()
    {
        _sink = MlpHandWritten.LossGradient(_x, _y, _a.Value, _b.Value, _c.Value, _d.Value, _a.Gradient, _b.Gradient, _c.Gradient, _d.Gradient);
        _adam.Step(_set);
        return _sink;
    }

    [Benchmark]
    public float Generated()
    {
        _sink = TensorObjectives.MlpGradient(_x, _y, _a.Value, _b.Value, _c.Value, _d.Value, _a.Gradient, _b.Gradient, _c.Gradient, _d.Gradient);
        _adam.Step(_set);
        return _sink;
    }

    [Benchmark]
    public void AdamOnly() => _adam.Step(_set);
}
