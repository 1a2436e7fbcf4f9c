using System;
using Backprop.Symbolic.GradientChecking;
using Backprop.Symbolic.Training;

namespace Samples.Shared;

/// <summary>The check a sample runs before training: the generated gradient against central differences of the loss.</summary>
public static class GradientCheckLine
{
    /// <summary>
    /// Checks <paramref name="gradient"/> against central differences of <paramref name="loss"/> in <paramref name="parameters"/>
    /// and writes the worst element; returns false, after writing why to the error output, when they disagree.
    /// </summary>
    public static bool Passes(ParameterSet parameters, Func<double> loss, Action gradient, GradientCheckOptions? options = null)
    {
        GradientCheckReport check = GradientCheck.Check(parameters, loss, gradient, options);
        Console.WriteLine($"gradient check ({check.ElementsChecked} elements): worst {check.Worst}");
        if (!check.Passed)
        {
            Console.Error.WriteLine("The generated gradient disagrees with central differences.");
        }
        return check.Passed;
    }
}
