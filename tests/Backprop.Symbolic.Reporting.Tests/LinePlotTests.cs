using System;
using System.Buffers.Binary;
using System.IO;
using Xunit;

namespace Backprop.Symbolic.Reporting.Tests;

public sealed class LinePlotTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bps-plots-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Saves_a_png_of_the_requested_size()
    {
        string path = Path.Combine(_folder, "sub", "chart.png");
        LinePlot.SavePng(path, "t", "x", "y", new[] { new LineSeries("a", new[] { 1.0, 2.0, 3.0 }, new[] { 3.0, 1.0, 2.0 }) }, width: 320, height: 200);
        Assert.Equal((320, 200), PngSize(path));
    }

    [Fact]
    public void Log_scale_accepts_values_spanning_many_decades_and_skips_non_positive_ones()
    {
        string path = Path.Combine(_folder, "log.png");
        var series = new[]
        {
            new LineSeries("vanishing", new[] { 1.0, 2.0, 3.0, 4.0 }, new[] { 1.0, 1e-5, 0.0, 1e-12 }),
            new LineSeries("steady", new[] { 1.0, 2.0, 3.0, 4.0 }, new[] { 1.0, 0.9, 1.1, 1.0 }),
        };
        LinePlot.SavePng(path, "gradient norm", "layer", "norm", series, logScaleY: true);
        Assert.Equal((LinePlot.DefaultWidth, LinePlot.DefaultHeight), PngSize(path));
    }

    [Fact]
    public void Mismatched_series_and_empty_charts_are_rejected_with_the_series_name()
    {
        var ex = Assert.Throws<ArgumentException>(() => LinePlot.SavePng(
            Path.Combine(_folder, "bad.png"), "t", "x", "y", new[] { new LineSeries("ragged", new[] { 1.0, 2.0 }, new[] { 1.0 }) }));
        Assert.Contains("'ragged' has 2 x values and 1 y values", ex.Message);
        Assert.Throws<ArgumentException>(() => LinePlot.SavePng(Path.Combine(_folder, "none.png"), "t", "x", "y", Array.Empty<LineSeries>()));
    }

    [Fact]
    public void Training_curves_write_loss_and_accuracy_only_when_measured()
    {
        var history = new TrainingHistory();
        history.Add(new EpochMetrics(1, 2.0));
        history.Add(new EpochMetrics(2, 1.0));
        var written = TrainingCurves.SavePng(history, _folder);
        Assert.Equal(new[] { Path.Combine(_folder, "loss.png") }, written);

        history.Add(new EpochMetrics(3, 0.5, 0.8, ValidationAccuracy: 0.7));
        written = TrainingCurves.SavePng(history, _folder);
        Assert.Equal(2, written.Count);
        Assert.True(File.Exists(Path.Combine(_folder, "accuracy.png")));
        Assert.Throws<ArgumentException>(() => TrainingCurves.SavePng(new TrainingHistory(), _folder));
    }

    // Reads the width and height from the PNG signature and IHDR chunk.
    private static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        byte[] signature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual(signature), "not a PNG file");
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }
}
