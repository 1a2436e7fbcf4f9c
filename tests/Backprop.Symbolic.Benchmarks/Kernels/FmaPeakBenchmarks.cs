using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// One core's float32 fused multiply-add peak: ten independent <c>Vector256</c> FMA chains (enough to cover the
/// FMA latency on both FMA pipes), no loads or stores in the loop. The GFLOP/s column is the ceiling
/// <see cref="MatrixProductBenchmarks"/> is measured against (8 lanes × 2 operations per FMA).
/// </summary>
[Config(typeof(Config))]
public class FmaPeakBenchmarks
{
    /// <summary>Loop iterations per invocation; each runs <see cref="Chains"/> FMAs.</summary>
    public const int Iterations = 1 << 20;

    /// <summary>Independent accumulator chains.</summary>
    public const int Chains = 10;

    private float _seed = 0.999f;

    /// <summary>The sum of the chains, returned so nothing is dead.</summary>
    [Benchmark]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Vector256Fma()
    {
        Vector256<float> m = Vector256.Create(_seed);
        Vector256<float> s = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = Vector256.Create(2f), a2 = Vector256.Create(3f), a3 = Vector256.Create(4f);
        Vector256<float> a4 = Vector256.Create(5f), a5 = Vector256.Create(6f), a6 = Vector256.Create(7f), a7 = Vector256.Create(8f);
        Vector256<float> a8 = Vector256.Create(9f), a9 = Vector256.Create(10f);
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, s);
            a1 = Vector256.FusedMultiplyAdd(a1, m, s);
            a2 = Vector256.FusedMultiplyAdd(a2, m, s);
            a3 = Vector256.FusedMultiplyAdd(a3, m, s);
            a4 = Vector256.FusedMultiplyAdd(a4, m, s);
            a5 = Vector256.FusedMultiplyAdd(a5, m, s);
            a6 = Vector256.FusedMultiplyAdd(a6, m, s);
            a7 = Vector256.FusedMultiplyAdd(a7, m, s);
            a8 = Vector256.FusedMultiplyAdd(a8, m, s);
            a9 = Vector256.FusedMultiplyAdd(a9, m, s);
        }
        Vector256<float> sum = (a0 + a1) + (a2 + a3) + (a4 + a5) + (a6 + a7) + (a8 + a9);
        return Vector256.Sum(sum);
    }

    private sealed class Config : ManualConfig
    {
        public Config() =>
            AddColumn(
                new GigaflopsColumn(static _ => (double)Iterations * Chains * 8 * 2),
                new GigaflopsColumn(static _ => (double)Iterations * Chains * 8 * 2, fromMinimum: true));
    }
}
