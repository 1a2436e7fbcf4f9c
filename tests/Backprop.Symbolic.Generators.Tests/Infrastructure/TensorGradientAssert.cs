using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Backprop.Symbolic.Tensors;
using Xunit.Sdk;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// Calls a generated <c>{Name}Gradient</c> of a method with tensors and checks it against a double-precision reference
/// of the loss written in the test: the value, and every element of every adjoint against central finite differences
/// of the reference (in double, so the differences are accurate to far below the float gradient's own rounding).
/// </summary>
/// <remarks>
/// Arguments are <see cref="Tensor"/>s, floats and <c>int[]</c> labels (a method taking <c>ReadOnlySpan&lt;int&gt;</c>
/// is called through a wrapper in the test source that takes an array). The reference receives one <c>double[]</c> per
/// argument, in order: a tensor's elements, a float as one element, labels as numbers. Adjoint tensors are handed in
/// filled with a sentinel, so a gradient that accumulates instead of overwriting fails.
/// </remarks>
public static class TensorGradientAssert
{
    private const float Sentinel = 1234.5f;

    /// <summary>Calls <paramref name="gradient"/> and returns the value and the adjoints (one array per adjoint, in order).</summary>
    public static (double Value, double[][] Adjoints) Call(Type type, string gradient, params object[] args)
    {
        MethodInfo method = type.GetMethod(gradient, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new ArgumentException($"{type.FullName} has no method {gradient}.");
        ParameterInfo[] parameters = method.GetParameters();
        var call = new object?[parameters.Length];
        Array.Copy(args, call, args.Length);
        for (int i = args.Length; i < parameters.Length; i++)
        {
            ParameterInfo p = parameters[i];
            int owner = Owner(parameters, args.Length, p.Name!);
            if (p.ParameterType == typeof(Tensor))
            {
                var t = (Tensor)args[owner];
                Tensor adjoint = Tensor.Zeros(t.Shape);
                adjoint.Fill(Sentinel);
                call[i] = adjoint;
            }
            else if (p.ParameterType.IsByRef)
            {
                call[i] = null;
            }
            else
            {
                throw new ArgumentException($"Adjoint {p.Name} of type {p.ParameterType} is not supported by this helper.");
            }
        }
        object? value;
        try
        {
            value = method.Invoke(null, call);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        var adjoints = new List<double[]>();
        for (int i = args.Length; i < parameters.Length; i++)
        {
            adjoints.Add(call[i] switch
            {
                Tensor t => t.ToArray().Select(v => (double)v).ToArray(),
                float f => new double[] { f },
                double d => new[] { d },
                _ => throw new InvalidOperationException($"Adjoint {parameters[i].Name} holds {call[i]}."),
            });
        }
        return (Convert.ToDouble(value, CultureInfo.InvariantCulture), adjoints.ToArray());
    }

    /// <summary>
    /// Checks the value and every adjoint of <paramref name="gradient"/> at <paramref name="args"/> against
    /// <paramref name="reference"/>; returns the adjoints for further (analytic) checks.
    /// </summary>
    public static double[][] Matches(Type type, string gradient, object[] args, Func<double[][], double> reference, double tolerance = 2e-3)
    {
        (double value, double[][] adjoints) = Call(type, gradient, args);
        double[][] inputs = args.Select(ToDoubles).ToArray();
        double expected = reference(inputs);
        if (!Close(value, expected, tolerance))
        {
            throw new XunitException($"{gradient}: value {value} but the double reference gives {expected}.");
        }

        MethodInfo method = type.GetMethod(gradient, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        ParameterInfo[] parameters = method.GetParameters();
        for (int a = 0; a < adjoints.Length; a++)
        {
            ParameterInfo p = parameters[args.Length + a];
            int owner = Owner(parameters, args.Length, p.Name!);
            double[] numeric = CentralDifferences(reference, inputs, owner);
            for (int k = 0; k < numeric.Length; k++)
            {
                if (!Close(adjoints[a][k], numeric[k], tolerance))
                {
                    throw new XunitException(
                        $"{gradient}: {p.Name}[{k}] is {adjoints[a][k]} but central differences of the double reference give {numeric[k]}." +
                        $"{Environment.NewLine}{p.Name} = [{string.Join(", ", adjoints[a].Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))}]" +
                        $"{Environment.NewLine}numeric = [{string.Join(", ", numeric.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))}]");
                }
            }
        }
        return adjoints;
    }

    /// <summary>
    /// Checks that <paramref name="derivative"/> (forward mode) along a random direction returns the value of
    /// <paramref name="gradient"/> and the inner product of its adjoints with that direction.
    /// </summary>
    public static void DerivativeMatchesGradient(Type type, string gradient, string derivative, object[] args, double tolerance = 1e-4)
    {
        (double value, double[][] adjoints) = Call(type, gradient, args);
        MethodInfo method = type.GetMethod(derivative, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new ArgumentException($"{type.FullName} has no method {derivative}.");
        ParameterInfo[] parameters = method.GetParameters();
        var call = new object?[parameters.Length];
        Array.Copy(args, call, args.Length);
        double expected = 0;
        for (int i = args.Length, a = 0; i < parameters.Length - 1; i++, a++)
        {
            int owner = Owner(parameters, args.Length, parameters[i].Name!);
            if (args[owner] is Tensor t)
            {
                Tensor direction = Random(100 + i, -1, 1, t.Shape.ToArray());
                call[i] = direction;
                float[] d = direction.ToArray();
                for (int k = 0; k < d.Length; k++)
                {
                    expected += adjoints[a][k] * d[k];
                }
            }
            else
            {
                float d = 0.25f * (i + 1);
                call[i] = Convert.ChangeType(d, parameters[i].ParameterType, CultureInfo.InvariantCulture);
                expected += adjoints[a][0] * d;
            }
        }
        object? result;
        try
        {
            result = method.Invoke(null, call);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        double forwardValue = Convert.ToDouble(result, CultureInfo.InvariantCulture);
        double directional = Convert.ToDouble(call[parameters.Length - 1], CultureInfo.InvariantCulture);
        if (!Close(forwardValue, value, 1e-6))
        {
            throw new XunitException($"{derivative}: value {forwardValue}, but {gradient} returns {value}.");
        }
        if (!Close(directional, expected, tolerance))
        {
            throw new XunitException($"{derivative}: derivative {directional}, but the gradient's inner product with the direction is {expected}.");
        }
    }

    /// <summary>∂reference/∂inputs[<paramref name="which"/>][k] for every k, by central differences in double.</summary>
    public static double[] CentralDifferences(Func<double[][], double> reference, double[][] inputs, int which)
    {
        double[][] copy = inputs.Select(a => (double[])a.Clone()).ToArray();
        var result = new double[copy[which].Length];
        for (int k = 0; k < result.Length; k++)
        {
            double x = copy[which][k];
            double h = 1e-6 * Math.Max(1, Math.Abs(x));
            copy[which][k] = x + h;
            double up = reference(copy);
            copy[which][k] = x - h;
            double down = reference(copy);
            copy[which][k] = x;
            result[k] = (up - down) / (2 * h);
        }
        return result;
    }

    /// <summary>True when <paramref name="actual"/> is within <paramref name="tolerance"/> of <paramref name="expected"/>, relative above 1.</summary>
    public static bool Close(double actual, double expected, double tolerance) =>
        Math.Abs(actual - expected) <= tolerance * Math.Max(1, Math.Abs(expected));

    /// <summary>A tensor of <paramref name="shape"/> with deterministic values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Random(int seed, double low, double high, params int[] shape)
    {
        var random = new Random(seed);
        Tensor t = Tensor.Zeros(shape);
        Span<float> values = t.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(low + (high - low) * random.NextDouble());
        }
        return t;
    }

    private static double[] ToDoubles(object arg) => arg switch
    {
        Tensor t => t.ToArray().Select(v => (double)v).ToArray(),
        float f => new double[] { f },
        double d => new[] { d },
        int[] labels => labels.Select(v => (double)v).ToArray(),
        int i => new double[] { i },
        _ => throw new ArgumentException($"Unsupported argument {arg}."),
    };

    /// <summary>The index of the parameter adjoint <paramref name="adjoint"/> belongs to (<c>dW</c> → <c>w</c> or <c>W</c>).</summary>
    private static int Owner(ParameterInfo[] parameters, int count, string adjoint)
    {
        for (int i = 0; i < count; i++)
        {
            string name = parameters[i].Name!;
            if ("d" + char.ToUpperInvariant(name[0]) + name.Substring(1) == adjoint)
            {
                return i;
            }
        }
        throw new ArgumentException($"No parameter owns the adjoint {adjoint}.");
    }
}
