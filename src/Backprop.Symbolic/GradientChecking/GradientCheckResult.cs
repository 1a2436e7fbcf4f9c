using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.GradientChecking;

/// <summary>A named tensor whose gradient is checked: its values (perturbed during the check) and the gradient the user's code writes.</summary>
/// <param name="Name">Shown in the report.</param>
/// <param name="Value">The tensor the loss reads.</param>
/// <param name="Gradient">Where the gradient code writes the loss's derivative with respect to <paramref name="Value"/>; same shape.</param>
public readonly record struct CheckedTensor(string Name, Tensor Value, Tensor Gradient);

/// <summary>One element's comparison: where it is, both derivatives and the error.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="Index">The element's index, one entry per dimension.</param>
/// <param name="Analytic">The derivative the gradient code computed.</param>
/// <param name="Numeric">The central difference.</param>
/// <param name="RelativeError"><c>|Analytic − Numeric| / max(|Analytic|, |Numeric|, Floor)</c>.</param>
/// <param name="Tolerance">The largest error that passes.</param>
public sealed record GradientCheckResult(string Name, int[] Index, double Analytic, double Numeric, double RelativeError, double Tolerance)
{
    /// <summary>True if the error is within the tolerance (a NaN never passes).</summary>
    public bool Passed => RelativeError <= Tolerance;

    /// <summary>The index as written in code, e.g. <c>W1[3, 7]</c>.</summary>
    public string Location => $"{Name}[{string.Join(", ", Index)}]";

    /// <summary>e.g. <c>W1[3, 7]: analytic 0.5, numeric 0.25, relative error 0.5 &gt; tolerance 0.01 FAILED</c>.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        return string.Create(c,
            $"{Location}: analytic {Analytic:G9}, numeric {Numeric:G9}, relative error {RelativeError:G3} {(Passed ? "<=" : ">")} tolerance {Tolerance:G3} {(Passed ? "ok" : "FAILED")}");
    }
}

/// <summary>The outcome of a gradient check over several tensors: the worst element of each, and the worst overall.</summary>
public sealed class GradientCheckReport
{
    internal GradientCheckReport(IReadOnlyList<GradientCheckResult> perTensor, int elementsChecked)
    {
        PerTensor = perTensor;
        ElementsChecked = elementsChecked;
        GradientCheckResult worst = perTensor[0];
        foreach (GradientCheckResult result in perTensor)
        {
            if (IsWorse(result.RelativeError, worst.RelativeError))
            {
                worst = result;
            }
        }
        Worst = worst;
    }

    /// <summary>The element with the largest error over all tensors (a NaN error counts as the largest).</summary>
    public GradientCheckResult Worst { get; }

    /// <summary>The worst element of each tensor, in the order the tensors were given.</summary>
    public IReadOnlyList<GradientCheckResult> PerTensor { get; }

    /// <summary>How many elements were compared.</summary>
    public int ElementsChecked { get; }

    /// <summary>True if every element is within the tolerance.</summary>
    public bool Passed => Worst.Passed;

    /// <summary>Throws <see cref="InvalidOperationException"/> with this report as its message unless <see cref="Passed"/>.</summary>
    public void ThrowIfFailed()
    {
        if (!Passed)
        {
            throw new InvalidOperationException("The gradient check failed." + Environment.NewLine + this);
        }
    }

    /// <summary>A line for the worst element overall, then one for the worst of each tensor.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Passed ? "passed" : "FAILED").Append(": worst ").Append(Worst.ToString())
            .Append(" (").Append(ElementsChecked).Append(" elements checked)");
        foreach (GradientCheckResult result in PerTensor)
        {
            text.AppendLine().Append("  ").Append(result.ToString());
        }
        return text.ToString();
    }

    /// <summary>True if error <paramref name="candidate"/> is worse than <paramref name="current"/>; a NaN is worse than any number.</summary>
    internal static bool IsWorse(double candidate, double current) =>
        (double.IsNaN(candidate) && !double.IsNaN(current)) || candidate > current;
}
