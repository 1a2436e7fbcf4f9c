using System;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.GradientChecking;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;

namespace Samples.Shared;

/// <summary>The check a sample runs before training: the generated gradient against central differences of the loss.</summary>
public static class GradientCheckLine
{
    /// <summary>
    /// Checks <paramref name="gradient"/> against central differences of <paramref name="loss"/> on the first
    /// <paramref name="rows"/> rows of <paramref name="train"/> (see <see cref="Passes(ParameterSet, Func{double}, Action, GradientCheckOptions?)"/>).
    /// </summary>
    public static bool Passes(
        ParameterSet parameters,
        Dataset train,
        int rows,
        Func<Tensor, int[], float> loss,
        Action<Tensor, int[]> gradient,
        GradientCheckOptions? options = null)
    {
        Tensor x = train.Features.Slice(0, 0, rows);
        int[] y = train.Labels.Slice(0, rows).ToArray();
        return Passes(parameters, () => loss(x, y), () => gradient(x, y), options);
    }

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
