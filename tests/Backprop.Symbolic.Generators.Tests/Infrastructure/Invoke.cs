using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// Calls static methods of a compiled test assembly through reflection: the primal and its generated
/// gradient, filling the gradient's <c>out</c> adjoints automatically.
/// </summary>
/// <remarks>
/// Arguments are converted to the parameter types with the invariant culture, so a test can pass
/// <c>1.5</c> to a <c>float</c> parameter or <c>2</c> to a <c>double</c> one. Methods of any accessibility are found.
/// </remarks>
public static class Invoke
{
    private const BindingFlags AnyStatic = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>
    /// Calls the gradient of the [Differentiable] method <paramref name="name"/>, that is <c>{name}Gradient</c>
    /// (or <paramref name="name"/> itself when it already names a method with <c>out</c> parameters), with
    /// <paramref name="args"/> followed by one slot per <c>out</c> parameter.
    /// </summary>
    /// <returns>The returned value and the <c>out</c> values in declaration order, widened to double.</returns>
    public static (double Value, double[] Gradient) Gradient(Type type, string name, params object[] args)
    {
        (object? value, object?[] outs) = CallGradient(type, name, args);
        return (ToDouble(value), outs.Select(ToDouble).ToArray());
    }

    /// <summary>
    /// Like <see cref="Gradient(Type, string, object[])"/> but keeps the method's own floating-point type
    /// (<see cref="float"/> or <see cref="double"/>) for the value and the adjoints.
    /// </summary>
    public static (T Value, T[] Gradient) Gradient<T>(Type type, string name, params object[] args)
    {
        (object? value, object?[] outs) = CallGradient(type, name, args);
        return (Cast<T>(value, "return value"), outs.Select((o, i) => Cast<T>(o, $"out parameter {i}")).ToArray());
    }

    /// <summary>Calls the static method <paramref name="name"/> (no <c>out</c> parameters) and returns its value as a double.</summary>
    public static double Primal(Type type, string name, params object[] args) => ToDouble(Call(type, name, args));

    /// <summary>Calls the static method <paramref name="name"/> and returns its value in the method's own type.</summary>
    public static T Primal<T>(Type type, string name, params object[] args) => Cast<T>(Call(type, name, args), "return value");

    /// <summary>Calls the static method <paramref name="name"/> that takes exactly <paramref name="args"/> (no <c>out</c> parameters).</summary>
    public static object? Call(Type type, string name, params object[] args)
    {
        MethodInfo method = FindMethod(type, name, args.Length, outCount: 0);
        return InvokeMethod(method, Convert(method.GetParameters(), args));
    }

    /// <summary>The gradient method that <see cref="Gradient(Type, string, object[])"/> would call for <paramref name="argumentCount"/> inputs.</summary>
    public static MethodInfo GradientMethod(Type type, string name, int argumentCount)
    {
        MethodInfo? method = TryFindMethod(type, name + "Gradient", argumentCount, outCount: null)
            ?? TryFindMethod(type, name, argumentCount, outCount: null, requireOut: true);
        return method ?? throw new MissingMethodException(
            $"{type.FullName} has no gradient method '{name}Gradient' taking {argumentCount} inputs before its out parameters. " +
            $"Its static methods: {ListMethods(type)}");
    }

    private static (object? Value, object?[] Outs) CallGradient(Type type, string name, object[] args)
    {
        MethodInfo method = GradientMethod(type, name, args.Length);
        ParameterInfo[] parameters = method.GetParameters();
        object?[] all = new object?[parameters.Length];
        int next = 0;
        var outIndexes = new List<int>();
        for (int i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].IsOut)
            {
                outIndexes.Add(i);
            }
            else
            {
                all[i] = ConvertTo(args[next++], parameters[i].ParameterType, parameters[i].Name);
            }
        }

        object? value = InvokeMethod(method, all);
        return (value, outIndexes.Select(i => all[i]).ToArray());
    }

    private static object? InvokeMethod(MethodInfo method, object?[] args)
    {
        try
        {
            return method.Invoke(null, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static MethodInfo FindMethod(Type type, string name, int inCount, int? outCount) =>
        TryFindMethod(type, name, inCount, outCount)
        ?? throw new MissingMethodException(
            $"{type.FullName} has no static method '{name}' taking {inCount} inputs. Its static methods: {ListMethods(type)}");

    private static MethodInfo? TryFindMethod(Type type, string name, int inCount, int? outCount, bool requireOut = false)
    {
        var candidates = type.GetMethods(AnyStatic)
            .Where(m => m.Name == name)
            .Where(m =>
            {
                ParameterInfo[] ps = m.GetParameters();
                int outs = ps.Count(p => p.IsOut);
                return ps.Length - outs == inCount
                    && (outCount is null || outs == outCount)
                    && (!requireOut || outs > 0);
            })
            .ToList();
        if (candidates.Count > 1)
        {
            throw new AmbiguousMatchException($"{type.FullName} has {candidates.Count} static methods '{name}' taking {inCount} inputs.");
        }
        return candidates.SingleOrDefault();
    }

    private static string ListMethods(Type type) =>
        string.Join(", ", type.GetMethods(AnyStatic).Select(m =>
            $"{m.Name}({string.Join(", ", m.GetParameters().Select(p => (p.IsOut ? "out " : "") + p.ParameterType.Name + " " + p.Name))})"));

    private static object?[] Convert(ParameterInfo[] parameters, object[] args) =>
        parameters.Select((p, i) => ConvertTo(args[i], p.ParameterType, p.Name)).ToArray();

    private static object? ConvertTo(object? value, Type type, string? parameterName)
    {
        if (value is null || type.IsInstanceOfType(value))
        {
            return value;
        }
        if (value is IConvertible && (type.IsPrimitive || type == typeof(decimal)))
        {
            return System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
        }
        throw new ArgumentException($"Cannot pass a {value.GetType().Name} to parameter '{parameterName}' of type {type.Name}.");
    }

    private static double ToDouble(object? value) => value switch
    {
        double d => d,
        float f => f,
        null => throw new InvalidOperationException("The method returned null where a number was expected."),
        _ => throw new InvalidOperationException($"Expected a float or double but got a {value.GetType().Name}."),
    };

    private static T Cast<T>(object? value, string what) => value is T t
        ? t
        : throw new InvalidOperationException($"Expected the {what} to be a {typeof(T).Name} but got {value?.GetType().Name ?? "null"}.");
}
