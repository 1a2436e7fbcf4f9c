using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Reporting;
using Backprop.Symbolic.Tensors;

namespace VanishingGradients;

/// <summary>
/// Vanishing and exploding gradients, measured. Depth: stacks y = f(x·A) of sigmoid, tanh and relu layers under three
/// draws of A (N(0, 1), Xavier, He) on a batch of digits, each layer's activation variance and gradient norm. Training:
/// a few of those stacks trained for some epochs. Time: ‖∂L/∂x_t‖ at each step of a vanilla RNN and an LSTM.
/// Tables on the console, plots to --out.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        return Options.Command(Run).Parse(args).Invoke();
    }

    private static int Run(Options options)
    {
        var clock = Stopwatch.StartNew();
        Dataset digits = CsvLoader.Load(options.Data);
        DatasetSplit split = DatasetSplitter.Split(digits, 0.8, 0.0, 0.2, seed: 1, stratify: true);
        Standardizer scaler = Standardizer.Fit(split.Train);
        Dataset train = scaler.Transform(split.Train);
        Dataset test = scaler.Transform(split.Test);
        int rows = Math.Min(options.Batch, train.Count);
        Tensor x = train.Features.Slice(0, 0, rows);
        int[] labels = train.Labels.Slice(0, rows).ToArray();
        Directory.CreateDirectory(options.Out);
        var plots = new List<string>();

        Console.WriteLine($"depth: stacks h_l = f(h_(l-1)·A_l) of {train.FeatureCount}×{train.FeatureCount} layers on {rows} standardized digits, softmax readout on top");
        Console.WriteLine();
        plots.AddRange(Depth(options, x, labels, digits.ClassCount));
        Console.WriteLine($"({clock.Elapsed.TotalSeconds:0.0} s)");
        Console.WriteLine();

        if (options.Training)
        {
            Training(options, train, test);
            Console.WriteLine($"({clock.Elapsed.TotalSeconds:0.0} s)");
            Console.WriteLine();
        }

        plots.Add(Time(options));
        Console.WriteLine($"({clock.Elapsed.TotalSeconds:0.0} s)");
        Console.WriteLine();
        foreach (string plot in plots)
        {
            Console.WriteLine($"plot: {plot}");
        }
        Console.WriteLine($"done in {clock.Elapsed.TotalSeconds:0.0} s");
        return 0;
    }

    /// <summary>Prints the depth tables and writes the depth plots; returns their paths.</summary>
    private static List<string> Depth(Options options, Tensor x, int[] labels, int classes)
    {
        var written = new List<string>();
        int depth = options.Depth;
        int[] shown = new[] { 1, 2, 5, 10, 20, 30, 40, 50, 75, 100 }.Where(l => l < depth).Append(depth).Distinct().ToArray();
        var profiles = new List<DepthProfile>();
        foreach (Activation activation in Activation.All)
        {
            foreach (Draw draw in Draw.All)
            {
                profiles.Add(DepthExperiment.Measure(activation, draw, depth, x, labels, classes, options.Seed));
            }
        }

        string[] header = new[] { "f, A_ij ~" }.Concat(shown.Select(l => "layer " + l)).ToArray();
        Console.WriteLine($"gradient norm ‖∂L/∂A_l‖ at layer l of a stack of {depth} (layer 1 is nearest the input, the loss is above layer {depth}):");
        var gradients = new Table(header);
        foreach (DepthProfile p in profiles)
        {
            gradients.Add(new[] { $"{p.Activation}, {p.Draw}" }.Concat(shown.Select(l => Table.Number(p.WeightGradientNorm[l - 1]))).ToArray());
        }
        gradients.Write();

        Console.WriteLine("activation variance Var(h_l) at layer l (the input's is 1):");
        var variances = new Table(header);
        foreach (DepthProfile p in profiles)
        {
            variances.Add(new[] { $"{p.Activation}, {p.Draw}" }.Concat(shown.Select(l => Table.Number(p.Variance[l - 1]))).ToArray());
        }
        variances.Write();

        Console.WriteLine("saturated fraction at layer l (|tanh| > 0.97, sigmoid outside [0.03, 0.97], relu exactly 0):");
        var saturation = new Table(header);
        foreach (DepthProfile p in profiles)
        {
            saturation.Add(new[] { $"{p.Activation}, {p.Draw}" }.Concat(shown.Select(l => Table.Fraction(p.Saturated[l - 1]))).ToArray());
        }
        saturation.Write();

        // The sweep: how much of the top layer's gradient reaches the first layer, as the stack grows.
        int[] depths = new[] { 2, 5, 10, 20, 50, 100 }.Where(d => d < depth).Append(depth).Distinct().ToArray();
        Console.WriteLine("‖∂L/∂A_1‖ / ‖∂L/∂A_D‖: the first layer's gradient over the top layer's, for stacks of depth D:");
        var sweep = new Table(new[] { "f, A_ij ~" }.Concat(depths.Select(d => "D = " + d)).ToArray());
        foreach (Activation activation in Activation.All)
        {
            foreach (Draw draw in Draw.All)
            {
                var cells = new List<string> { $"{activation}, {draw}" };
                foreach (int d in depths)
                {
                    DepthProfile p = d == depth
                        ? profiles.First(q => q.Activation == activation && q.Draw == draw)
                        : DepthExperiment.Measure(activation, draw, d, x, labels, classes, options.Seed);
                    cells.Add(Table.Number(p.WeightGradientNorm[0] / p.WeightGradientNorm[d - 1]));
                }
                sweep.Add(cells.ToArray());
            }
        }
        sweep.Write();

        foreach (Activation activation in Activation.All)
        {
            var mine = profiles.Where(p => p.Activation == activation).ToList();
            double[] layers = Enumerable.Range(1, depth).Select(l => (double)l).ToArray();
            string gradientPlot = Path.Combine(options.Out, $"gradient-norm-by-layer-{activation}.png");
            LinePlot.SavePng(gradientPlot, $"{activation}: gradient norm by layer (depth {depth})", "layer l (1 = input side)", "‖∂L/∂A_l‖",
                mine.Select(p => new LineSeries($"A ~ {p.Draw}", layers, p.WeightGradientNorm)).ToList(), logScaleY: true);
            written.Add(gradientPlot);
            string variancePlot = Path.Combine(options.Out, $"activation-variance-by-layer-{activation}.png");
            LinePlot.SavePng(variancePlot, $"{activation}: activation variance by layer (depth {depth})", "layer l (1 = input side)", "Var(h_l)",
                mine.Select(p => new LineSeries($"A ~ {p.Draw}", layers, p.Variance)).ToList(), logScaleY: true);
            written.Add(variancePlot);
        }
        return written;
    }

    private static void Training(Options options, Dataset train, Dataset test)
    {
        (Activation, Draw)[] settings =
        {
            (Activation.Sigmoid, Draw.Standard), (Activation.Sigmoid, Draw.Xavier),
            (Activation.Tanh, Draw.Standard), (Activation.Tanh, Draw.Xavier),
            (Activation.Relu, Draw.Standard), (Activation.Relu, Draw.He),
        };
        Console.WriteLine($"training: stacks of {options.TrainDepth} layers + readout on {train.Count} digits, SGD lr {options.LearningRate} momentum 0.9, batch 32, {options.Epochs} epochs; test on {test.Count}");
        string[] header = new[] { "f, A_ij ~" }
            .Concat(Enumerable.Range(1, options.Epochs).Select(e => "loss " + e))
            .Concat(new[] { "‖dA_1‖/‖A_1‖", $"‖dA_{options.TrainDepth}‖/‖A_{options.TrainDepth}‖", "test acc", "learns?" }).ToArray();
        var table = new Table(header);
        foreach ((Activation activation, Draw draw) in settings)
        {
            TrainingResult r = TrainingExperiment.Train(activation, draw, options.TrainDepth, train, test, options.Epochs, options.LearningRate, 32, options.Seed);
            string verdict = !double.IsFinite(r.EpochLoss[^1]) ? "no: diverged" : r.TestAccuracy >= 0.8 ? "yes" : r.TestAccuracy >= 0.3 ? "slowly" : "no";
            table.Add(new[] { $"{activation}, {draw}" }
                .Concat(r.EpochLoss.Select(l => double.IsFinite(l) ? l.ToString("0.000", CultureInfo.InvariantCulture) : Table.Number(l)))
                .Concat(new[] { Table.Number(r.FirstLayerRatio), Table.Number(r.LastLayerRatio), double.IsNaN(r.TestAccuracy) ? "-" : r.TestAccuracy.ToString("0.000", CultureInfo.InvariantCulture), verdict })
                .ToArray());
        }
        Console.WriteLine("(the gradient/weight ratios are means over the first epoch's steps; chance accuracy is 0.1)");
        table.Write();
    }

    private static string Time(Options options)
    {
        int steps = options.Steps;
        const int batch = 32, inputs = 16;
        double[] rnn = TimeExperiment.InputGradientNorms(lstm: false, steps, batch, inputs, options.Hidden, options.Seed);
        double[] lstm = TimeExperiment.InputGradientNorms(lstm: true, steps, batch, inputs, options.Hidden, options.Seed);
        Console.WriteLine($"time: ‖∂L/∂x_t‖ over a sequence of {steps} steps ({batch} sequences of {inputs} N(0,1) inputs, {options.Hidden} hidden units, Xavier weights, the loss on the last step)");
        int[] back = new[] { 1, 2, 5, 10, 20, 30, 50, 75, 100, 200 }.Where(k => k < steps).Append(steps).Distinct().ToArray();
        var table = new Table(new[] { "cell" }.Concat(back.Select(k => k + " back")).ToArray());
        table.Add(new[] { "vanilla RNN" }.Concat(back.Select(k => Table.Number(rnn[steps - k]))).ToArray());
        table.Add(new[] { "LSTM" }.Concat(back.Select(k => Table.Number(lstm[steps - k]))).ToArray());
        table.Write();

        double[] stepsBack = Enumerable.Range(1, steps).Select(k => (double)k).ToArray();
        string plot = Path.Combine(options.Out, "gradient-norm-by-time-step.png");
        LinePlot.SavePng(plot, $"gradient w.r.t. the input, {steps} steps", "steps back from the loss", "‖∂L/∂x_t‖", new[]
        {
            new LineSeries("vanilla RNN", stepsBack, stepsBack.Select(k => rnn[steps - (int)k]).ToArray()),
            new LineSeries("LSTM", stepsBack, stepsBack.Select(k => lstm[steps - (int)k]).ToArray()),
        }, logScaleY: true);
        return plot;
    }
}
