using System;
using BenchmarkDotNet.Attributes;
using Backprop.Symbolic.GradientChecking;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;
using Backprop.Symbolic.Training.Optimizers;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// One optimizer step over the flat buffer of a 784-128-10 MLP's parameters (101,770 floats): the share of a
/// training step the update takes, and its allocation (0 B).
/// </summary>
[MemoryDiagnoser]
public class OptimizerStepBenchmarks
{
    private ParameterSet _parameters = null!;
    private Optimizer _optimizer = null!;

    /// <summary>The optimizer measured.</summary>
    [Params("Sgd", "Momentum", "RmsProp", "Adam", "AdamW")]
    public string Optimizer { get; set; } = "Adam";

    [GlobalSetup]
    public void Setup()
    {
        _parameters = new ParameterSet();
        _parameters.Add("W1", Initializer.HeNormal(seed: 1), 784, 128);
        _parameters.Add("b1", 128);
        _parameters.Add("W2", Initializer.XavierNormal(seed: 2), 128, 10);
        _parameters.Add("b2", 10);
        _parameters.Build();
        Initializer.Normal(0, 1e-3, seed: 3).Fill(_parameters.Gradients, TensorShape.Of(_parameters.ElementCount));
        _optimizer = Optimizer switch
        {
            "Sgd" => new Sgd(),
            "Momentum" => new Momentum(),
            "RmsProp" => new RmsProp(),
            "Adam" => new Adam(),
            _ => new AdamW(),
        };
        _optimizer.Step(_parameters);
    }

    [Benchmark]
    public void Step() => _optimizer.Step(_parameters);
}

/// <summary>
/// A data-parallel training step: the gradient of a 64-128-10 tanh MLP's mean cross-entropy over a batch of 512 rows
/// (hand-written backward sweep on the matrix-product kernel, workspace from the per-thread tape), computed by 1 or 2
/// workers, then an Adam step. Ratio against Workers = 1 is the speed-up.
/// </summary>
[MemoryDiagnoser]
public class DataParallelBenchmarks
{
    private const int Rows = 512;
    private const int Inputs = 64;
    private const int Hidden = 128;
    private const int Classes = 10;

    private ParameterSet _parameters = null!;
    private Parameter _w1 = null!;
    private Parameter _b1 = null!;
    private Parameter _w2 = null!;
    private Parameter _b2 = null!;
    private Tensor _batch;
    private int[] _labels = null!;
    private DataParallel _parallel = null!;
    private BatchGradientFunction _gradient = null!;
    private Adam _adam = null!;

    /// <summary>Threads sharing the batch.</summary>
    [Params(1, 2)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _parameters = new ParameterSet();
        _w1 = _parameters.Add("W1", Initializer.XavierNormal(seed: 1), Inputs, Hidden);
        _b1 = _parameters.Add("b1", Hidden);
        _w2 = _parameters.Add("W2", Initializer.XavierNormal(seed: 2), Hidden, Classes);
        _b2 = _parameters.Add("b2", Classes);
        _parameters.Build();
        var random = new SeededRandom(4);
        _batch = Tensor.Zeros(Rows, Inputs);
        Initializer.Normal(0, 1, seed: 5).Fill(_batch);
        _labels = new int[Rows];
        for (int i = 0; i < Rows; i++)
        {
            _labels[i] = random.NextInt32(Classes);
        }
        _gradient = MlpGradient;
        CheckGradient();
        _parallel = new DataParallel(_parameters, Workers);
        _adam = new Adam();
        Step();
    }

    // The hand-written backward sweep against central differences, on 16 rows and 16 elements per tensor.
    private void CheckGradient()
    {
        Tensor rows = _batch.Slice(0, 0, 16);
        ReadOnlyMemory<int> labels = _labels.AsMemory(0, 16);
        GradientBuffer scratch = _parameters.CreateGradientBuffer();
        GradientCheckReport report = GradientCheck.Check(
            _parameters,
            () => MlpGradient(rows, labels.Span, scratch),
            () => MlpGradient(rows, labels.Span, _parameters.GradientBuffer),
            new GradientCheckOptions { MaxElementsPerTensor = 16 });
        report.ThrowIfFailed();
    }

    [GlobalCleanup]
    public void Cleanup() => _parallel.Dispose();

    [Benchmark]
    public float Step()
    {
        float loss = _parallel.ComputeGradients(_batch, _labels, _gradient);
        _adam.Step(_parameters);
        return loss;
    }

    private float MlpGradient(Tensor x, ReadOnlySpan<int> labels, GradientBuffer gradients)
    {
        int rows = x.Shape[0];
        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            Span<float> hidden = tape.RentSingles(rows * Hidden);
            Span<float> logits = tape.RentSingles(rows * Classes);
            Span<float> dHidden = tape.RentSingles(rows * Hidden);
            ReadOnlySpan<float> w1 = _w1.Value.Span;
            ReadOnlySpan<float> b1 = _b1.Value.Span;
            ReadOnlySpan<float> w2 = _w2.Value.Span;
            ReadOnlySpan<float> b2 = _b2.Value.Span;

            // Forward: H = tanh(X·W1 + b1), Z = H·W2 + b2.
            MatrixProduct.Multiply(x.Span, w1, hidden, rows, Inputs, Hidden);
            for (int r = 0; r < rows; r++)
            {
                Span<float> row = hidden.Slice(r * Hidden, Hidden);
                for (int j = 0; j < Hidden; j++)
                {
                    row[j] = MathF.Tanh(row[j] + b1[j]);
                }
            }
            MatrixProduct.Multiply(hidden, w2, logits, rows, Hidden, Classes);

            // Loss and dZ = (softmax(Z) − onehot) / rows, in place of Z.
            double loss = 0;
            Span<float> dB2 = gradients[_b2].Span;
            for (int r = 0; r < rows; r++)
            {
                Span<float> z = logits.Slice(r * Classes, Classes);
                float max = float.NegativeInfinity;
                for (int c = 0; c < Classes; c++)
                {
                    z[c] += b2[c];
                    max = MathF.Max(max, z[c]);
                }
                float sum = 0;
                for (int c = 0; c < Classes; c++)
                {
                    sum += MathF.Exp(z[c] - max);
                }
                loss -= z[labels[r]] - max - MathF.Log(sum);
                for (int c = 0; c < Classes; c++)
                {
                    z[c] = ((MathF.Exp(z[c] - max) / sum) - (c == labels[r] ? 1f : 0f)) / rows;
                    dB2[c] += z[c];
                }
            }

            // dW2 = Hᵀ·dZ, dH = dZ·W2ᵀ, dA = dH ⊙ (1 − H²), dW1 = Xᵀ·dA, db1 = Σ_rows dA.
            MatrixProduct.Multiply(hidden, logits, gradients[_w2].Span, Hidden, rows, Classes, transposeA: true);
            MatrixProduct.Multiply(logits, w2, dHidden, rows, Classes, Hidden, transposeB: true);
            Span<float> dB1 = gradients[_b1].Span;
            for (int r = 0; r < rows; r++)
            {
                Span<float> h = hidden.Slice(r * Hidden, Hidden);
                Span<float> dh = dHidden.Slice(r * Hidden, Hidden);
                for (int j = 0; j < Hidden; j++)
                {
                    dh[j] *= 1 - (h[j] * h[j]);
                    dB1[j] += dh[j];
                }
            }
            MatrixProduct.Multiply(x.Span, dHidden, gradients[_w1].Span, Inputs, rows, Hidden, transposeA: true);
            return (float)(loss / rows);
        }
        finally
        {
            tape.Release(mark);
        }
    }
}
