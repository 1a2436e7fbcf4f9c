using System;
using Backprop.Symbolic.Tensors;
using BenchmarkDotNet.Attributes;
using static Backprop.Symbolic.Tensors.Tensor;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>A custom regulariser written as loops over tensor elements, and the same loop over a span.</summary>
public static partial class ElementLoopObjectives
{
    /// <summary>Σ_ij √(w_ij² + ε): a smooth |w|, read through the tensor's indexer.</summary>
    [Differentiable]
    public static float Penalty(Tensor w)
    {
        float s = 0f;
        for (int i = 0; i < w.Shape[0]; i++)
        {
            for (int j = 0; j < w.Shape[1]; j++)
            {
                s += MathF.Sqrt(w[i, j] * w[i, j] + 1e-6f);
            }
        }
        return s;
    }

    /// <summary>The same sum over the elements as a span: what the indexer's rank and index checks cost.</summary>
    [Differentiable]
    public static float PenaltyOfSpan(ReadOnlySpan<float> w)
    {
        float s = 0f;
        for (int k = 0; k < w.Length; k++)
        {
            s += MathF.Sqrt(w[k] * w[k] + 1e-6f);
        }
        return s;
    }

    /// <summary>The gradient by hand: one pass, w / √(w² + ε) written straight into the adjoint.</summary>
    public static float PenaltyHandWritten(Tensor w, Tensor dW)
    {
        ReadOnlySpan<float> values = w.Span;
        Span<float> adjoint = dW.Span;
        float s = 0f;
        for (int k = 0; k < values.Length; k++)
        {
            float r = MathF.Sqrt(values[k] * values[k] + 1e-6f);
            s += r;
            adjoint[k] = values[k] / r;
        }
        return s;
    }
}

/// <summary>
/// <see cref="ElementLoopObjectives.Penalty"/>'s generated gradient against its primal (the baseline, so Ratio reads
/// gradient / primal), against the hand-written gradient, and against the generated gradient of the same loop over a span.
/// </summary>
[MemoryDiagnoser]
public class ElementLoopBenchmarks
{
    private Tensor _w, _dW;
    private float[] _dSpan = [];
    private float _sink;

    [Params(64, 256)]
    public int Size { get; set; } = 64;

    public float Sink => _sink;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _w = Zeros(Size, Size);
        Span<float> values = _w.Span;
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = (float)(random.NextDouble() * 2 - 1);
        }
        _dW = Zeros(Size, Size);
        _dSpan = new float[Size * Size];

        // The gradients must agree before they are timed.
        Generated();
        float[] generated = _dW.ToArray();
        HandWritten();
        float[] hand = _dW.ToArray();
        GeneratedOverSpan();
        for (int k = 0; k < hand.Length; k++)
        {
            if (Math.Abs(generated[k] - hand[k]) > 1e-5f || Math.Abs(_dSpan[k] - hand[k]) > 1e-5f)
            {
                throw new InvalidOperationException($"dW[{k}]: generated {generated[k]}, over a span {_dSpan[k]}, hand-written {hand[k]}.");
            }
        }
    }

    [Benchmark(Baseline = true)]
    public void Primal() => _sink = ElementLoopObjectives.Penalty(_w);

    [Benchmark]
    public void Generated() => _sink = ElementLoopObjectives.PenaltyGradient(_w, _dW);

    [Benchmark]
    public void GeneratedOverSpan() => _sink = ElementLoopObjectives.PenaltyOfSpanGradient(_w.Span, _dSpan);

    [Benchmark]
    public void HandWritten() => _sink = ElementLoopObjectives.PenaltyHandWritten(_w, _dW);
}
