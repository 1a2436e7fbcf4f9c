using System;
using System.Runtime.CompilerServices;
using Backprop.Symbolic.Kernels;
using BenchmarkDotNet.Attributes;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// Clearing a buffer right before native math, the pattern of every gradient over a per-sample hidden layer: clear the
/// layer's adjoint, then call <see cref="Math.Tanh"/> for each unit. <c>Span.Clear</c> stores with 512-bit registers on
/// an AVX-512 machine and returns without <c>vzeroupper</c>; <see cref="SpanKernels.Zero(Span{double})"/> stores with
/// 256-bit registers and ends with <c>vzeroupper</c>. On Intel processors, native non-VEX code that runs with the upper
/// register halves dirty pays a transition penalty on each instruction, so <c>SpanClearThenTanh</c> would be slower
/// than the baseline; on AMD Zen the two are the same. The ratio is the measurement: state the CPU with it.
/// </summary>
[MemoryDiagnoser]
public class ZeroingBenchmarks
{
    /// <summary>Units of the layer: doubles cleared, then tanh calls.</summary>
    [Params(32, 256)]
    public int Units { get; set; }

    private double[] _buffer = [];
    private double[] _inputs = [];

    [GlobalSetup]
    public void Setup()
    {
        _buffer = new double[Units];
        _inputs = new double[Units];
        var random = new Random(5);
        for (int i = 0; i < Units; i++)
        {
            _inputs[i] = 2 * random.NextDouble() - 1;
        }
    }

    [Benchmark(Baseline = true)]
    public double ZeroThenTanh()
    {
        SpanKernels.Zero(_buffer);
        return TanhSum();
    }

    [Benchmark]
    public double SpanClearThenTanh()
    {
        _buffer.AsSpan().Clear();
        return TanhSum();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private double TanhSum()
    {
        double sum = 0;
        double[] inputs = _inputs;
        double[] buffer = _buffer;
        for (int i = 0; i < inputs.Length; i++)
        {
            double t = Math.Tanh(inputs[i]);
            buffer[i] = t;
            sum += t;
        }
        return sum;
    }
}
