using System;
using Backprop.Symbolic.Benchmarks.Tensors;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using BenchmarkDotNet.Attributes;
using static Backprop.Symbolic.Tensors.Tensor;

namespace Backprop.Symbolic.Benchmarks.Instruments;

/// <summary>The benchmark MLP of <c>TensorGradientBenchmarks</c>, instrumented.</summary>
public static partial class InstrumentedObjectives
{
    [Differentiable(nameof(a), nameof(b), nameof(c), nameof(d), Instrumented = true)]
    public static float Mlp(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d)
    {
        Tensor h = Tanh(MatMul(x, a) + b);
        return SoftmaxCrossEntropy(MatMul(h, c) + d, y);
    }
}

/// <summary>
/// What the instruments cost a training step: the MLP's gradient without a sink (the baseline, the code a
/// non-instrumented method gets), with a null sink, and reporting to an <see cref="ActivationRecorder"/> (statistics
/// of the hidden activation, the norm of its adjoint); and a <see cref="GradientMonitor"/> measuring every parameter's
/// gradient and value norms. Sizes: inputs-hidden-classes × batch.
/// </summary>
[MemoryDiagnoser]
public class InstrumentBenchmarks
{
    private MlpProblem _p = null!;
    private ActivationRecorder _recorder = null!;
    private GradientMonitor _monitor = null!;

    [Params("64-128-10x32", "784-256-10x64")]
    public string Size { get; set; } = "64-128-10x32";

    [GlobalSetup]
    public void Setup()
    {
        _p = MlpProblem.Create(Size, 42);
        _recorder = new ActivationRecorder();
        var parameters = new ParameterSet();
        parameters.Add("a", _p.A.Shape);
        parameters.Add("b", _p.B.Shape);
        parameters.Add("c", _p.C.Shape);
        parameters.Add("d", _p.D.Shape);
        parameters.Build();
        _p.A.Span.CopyTo(parameters["a"].Value.Span);
        _p.C.Span.CopyTo(parameters["c"].Value.Span);
        _monitor = new GradientMonitor(parameters);
        Plain();
        _p.DA.Span.CopyTo(parameters["a"].Gradient.Span);
    }

    [Benchmark(Baseline = true)]
    public float Plain() => InstrumentedObjectives.MlpGradient(_p.X, _p.Labels, _p.A, _p.B, _p.C, _p.D, _p.DA, _p.DB, _p.DC, _p.DD);

    [Benchmark]
    public float NullSink() => InstrumentedObjectives.MlpGradient(_p.X, _p.Labels, _p.A, _p.B, _p.C, _p.D, _p.DA, _p.DB, _p.DC, _p.DD, null);

    [Benchmark]
    public float Recorder() => InstrumentedObjectives.MlpGradient(_p.X, _p.Labels, _p.A, _p.B, _p.C, _p.D, _p.DA, _p.DB, _p.DC, _p.DD, _recorder);

    [Benchmark]
    public double Monitor()
    {
        _monitor.Measure();
        return _monitor.GlobalGradientNorm;
    }
}
