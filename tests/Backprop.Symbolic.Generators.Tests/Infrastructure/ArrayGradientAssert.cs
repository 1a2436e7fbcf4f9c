using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Backprop.Symbolic.GradientChecking;
using Xunit.Sdk;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// <see cref="GradientAssert"/> for methods with span and array parameters, through <see cref="ArrayInvoke"/>: checks the
/// gradient's value against the primal's, every adjoint element against an analytic expectation, and every element
/// against central finite differences of the compiled primal; and checks forward mode against reverse mode.
/// </summary>
/// <remarks>
/// Tolerances and the mixed error are <see cref="GradientAssert"/>'s: double to 1e-12 analytically and 1e-6 against
/// finite differences, float to 1e-5 and 2e-3 (with a 1e-3 relative step); the value to 1e-14 (double) or 1e-6 (float
/// return). Finite differences perturb each element of each differentiable span or array, and each differentiable
/// scalar, by <c>h·max(1, |x|)</c>, and divide by the step actually taken (after rounding to float for float inputs).
/// Failure messages name the adjoint and the element (<c>dW[3]</c>).
/// </remarks>
public static class ArrayGradientAssert
{
    /// <summary>The seed of the directions <see cref="ForwardMatchesReverse"/> draws.</summary>
    public const int DirectionSeed = 20250611;

    /// <summary>How many directions <see cref="ForwardMatchesReverse"/> checks.</summary>
    public const int DirectionCount = 3;

    public const double DoubleForwardTolerance = 1e-12;
    public const double FloatForwardTolerance = 1e-5;

    /// <summary>
    /// Asserts that <c>{method}Gradient</c> at <paramref name="args"/> returns the primal's value and the adjoints
    /// <paramref name="expected"/> (one array per adjoint, in order; a length-1 array for a scalar's), and agrees with
    /// central finite differences.
    /// </summary>
    public static void Matches(CompiledProgram program, string type, string method, object[] args, params double[][] expected) =>
        Matches(program, type, method, args, expected, finiteDifferences: true);

    /// <summary>
    /// As <see cref="Matches(CompiledProgram, string, string, object[], double[][])"/>; pass <paramref name="finiteDifferences"/>
    /// false at a point where the function is not differentiable (a kink, a tie, a branch boundary).
    /// </summary>
    public static void Matches(CompiledProgram program, string type, string method, object[] args, double[][] expected, bool finiteDifferences)
    {
        ArrayMethod m = ArrayInvoke.Method(program, type, method);
        var failures = new StringBuilder();
        (double value, double[][] adjoints) = GradientAndValueCheck(program, type, m, args, failures);

        ArrayParameter[] differentiable = m.Differentiable.ToArray();
        if (expected.Length != differentiable.Length)
        {
            failures.AppendLine(
                $"  the gradient has {differentiable.Length} adjoints ({string.Join(", ", differentiable.Select(p => p.AdjointName))}) but the test expects {expected.Length}");
        }
        else
        {
            for (int j = 0; j < differentiable.Length; j++)
            {
                ArrayParameter p = differentiable[j];
                double tolerance = p.IsFloat ? GradientAssert.FloatAnalyticTolerance : GradientAssert.DoubleAnalyticTolerance;
                if (expected[j].Length != adjoints[j].Length)
                {
                    failures.AppendLine($"  {p.AdjointName}: the test expects {expected[j].Length} elements but the adjoint has {adjoints[j].Length}");
                    continue;
                }
                for (int e = 0; e < expected[j].Length; e++)
                {
                    double error = GradientAssert.MixedError(adjoints[j][e], expected[j][e]);
                    if (!(error <= tolerance))
                    {
                        failures.AppendLine($"  {Element(p, e)}: generated {Format(adjoints[j][e])}, analytic {Format(expected[j][e])} (error {Format(error)} > {tolerance})");
                    }
                }
            }
        }

        if (finiteDifferences)
        {
            CheckFiniteDifferences(program, type, m, args, adjoints, failures);
        }
        Throw(program, type, m, args, failures, "Gradient");
    }

