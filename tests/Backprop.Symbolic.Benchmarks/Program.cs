using System;
using System.Globalization;
using BenchmarkDotNet.Running;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// Usage, from the repository root:
/// <code>
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*'               every benchmark
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*' --job short   a quick, rougher run
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*Mixed*'         one objective
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*LoopGradientBenchmarks*'   the loop objectives
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --anyCategories Rnn100   one loop objective (Dot, Horner, Rnn100, GaussianMixture, Lstm)
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*FmaPeak*' '*MatrixProduct*' --job short   matrix-product GFLOP/s next to one core's FMA peak
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*OptimizerStep*' --job short   one optimizer step over an MLP's parameters
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*Conv2DBenchmarks*' --job short   Conv2D forward and backward, im2col against direct loops, GFLOP/s
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*CnnTrainingStep*' --job short   a CNN's gradient and training step, generated against hand-written
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*DataParallel*' --job short    a data-parallel step on 1 and 2 workers
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*InstrumentBenchmarks*' --job short   what the instruments add to a gradient
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*CustomGradientBenchmarks*' --job short   hand-written tensor gradients against generated ones
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --filter '*ElementLoopBenchmarks*' --job short   a penalty written as loops over tensor elements, against spans and by hand
/// dotnet run -c Release --project tests/Backprop.Symbolic.Benchmarks -- --verify                   generated vs hand-written gradients
/// </code>
/// Any other arguments go to BenchmarkDotNet's <see cref="BenchmarkSwitcher"/>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (Array.IndexOf(args, "--verify") >= 0)
        {
            return GradientAgreement.Run();
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        foreach (var summary in summaries)
        {
            if (summary.HasCriticalValidationErrors || summary.Reports.Length == 0)
            {
                return 1;
            }
        }
        return 0;
    }
}
