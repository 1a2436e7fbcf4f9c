using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using Backprop.Symbolic.GradientChecking;
using Xunit.Sdk;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// Checks a generated gradient at one point three ways: its returned value against the primal's, each adjoint
/// against a derivative worked out by hand, and the whole gradient against central finite differences of the
/// compiled primal.
/// </summary>
/// <remarks>
/// Errors are mixed: <c>|actual − expected| / max(1, |expected|)</c>. Double methods must match the hand-written
/// derivative to 1e-12 and finite differences to 1e-6. Float is held to 1e-5 and 2e-3 instead: the value when the
/// method returns float, an adjoint when it is a float, and finite differences (with a larger step, because float
/// cannot resolve double's default one) when the method returns float or has a float input.
/// </remarks>
public static class GradientAssert
{
    public const double DoubleValueTolerance = 1e-14;
    public const double DoubleAnalyticTolerance = 1e-12;
    public const double DoubleFiniteDifferenceTolerance = 1e-6;
    public const double FloatValueTolerance = 1e-6;
    public const double FloatAnalyticTolerance = 1e-5;
    public const double FloatFiniteDifferenceTolerance = 2e-3;
    public const double FloatFiniteDifferenceStep = 1e-3;

    /// <summary>
    /// Asserts that the gradient of <paramref name="method"/> at <paramref name="args"/> returns the primal's value and the
    /// adjoints <paramref name="expected"/> (in the gradient's <c>out</c> order), and agrees with finite differences.
    /// </summary>
    public static void Matches(Type type, string method, object[] args, params double[] expected) =>
        Matches(type, method, args, expected, finiteDifferences: true);

    /// <summary>
    /// As <see cref="Matches(Type, string, object[], double[])"/>; pass <paramref name="finiteDifferences"/> false at a
    /// point where the function is not differentiable (a kink or a tie), where only a convention decides the derivative.
    /// </summary>
    public static void Matches(Type type, string method, object[] args, double[] expected, bool finiteDifferences, Func<string>? describe = null)
    {
        MethodInfo primal = PrimalMethod(type, method, args.Length);
        bool isFloat = UsesFloat(primal);
        double valueTolerance = primal.ReturnType == typeof(float) ? FloatValueTolerance : DoubleValueTolerance;

        double primalValue = Invoke.Primal(type, method, args);
        (double value, double[] gradient) = Invoke.Gradient(type, method, args);
        ParameterInfo[] adjoints = Invoke.GradientMethod(type, method, args.Length).GetParameters().Where(p => p.IsOut).ToArray();
        string[] adjointNames = adjoints.Select(p => p.Name ?? "?").ToArray();

        var failures = new StringBuilder();
        if (!Close(value, primalValue, valueTolerance))
        {
            failures.AppendLine($"  value: gradient returned {Format(value)} but {method} returns {Format(primalValue)}");
        }

        if (gradient.Length != expected.Length)
        {
            failures.AppendLine($"  the gradient has {gradient.Length} out parameters ({string.Join(", ", adjointNames)}) but the test expects {expected.Length}");
        }
        else
        {
            for (int i = 0; i < expected.Length; i++)
            {
                double analyticTolerance = adjoints[i].ParameterType.GetElementType() == typeof(float) ? FloatAnalyticTolerance : DoubleAnalyticTolerance;
                if (!Close(gradient[i], expected[i], analyticTolerance))
                {
                    failures.AppendLine($"  {adjointNames[i]}: generated {Format(gradient[i])}, analytic {Format(expected[i])} (error {Format(MixedError(gradient[i], expected[i]))})");
                }
            }

            if (finiteDifferences)
            {
                CheckFiniteDifferences(type, method, primal, args, adjointNames, gradient, isFloat, failures);
            }
        }

        if (failures.Length > 0)
        {
            string context = describe is null ? "" : Environment.NewLine + describe();
            throw new XunitException(
                $"Gradient of {type.Name}.{method}({string.Join(", ", args.Select(FormatArg))}) is wrong:{Environment.NewLine}{failures}{context}");
        }
    }