    /// <summary>Asserts only that the gradient's value is the primal's and that it agrees with central finite differences.</summary>
    public static void MatchesFiniteDifferences(CompiledProgram program, string type, string method, params object[] args)
    {
        ArrayMethod m = ArrayInvoke.Method(program, type, method);
        var failures = new StringBuilder();
        (_, double[][] adjoints) = GradientAndValueCheck(program, type, m, args, failures);
        CheckFiniteDifferences(program, type, m, args, adjoints, failures);
        Throw(program, type, m, args, failures, "Gradient");
    }

    /// <summary>
    /// Asserts that, along <see cref="DirectionCount"/> random directions (fixed seed; every element of every
    /// differentiable parameter drawn from [−1, 1]), <c>{method}Derivative</c> returns the primal's value and a
    /// directional derivative equal to Σ gradient·direction, to 1e-12 (1e-5 for float) relative to
    /// <c>1 + Σ |gradient·direction|</c>.
    /// </summary>
    public static void ForwardMatchesReverse(CompiledProgram program, string type, string method, params object[] args)
    {
        ArrayMethod m = ArrayInvoke.Method(program, type, method);
        var failures = new StringBuilder();
        double primal = ArrayInvoke.Primal(program, type, method, args);
        (_, double[][] adjoints) = ArrayInvoke.Gradient(program, type, method, args);
        ArrayParameter[] differentiable = m.Differentiable.ToArray();
        bool isFloat = m.ReturnType == typeof(float) || differentiable.Any(p => p.IsFloat);
        double tolerance = isFloat ? FloatForwardTolerance : DoubleForwardTolerance;
        var random = new Random(DirectionSeed);

        for (int d = 0; d < DirectionCount; d++)
        {
            double[][] direction = adjoints
                .Select((a, j) => a.Select(_ => Draw(random, differentiable[j].IsFloat)).ToArray())
                .ToArray();
            object[] tangents = differentiable
                .Select((p, j) => p.IsSequence ? (object)direction[j] : direction[j][0])
                .ToArray();
            (double value, double derivative) = ArrayInvoke.Derivative(program, type, method, args, tangents);

            double expected = 0, scale = 1;
            for (int j = 0; j < adjoints.Length; j++)
            {
                for (int e = 0; e < adjoints[j].Length; e++)
                {
                    expected += adjoints[j][e] * direction[j][e];
                    scale += Math.Abs(adjoints[j][e] * direction[j][e]);
                }
            }

            string along = string.Join(", ", differentiable.Select((p, j) => $"{p.AdjointName} = {FormatArray(direction[j])}"));
            if (!(GradientAssert.MixedError(value, primal) <= ValueTolerance(m)))
            {
                failures.AppendLine($"  direction {d} ({along}): {m.Name}Derivative returned the value {Format(value)} but {m.Name} returns {Format(primal)}");
            }
            if (!(Math.Abs(derivative - expected) <= tolerance * scale))
            {
                failures.AppendLine(
                    $"  direction {d} ({along}): forward mode gives {Format(derivative)}, the gradient times the direction {Format(expected)}" +
                    $" (difference {Format(Math.Abs(derivative - expected))} > {Format(tolerance * scale)})");
            }
        }
        Throw(program, type, m, args, failures, "Derivative");
    }

    /// <summary>Calls the gradient, checks its value against the primal's, and returns the adjoints.</summary>
    private static (double Value, double[][] Adjoints) GradientAndValueCheck(CompiledProgram program, string type, ArrayMethod m, object[] args, StringBuilder failures)
    {
        double primal = ArrayInvoke.Primal(program, type, m.Name, args);
        (double value, double[][] adjoints) = ArrayInvoke.Gradient(program, type, m.Name, args);
        if (!(GradientAssert.MixedError(value, primal) <= ValueTolerance(m)))
        {
            failures.AppendLine($"  value: {m.Name}Gradient returned {Format(value)} but {m.Name} returns {Format(primal)}");
        }
        return (value, adjoints);
    }

