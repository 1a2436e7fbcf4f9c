using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;

namespace Samples.Shared;

/// <summary>
/// A sample's command line, built option by option in the order <c>--help</c> lists them: the options every training
/// sample has (with the same names and help texts everywhere, defaults from <typeparamref name="T"/>), and the sample's
/// own, each with how its value goes into the options record (a <c>with</c> on the base record copies the whole
/// <typeparamref name="T"/>, as records clone virtually). <see cref="Build"/> parses, checks
/// <see cref="TrainingOptions.Problem"/> (exit code 2 with the message) and runs the sample.
/// </summary>
public sealed class SampleCommand<T> where T : TrainingOptions, new()
{
    private readonly string _description;
    private readonly List<Option> _options = [];
    private readonly List<Func<ParseResult, T, T>> _binders = [];

    /// <summary>A command described by <paramref name="description"/>, its defaults those of <c>new T()</c>.</summary>
    public SampleCommand(string description)
    {
        _description = description;
    }

    /// <summary>The options a new <typeparamref name="T"/> holds: the defaults.</summary>
    public T Defaults { get; } = new();

    /// <summary>Adds <paramref name="option"/>; <paramref name="apply"/> puts its parsed value into the options.</summary>
    public SampleCommand<T> Add<TValue>(Option<TValue> option, Func<T, TValue, T> apply)
    {
        _options.Add(option);
        _binders.Add((parse, options) => apply(options, parse.GetValue(option)!));
        return this;
    }

    /// <summary><c>--optimizer</c>, one of <paramref name="names"/> (see <see cref="OptimizerFactory"/>).</summary>
    public SampleCommand<T> Optimizer(params string[] names)
    {
        var option = new Option<string>("--optimizer") { Description = "Gradient-descent algorithm", DefaultValueFactory = _ => Defaults.Optimizer };
        option.AcceptOnlyFromAmong(names);
        return Add(option, (o, v) => (T)((TrainingOptions)o with { Optimizer = v }));
    }

    /// <summary><c>--learning-rate</c> (alias <c>--lr</c>).</summary>
    public SampleCommand<T> LearningRate(string description = "Learning rate") =>
        Add(new Option<float>("--learning-rate", "--lr") { Description = description, DefaultValueFactory = _ => Defaults.LearningRate },
            (o, v) => (T)((TrainingOptions)o with { LearningRate = v }));

    /// <summary><c>--weight-decay</c>.</summary>
    public SampleCommand<T> WeightDecay(string description) =>
        Add(new Option<float>("--weight-decay") { Description = description, DefaultValueFactory = _ => Defaults.WeightDecay },
            (o, v) => (T)((TrainingOptions)o with { WeightDecay = v }));

    /// <summary><c>--epochs</c>.</summary>
    public SampleCommand<T> Epochs() =>
        Add(new Option<int>("--epochs") { Description = "Passes over the training split", DefaultValueFactory = _ => Defaults.Epochs },
            (o, v) => (T)((TrainingOptions)o with { Epochs = v }));

    /// <summary><c>--batch-size</c>, described as "<paramref name="rows"/> per minibatch".</summary>
    public SampleCommand<T> BatchSize(string rows) =>
        Add(new Option<int>("--batch-size") { Description = $"{rows} per minibatch", DefaultValueFactory = _ => Defaults.BatchSize },
            (o, v) => (T)((TrainingOptions)o with { BatchSize = v }));

    /// <summary><c>--seed</c> and <c>--split-seed</c>.</summary>
    public SampleCommand<T> Seeds() =>
        Add(new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling", DefaultValueFactory = _ => Defaults.Seed },
                (o, v) => (T)((TrainingOptions)o with { Seed = v }))
            .Add(new Option<int>("--split-seed") { Description = "Seed of the training/validation/test split", DefaultValueFactory = _ => Defaults.SplitSeed },
                (o, v) => (T)((TrainingOptions)o with { SplitSeed = v }));

    /// <summary><c>--out</c>.</summary>
    public SampleCommand<T> Out() =>
        Add(new Option<string>("--out") { Description = "Folder for the curves (PNG) and the checkpoint (safetensors)", DefaultValueFactory = _ => Defaults.Out },
            (o, v) => (T)((TrainingOptions)o with { Out = v }));

    /// <summary><c>--workers</c>.</summary>
    public SampleCommand<T> Workers() =>
        Add(new Option<int>("--workers") { Description = "Threads a minibatch is split across (data parallelism)", DefaultValueFactory = _ => Defaults.Workers },
            (o, v) => (T)((TrainingOptions)o with { Workers = v }));

    /// <summary><c>--check-gradient</c>.</summary>
    public SampleCommand<T> CheckGradient() =>
        Add(new Option<bool>("--check-gradient") { Description = "Check the generated gradient against central differences before training", DefaultValueFactory = _ => Defaults.CheckGradient },
            (o, v) => (T)((TrainingOptions)o with { CheckGradient = v }));

    /// <summary><c>--instruments</c>; <paramref name="description"/> says what they add to each epoch's line.</summary>
    public SampleCommand<T> Instruments(string description) =>
        Add(new Option<bool>("--instruments") { Description = description, DefaultValueFactory = _ => Defaults.Instruments },
            (o, v) => (T)((TrainingOptions)o with { Instruments = v }));

    /// <summary><c>--data</c>.</summary>
    public SampleCommand<T> Data(string description) =>
        Add(new Option<string>("--data") { Description = description, DefaultValueFactory = _ => Defaults.Data },
            (o, v) => (T)((TrainingOptions)o with { Data = v }));

    /// <summary>Parses <paramref name="args"/> with invariant number formats and runs the sample (or shows the help); returns the exit code.</summary>
    public int Invoke(string[] args, Func<T, int> run)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        return Build(run).Parse(args).Invoke();
    }

    /// <summary>The root command: its options, and the action that parses them, checks them and calls <paramref name="run"/>.</summary>
    public RootCommand Build(Func<T, int> run)
    {
        var command = new RootCommand(_description);
        foreach (Option option in _options)
        {
            command.Add(option);
        }
        command.SetAction(parse =>
        {
            T parsed = Defaults;
            foreach (Func<ParseResult, T, T> bind in _binders)
            {
                parsed = bind(parse, parsed);
            }
            if (parsed.Problem() is { } problem)
            {
                Console.Error.WriteLine(problem);
                return 2;
            }
            return run(parsed);
        });
        return command;
    }
}
