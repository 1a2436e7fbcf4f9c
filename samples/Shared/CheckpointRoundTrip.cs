using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Backprop.Symbolic.Checkpoints;
using Backprop.Symbolic.Training;

namespace Samples.Shared;

/// <summary>
/// Shows that a checkpoint holds the whole trained network: saves it as safetensors, loads it into a freshly initialized
/// network (another seed) and compares the test accuracies.
/// </summary>
public static class CheckpointRoundTrip
{
    /// <summary>
    /// Saves <paramref name="trained"/> to <paramref name="fileName"/> in <see cref="TrainingOptions.Out"/> with
    /// <paramref name="metadata"/> followed by the epochs and the seed, loads it into <paramref name="fresh"/>, and
    /// writes the checkpoint's line with the reloaded network's test accuracy. Returns true when that is
    /// <paramref name="testAccuracy"/>; otherwise writes why to the error output and returns false.
    /// </summary>
    /// <param name="fresh">The parameters of a network built like the trained one but initialized differently.</param>
    /// <param name="freshTestAccuracy">The test accuracy of the network that owns <paramref name="fresh"/>.</param>
    public static bool Reproduces(
        string fileName,
        TrainingOptions options,
        ParameterSet trained,
        IEnumerable<KeyValuePair<string, string>> metadata,
        double testAccuracy,
        ParameterSet fresh,
        Func<double> freshTestAccuracy)
    {
        string checkpoint = Path.Combine(options.Out, fileName);
        var allMetadata = new List<KeyValuePair<string, string>>(metadata)
        {
            new("epochs", options.Epochs.ToString(CultureInfo.InvariantCulture)),
            new("seed", options.Seed.ToString(CultureInfo.InvariantCulture)),
        };
        SafeTensors.Save(checkpoint, trained.Named(), allMetadata);
        SafeTensors.LoadInto(checkpoint, fresh.Named());
        double reloadedAccuracy = freshTestAccuracy();
        bool same = reloadedAccuracy == testAccuracy;
        Console.WriteLine($"checkpoint: {checkpoint} ({new FileInfo(checkpoint).Length} bytes), reloaded into a fresh network: test accuracy {reloadedAccuracy:0.0000}" +
            (same ? " (the same)" : " (DIFFERENT)"));
        if (!same)
        {
            Console.Error.WriteLine("The reloaded checkpoint does not reproduce the trained network.");
        }
        return same;
    }
}