    private static void CheckFiniteDifferences(CompiledProgram program, string type, ArrayMethod m, object[] args, double[][] adjoints, StringBuilder failures)
    {
        bool isFloat = m.ReturnType == typeof(float) || m.Parameters.Any(p => p.IsFloat);
        double h = isFloat ? GradientAssert.FloatFiniteDifferenceStep : FiniteDifferences.DefaultStep;
        double tolerance = isFloat ? GradientAssert.FloatFiniteDifferenceTolerance : GradientAssert.DoubleFiniteDifferenceTolerance;
        object[] converted = ArrayInvoke.Arguments(m, args);

        int j = 0;
        for (int i = 0; i < m.Parameters.Length; i++)
        {
            ArrayParameter p = m.Parameters[i];
            if (!p.IsDifferentiable)
            {
                continue;
            }
            int count = p.IsSequence ? ((Array)converted[i]).Length : 1;
            for (int e = 0; e < count; e++)
            {
                double x = p.IsSequence ? System.Convert.ToDouble(((Array)converted[i]).GetValue(e), CultureInfo.InvariantCulture) : System.Convert.ToDouble(converted[i], CultureInfo.InvariantCulture);
                double step = h * Math.Max(1.0, Math.Abs(x));
                (object up, double upX) = Perturbed(converted, i, e, p, x + step);
                (object down, double downX) = Perturbed(converted, i, e, p, x - step);
                double fUp = ArrayInvoke.Primal(program, type, m.Name, Replace(converted, i, up));
                double fDown = ArrayInvoke.Primal(program, type, m.Name, Replace(converted, i, down));
                double numeric = (fUp - fDown) / (upX - downX);
                double analytic = adjoints[j][e];
                double error = Math.Abs(analytic - numeric) / Math.Max(1.0, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
                if (!(error <= tolerance))
                {
                    failures.AppendLine($"  {Element(p, e)}: generated {Format(analytic)}, finite difference {Format(numeric)} (error {Format(error)} > {tolerance})");
                }
            }
            j++;
        }
    }

    /// <summary>The argument <paramref name="i"/> with element <paramref name="e"/> (or the scalar) set to <paramref name="value"/>, and the value it really holds.</summary>
    private static (object Argument, double Actual) Perturbed(object[] args, int i, int e, ArrayParameter p, double value)
    {
        object element = p.IsFloat ? (object)(float)value : value;
        double actual = p.IsFloat ? (float)value : value;
        if (!p.IsSequence)
        {
            return (element, actual);
        }
        var copy = (Array)((Array)args[i]).Clone();
        copy.SetValue(element, e);
        return (copy, actual);
    }

    private static object[] Replace(object[] args, int i, object value)
    {
        object[] copy = (object[])args.Clone();
        copy[i] = value;
        return copy;
    }

    private static double Draw(Random random, bool isFloat)
    {
        double x = random.NextDouble() * 2 - 1;
        return isFloat ? (float)x : x;
    }

    private static double ValueTolerance(ArrayMethod m) =>
        m.ReturnType == typeof(float) ? GradientAssert.FloatValueTolerance : GradientAssert.DoubleValueTolerance;

    private static void Throw(CompiledProgram program, string type, ArrayMethod m, object[] args, StringBuilder failures, string twin)
    {
        if (failures.Length == 0)
        {
            return;
        }
        throw new XunitException(
            $"{twin} of {type}.{m.Name}({string.Join(", ", args.Select(FormatArg))}) is wrong:{Environment.NewLine}{failures}" +
            ArrayInvoke.Describe(program, type, m.Name));
    }

    private static string Element(ArrayParameter p, int e) => p.IsSequence ? $"{p.AdjointName}[{e}] (∂/∂{p.Name}[{e}])" : $"{p.AdjointName} (∂/∂{p.Name})";

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string FormatArray(IEnumerable<double> values) => "[" + string.Join(", ", values.Select(Format)) + "]";

    private static string FormatArg(object arg) => arg switch
    {
        double d => Format(d),
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
        bool b => b ? "true" : "false",
        double[] a => FormatArray(a),
        float[] a => "[" + string.Join(", ", a.Select(x => x.ToString("R", CultureInfo.InvariantCulture) + "f")) + "]",
        _ => System.Convert.ToString(arg, CultureInfo.InvariantCulture) ?? "null",
    };
}
