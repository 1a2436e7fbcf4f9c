using System;
using System.Globalization;
using System.IO;
using System.Text;
using Spectre.Console;

namespace Backprop.Symbolic.Reporting;

/// <summary>
/// Shows training as it goes, one line per epoch: loss, training and validation accuracy, elapsed time. On a
/// terminal the line is drawn with Spectre.Console (a progress bar and colours); when the output is redirected
/// (a log file, CI) it is a plain line of text, so logs stay readable. Every reported epoch is kept in
/// <see cref="History"/> for the curves.
/// </summary>
/// <example>
/// <code>
/// var progress = new TrainingProgress(epochs);
/// for (int epoch = 1; epoch &lt;= epochs; epoch++)
/// {
///     double loss = TrainOneEpoch();
///     progress.Report(new EpochMetrics(epoch, loss, trainAccuracy, ValidationAccuracy: valAccuracy));
/// }
/// TrainingCurves.SavePng(progress.History, "curves.png");
/// </code>
/// </example>
public sealed class TrainingProgress
{
    private const int BarWidth = 24;

    private readonly int _totalEpochs;
    private readonly TextWriter? _plain;
    private readonly IAnsiConsole? _console;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>
    /// Progress for <paramref name="totalEpochs"/> epochs on the standard output: Spectre.Console when it is an
    /// interactive terminal, plain lines otherwise.
    /// </summary>
    public TrainingProgress(int totalEpochs)
        : this(totalEpochs, Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive ? Console.Out : null)
    {
    }

    /// <summary>Progress written as plain lines to <paramref name="plainOutput"/>, or drawn with Spectre.Console on the terminal when it is null.</summary>
    public TrainingProgress(int totalEpochs, TextWriter? plainOutput)
        : this(totalEpochs, plainOutput, plainOutput is null ? AnsiConsole.Console : null)
    {
    }

    /// <summary>Progress drawn on <paramref name="console"/> (a terminal, or a recording console in tests).</summary>
    public TrainingProgress(int totalEpochs, IAnsiConsole console)
        : this(totalEpochs, null, console ?? throw new ArgumentNullException(nameof(console)))
    {
    }

    // Exactly one of the two outputs is set.
    private TrainingProgress(int totalEpochs, TextWriter? plain, IAnsiConsole? console)
    {
        if (totalEpochs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(totalEpochs), totalEpochs, "Training needs at least one epoch.");
        }
        _totalEpochs = totalEpochs;
        _plain = plain;
        _console = console;
    }

    /// <summary>Every epoch reported so far.</summary>
    public TrainingHistory History { get; } = new();

    /// <summary>Wall time since this progress was created.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Records an epoch and shows its line. An <see cref="EpochMetrics.Elapsed"/> of zero is filled in from <see cref="Elapsed"/>.</summary>
    public void Report(EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Elapsed == TimeSpan.Zero)
        {
            metrics = metrics with { Elapsed = _clock.Elapsed };
        }
        History.Add(metrics);
        if (_plain is not null)
        {
            _plain.WriteLine(FormatPlain(metrics, _totalEpochs));
        }
        else
        {
            _console!.MarkupLine(FormatMarkup(metrics, _totalEpochs));
        }
    }

    /// <summary>The plain line of an epoch: <c>epoch  3/20  loss 0.4321  train acc 0.9012  val acc 0.8890  2.1 s</c>.</summary>
    public static string FormatPlain(EpochMetrics metrics, int totalEpochs)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var line = new StringBuilder();
        line.Append("epoch ").Append(Pad(metrics.Epoch, totalEpochs)).Append('/').Append(totalEpochs);
        AppendMetrics(line, metrics);
        if (metrics.Note is { Length: > 0 } note)
        {
            line.Append("  ").Append(note);
        }
        return line.ToString();
    }

    private static string FormatMarkup(EpochMetrics metrics, int totalEpochs)
    {
        int filled = (int)Math.Round(BarWidth * Math.Min(1.0, metrics.Epoch / (double)totalEpochs));
        var line = new StringBuilder();
        line.Append("[grey]epoch[/] ").Append(Pad(metrics.Epoch, totalEpochs)).Append('/').Append(totalEpochs).Append(' ');
        line.Append("[green]").Append('━', filled).Append("[/][grey]").Append('─', BarWidth - filled).Append("[/]");
        var rest = new StringBuilder();
        AppendMetrics(rest, metrics);
        line.Append(Markup.Escape(rest.ToString()));
        if (metrics.Note is { Length: > 0 } note)
        {
            line.Append("  [blue]").Append(Markup.Escape(note)).Append("[/]");
        }
        return line.ToString();
    }

    private static void AppendMetrics(StringBuilder line, EpochMetrics metrics)
    {
        Append(line, "loss", metrics.TrainingLoss);
        Append(line, "train acc", metrics.TrainingAccuracy);
        Append(line, "val loss", metrics.ValidationLoss);
        Append(line, "val acc", metrics.ValidationAccuracy);
        line.Append("  ").Append(metrics.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" s");
    }

    private static void Append(StringBuilder line, string name, double value)
    {
        if (!double.IsNaN(value))
        {
            line.Append("  ").Append(name).Append(' ').Append(value.ToString("0.0000", CultureInfo.InvariantCulture));
        }
    }

    private static string Pad(int epoch, int total) =>
        epoch.ToString(CultureInfo.InvariantCulture).PadLeft(total.ToString(CultureInfo.InvariantCulture).Length);
}
