using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Backprop.Symbolic.Kernels;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// The matrix-product kernel (<see cref="MatrixProduct.Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool, bool, bool, int)"/>)
/// on square float32 products C = A · B, and the two transposed products a MatMul's backward sweep uses, on one
/// thread and on every core. The GFLOP/s column counts 2 n³ operations per product; compare it with
/// <see cref="FmaPeakBenchmarks"/>, one core's fused multiply-add peak.
/// </summary>
[Config(typeof(Config))]
public class MatrixProductBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [Params(128, 256, 512)]
    public int Size { get; set; }

    /// <summary>1: the calling thread only; -1: every core (products of at least 2²¹ multiply-adds are split).</summary>
    [Params(1, -1)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20251129);
        _a = Uniform(random, Size * Size);
        _b = Uniform(random, Size * Size);
        _c = new float[Size * Size];
    }

    [Benchmark(Baseline = true, Description = "A·B")]
    public void Product() => MatrixProduct.Multiply(_a, _b, _c, Size, Size, Size, false, false, false, Threads);

    [Benchmark(Description = "A·Bᵀ")]
    public void ProductTransposeB() => MatrixProduct.Multiply(_a, _b, _c, Size, Size, Size, false, true, false, Threads);

    [Benchmark(Description = "Aᵀ·B")]
    public void ProductTransposeA() => MatrixProduct.Multiply(_a, _b, _c, Size, Size, Size, true, false, false, Threads);

    private static float[] Uniform(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }
        return values;
    }

    private static double Flops(BenchmarkCase benchmarkCase)
    {
        double n = (int)benchmarkCase.Parameters["Size"];
        return 2 * n * n * n;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(
                new GigaflopsColumn(Flops),
                new GigaflopsColumn(Flops, fromMinimum: true));
            AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
            WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        }
    }
}
