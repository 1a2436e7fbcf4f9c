using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// Conv2D forward and backward (input and kernel adjoints together) through the runtime's kernels (im2col: the windows
/// unfolded into a per-thread scratch matrix, then one matrix product per group of samples) and through
/// <see cref="DirectConvolution"/> (no unfolding), on the DigitsConv sample's two layers and on a CIFAR-sized layer.
/// The GFLOP/s columns count 2·N·K·Ho·Wo·C·kh·kw operations forward and twice that backward; compare them with
/// <see cref="MatrixProductBenchmarks"/>. The case names read N×C×H×W-K: K filters of 3 × 3, padding 1.
/// </summary>
/// <remarks>
/// One short run on the shared 2-core machine (<c>--job short</c>, load average about 6): im2col took 1/4 to 1/8 of the
/// direct loops' time forward and 1/3 to 1/10 backward (14 to 34 GFLOP/s forward and 16 to 36 backward, against 2 to 8
/// and 4 to 6 for the direct loops), and allocated nothing; so the runtime's kernel is the im2col one. Its products are
/// skinny (K = 16 or 32 rows), which the matrix-product kernel, tuned for square blocks, runs at a third of its peak.
/// </remarks>
[Config(typeof(Config))]
public class Conv2DBenchmarks
{
    private Tensor _input, _kernel, _bias, _result, _dResult, _dInput, _dKernel;
    private int _n, _c, _h, _w, _k;

    [Params("32x1x8x8-16", "32x16x4x4-32", "32x16x32x32-32")]
    public string Case { get; set; } = "32x1x8x8-16";

    [GlobalSetup]
    public void Setup()
    {
        (_n, _c, _h, _w, _k) = Parse(Case);
        var random = new Random(20261130);
        _input = Uniform(random, _n, _c, _h, _w);
        _kernel = Uniform(random, _k, _c, 3, 3);
        _bias = Uniform(random, _k);
        _result = Tensor.Zeros(_n, _k, _h, _w);
        _dResult = Uniform(random, _n, _k, _h, _w);
        _dInput = Tensor.Zeros(_input.Shape);
        _dKernel = Tensor.Zeros(_kernel.Shape);
        AgreeOrThrow();
    }

    /// <summary>The two implementations compute the same numbers (checked once, so a fast wrong kernel cannot win).</summary>
    private void AgreeOrThrow()
    {
        Im2colForward();
        float[] im2col = _result.ToArray();
        DirectForward();
        Compare(im2col, _result.ToArray(), "forward");
        Im2colBackward();
        float[] dInput = _dInput.ToArray(), dKernel = _dKernel.ToArray();
        _dInput.Span.Clear();
        _dKernel.Span.Clear();
        DirectBackward();
        Compare(dInput, _dInput.ToArray(), "input adjoint");
        Compare(dKernel, _dKernel.ToArray(), "kernel adjoint");
    }

    private static void Compare(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > 1e-3f * Math.Max(1f, Math.Abs(expected[i])))
            {
                throw new InvalidOperationException($"The direct and im2col convolutions disagree on the {what} at {i}: {actual[i]} and {expected[i]}.");
            }
        }
    }

    [Benchmark(Baseline = true, Description = "forward, im2col")]
    public void Im2colForward() => TensorKernels.Conv2D(_input, _kernel, _bias, _result, 1, 1);

    [Benchmark(Description = "forward, direct")]
    public void DirectForward() =>
        DirectConvolution.Forward(_input.Span, _kernel.Span, _bias.Span, _result.Span, _n, _c, _h, _w, _k, 3, 3, 1, 1);

    [Benchmark(Description = "backward, im2col")]
    public void Im2colBackward() => TensorKernels.Conv2DBackward(_input, _kernel, _dResult, _dInput, _dKernel, default, 1, 1);

    [Benchmark(Description = "backward, direct")]
    public void DirectBackward() =>
        DirectConvolution.Backward(_input.Span, _kernel.Span, _dResult.Span, _dInput.Span, _dKernel.Span, _n, _c, _h, _w, _k, 3, 3, 1, 1);

    private static (int N, int C, int H, int W, int K) Parse(string name)
    {
        string[] sides = name.Split('-');
        string[] dims = sides[0].Split('x');
        return (int.Parse(dims[0]), int.Parse(dims[1]), int.Parse(dims[2]), int.Parse(dims[3]), int.Parse(sides[1]));
    }

    private static Tensor Uniform(Random random, params int[] shape)
    {
        Tensor t = Tensor.Zeros(shape);
        Span<float> values = t.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }
        return t;
    }

    private static double Flops(BenchmarkCase benchmarkCase)
    {
        (int n, int c, int h, int w, int k) = Parse((string)benchmarkCase.Parameters["Case"]);
        double forward = 2.0 * n * k * h * w * c * 9; // 3 × 3 taps, padding 1 keeps H × W
        return benchmarkCase.Descriptor.WorkloadMethod.Name.Contains("Backward", StringComparison.Ordinal) ? 2 * forward : forward;
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
