using System;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// A "GFLOP/s" column: the floating-point operations one invocation performs (given per benchmark case) divided by
/// its mean time, or, with <paramref name="fromMinimum"/>, by its fastest iteration (the figure least disturbed by
/// other work on a shared machine). A fused multiply-add counts as two operations.
/// </summary>
public sealed class GigaflopsColumn(Func<BenchmarkCase, double> flopsPerInvocation, bool fromMinimum = false) : IColumn
{
    public string Id => nameof(GigaflopsColumn) + (fromMinimum ? "Min" : string.Empty);

    public string ColumnName => fromMinimum ? "GFLOP/s (min)" : "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Statistics;

    public int PriorityInCategory => fromMinimum ? 11 : 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => fromMinimum
        ? "Floating-point operations per second, in billions, from the fastest iteration"
        : "Floating-point operations per second, in billions, from the mean time (a fused multiply-add counts as 2)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        double nanoseconds = statistics is null ? 0 : fromMinimum ? statistics.Min : statistics.Mean;
        if (nanoseconds <= 0)
        {
            return "NA";
        }
        // Times are in nanoseconds per operation; flops per nanosecond are GFLOP/s.
        return (flopsPerInvocation(benchmarkCase) / nanoseconds).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
