using System;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// A "GFLOP/s" column: the floating-point operations one invocation performs (given per benchmark case) divided by
/// its mean time. A fused multiply-add counts as two operations.
/// </summary>
public sealed class GigaflopsColumn(Func<BenchmarkCase, double> flopsPerInvocation) : IColumn
{
    public string Id => nameof(GigaflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Statistics;

    public int PriorityInCategory => 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Floating-point operations per second, in billions (a fused multiply-add counts as 2)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null || statistics.Mean <= 0)
        {
            return "NA";
        }
        // Mean is in nanoseconds per operation; flops per nanosecond are GFLOP/s.
        double perInvocation = flopsPerInvocation(benchmarkCase);
        return (perInvocation / statistics.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
