using System;
using System.IO;
using Spectre.Console;
using Xunit;

namespace Backprop.Symbolic.Reporting.Tests;

public sealed class TrainingProgressTests
{
    [Fact]
    public void Plain_line_shows_every_measured_metric_with_four_decimals()
    {
        var metrics = new EpochMetrics(3, 0.43214, 0.90123, double.NaN, 0.889, TimeSpan.FromSeconds(2.14));
        Assert.Equal(
            "epoch  3/20  loss 0.4321  train acc 0.9012  val acc 0.8890  2.1 s",
            TrainingProgress.FormatPlain(metrics, 20));
    }

    [Fact]
    public void Plain_line_appends_the_note()
    {
        var metrics = new EpochMetrics(10, 1.5, Elapsed: TimeSpan.FromSeconds(12)) { Note = "|g| W1 0.12" };
        Assert.Equal("epoch 10/10  loss 1.5000  12.0 s  |g| W1 0.12", TrainingProgress.FormatPlain(metrics, 10));
    }

    [Fact]
    public void Redirected_output_gets_one_plain_line_per_epoch_and_the_history_keeps_them()
    {
        var writer = new StringWriter();
        var progress = new TrainingProgress(2, writer);
        progress.Report(new EpochMetrics(1, 2.0, 0.5, Elapsed: TimeSpan.FromSeconds(1)));
        progress.Report(new EpochMetrics(2, 1.0, 0.75, Elapsed: TimeSpan.FromSeconds(2)));

        string[] lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { "epoch 1/2  loss 2.0000  train acc 0.5000  1.0 s", "epoch 2/2  loss 1.0000  train acc 0.7500  2.0 s" }, lines);
        Assert.Equal(2, progress.History.Count);
        Assert.Equal(1.0, progress.History.Last!.TrainingLoss);
    }

    [Fact]
    public void A_missing_elapsed_time_is_filled_from_the_clock()
    {
        var progress = new TrainingProgress(1, new StringWriter());
        progress.Report(new EpochMetrics(1, 1.0));
        Assert.True(progress.History[0].Elapsed > TimeSpan.Zero);
    }

    [Fact]
    public void Terminal_output_draws_a_bar_and_the_metrics()
    {
        var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
        });
        var progress = new TrainingProgress(4, console);
        progress.Report(new EpochMetrics(2, 0.25, ValidationAccuracy: 0.5, Elapsed: TimeSpan.FromSeconds(3)) { Note = "[x]" });

        string text = writer.ToString();
        Assert.Contains("epoch 2/4 " + new string('━', 12) + new string('─', 12), text);
        Assert.Contains("loss 0.2500  val acc 0.5000  3.0 s", text);
        Assert.Contains("[x]", text); // the note is escaped, not read as markup
    }

    [Fact]
    public void Zero_epochs_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingProgress(0, new StringWriter()));
    }

    [Fact]
    public void History_rejects_epochs_out_of_order_and_skips_unmeasured_values_in_series()
    {
        var history = new TrainingHistory();
        history.Add(new EpochMetrics(1, 3.0, ValidationAccuracy: 0.1));
        history.Add(new EpochMetrics(2, 2.0));
        history.Add(new EpochMetrics(3, 1.0, ValidationAccuracy: 0.3));

        var ex = Assert.Throws<ArgumentException>(() => history.Add(new EpochMetrics(3, 0.5)));
        Assert.Contains("Epoch 3 was added after epoch 3", ex.Message);

        (double[] epochs, double[] values) = history.Series(e => e.ValidationAccuracy);
        Assert.Equal(new[] { 1.0, 3.0 }, epochs);
        Assert.Equal(new[] { 0.1, 0.3 }, values);
    }
}
