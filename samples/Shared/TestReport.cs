using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Reporting;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;

namespace Samples.Shared;

/// <summary>The lines a training sample ends with: the curves it saved, the test split's confusion matrix and accuracy.</summary>
public static class TestReport
{
    /// <summary>Saves the loss and accuracy curves of <paramref name="progress"/> as PNG in <paramref name="folder"/> (created if need be) and names each file.</summary>
    public static void SaveCurves(TrainingProgress progress, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (string png in TrainingCurves.SavePng(progress.History, folder))
        {
            Console.WriteLine($"curves: {png}");
        }
    }

    /// <summary>The confusion matrix of <paramref name="scores"/> (one row per test row) against the labels of <paramref name="test"/>.</summary>
    public static ConfusionMatrix Confusion(Tensor scores, Dataset test, int classes, IReadOnlyList<string>? classNames = null)
    {
        var confusion = new ConfusionMatrix(classes, classNames);
        confusion.Add(scores, test.Labels);
        return confusion;
    }

    /// <summary>
    /// Writes the confusion matrix of <paramref name="scores"/> (one row per test row) against the labels of
    /// <paramref name="test"/>, calling the classes <paramref name="classNoun"/>s, and returns the test accuracy.
    /// </summary>
    public static double AccuracyAndConfusion(Tensor scores, Dataset test, int classes, string classNoun)
    {
        double accuracy = Metrics.Accuracy(scores, test.Labels);
        PrintConfusion(Confusion(scores, test, classes), classNoun);
        return accuracy;
    }

    /// <summary>Writes <paramref name="confusion"/> under a heading that calls the classes <paramref name="classNoun"/>s (e.g. "digit").</summary>
    public static void PrintConfusion(ConfusionMatrix confusion, string classNoun)
    {
        Console.WriteLine($"test confusion matrix (rows: actual {classNoun}, columns: predicted):");
        Console.WriteLine(confusion);
    }

    /// <summary>Writes the time since <paramref name="clock"/> started, labelled <paramref name="label"/>.</summary>
    public static void PrintTime(string label, Stopwatch clock) => Console.WriteLine($"{label}: {clock.Elapsed.TotalSeconds:0.0} s");

    /// <summary>Writes the last line, the test accuracy, and returns the exit code 0.</summary>
    public static int Finish(double testAccuracy)
    {
        Console.WriteLine($"test accuracy: {testAccuracy:0.0000}");
        return 0;
    }
}