    /// <summary>
    /// Asserts that a gradient agrees with central finite differences only, for functions whose derivative is tedious to
    /// write by hand; the value is still checked against the primal.
    /// </summary>
    public static void MatchesFiniteDifferences(Type type, string method, params object[] args)
    {
        MethodInfo primal = PrimalMethod(type, method, args.Length);
        bool isFloat = UsesFloat(primal);
        double primalValue = Invoke.Primal(type, method, args);
        (double value, double[] gradient) = Invoke.Gradient(type, method, args);
        string[] adjointNames = Invoke.GradientMethod(type, method, args.Length).GetParameters()
            .Where(p => p.IsOut).Select(p => p.Name ?? "?").ToArray();
        var failures = new StringBuilder();
        if (!Close(value, primalValue, primal.ReturnType == typeof(float) ? FloatValueTolerance : DoubleValueTolerance))
        {
            failures.AppendLine($"  value: gradient returned {Format(value)} but {method} returns {Format(primalValue)}");
        }
        CheckFiniteDifferences(type, method, primal, args, adjointNames, gradient, isFloat, failures);
        if (failures.Length > 0)
        {
            throw new XunitException(
                $"Gradient of {type.Name}.{method}({string.Join(", ", args.Select(FormatArg))}) is wrong:{Environment.NewLine}{failures}");
        }
    }

    /// <summary>The mixed error <c>|actual − expected| / max(1, |expected|)</c>.</summary>
    public static double MixedError(double actual, double expected)
    {
        if (actual.Equals(expected))
        {
            return 0;
        }
        return Math.Abs(actual - expected) / Math.Max(1.0, Math.Abs(expected));
    }

    private static bool UsesFloat(MethodInfo primal) =>
        primal.ReturnType == typeof(float) || primal.GetParameters().Any(p => p.ParameterType == typeof(float));

    private static bool Close(double actual, double expected, double tolerance) => MixedError(actual, expected) <= tolerance;

    private static void CheckFiniteDifferences(
        Type type, string method, MethodInfo primal, object[] args, string[] adjointNames, double[] gradient, bool isFloat, StringBuilder failures)
    {
        // The active inputs are the parameters that have an adjoint: x -> dX.
        ParameterInfo[] parameters = primal.GetParameters();
        int[] active = adjointNames
            .Select(adjoint => Array.FindIndex(parameters, p => AdjointName(p.Name!) == adjoint))
            .ToArray();
        if (active.Any(i => i < 0))
        {
            failures.AppendLine($"  the adjoints ({string.Join(", ", adjointNames)}) do not all name a parameter of {method} by the d + Name convention");
            return;
        }

        double[] point = active.Select(i => System.Convert.ToDouble(args[i], CultureInfo.InvariantCulture)).ToArray();
        double Primal(double[] p)
        {
            object[] probe = (object[])args.Clone();
            for (int k = 0; k < active.Length; k++)
            {
                probe[active[k]] = p[k];
            }
            return Invoke.Primal(type, method, probe);
        }

        double step = isFloat ? FloatFiniteDifferenceStep : FiniteDifferences.DefaultStep;
        double tolerance = isFloat ? FloatFiniteDifferenceTolerance : DoubleFiniteDifferenceTolerance;
        double[] numeric = FiniteDifferences.Gradient(Primal, point, step);
        double error = GradientCheck.MaxRelativeError(gradient, numeric);
        if (!(error <= tolerance))
        {
            failures.AppendLine($"  finite differences disagree (max mixed error {Format(error)} > {tolerance}):");
            for (int k = 0; k < active.Length; k++)
            {
                failures.AppendLine($"    {adjointNames[k]}: generated {Format(gradient[k])}, finite difference {Format(numeric[k])}");
            }
        }
    }

    /// <summary>The documented adjoint name: <c>d</c> + the parameter name with its first letter upper-cased.</summary>
    public static string AdjointName(string parameterName) =>
        "d" + char.ToUpperInvariant(parameterName[0]) + parameterName.Substring(1);

    private static MethodInfo PrimalMethod(Type type, string method, int argumentCount) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .SingleOrDefault(m => m.Name == method && m.GetParameters().Length == argumentCount && !m.GetParameters().Any(p => p.IsOut))
        ?? throw new MissingMethodException($"{type.FullName} has no static method {method} with {argumentCount} parameters.");

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string FormatArg(object arg) => arg switch
    {
        double d => Format(d),
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
        bool b => b ? "true" : "false",
        _ => Convert.ToString(arg, CultureInfo.InvariantCulture) ?? "null",
    };
}
