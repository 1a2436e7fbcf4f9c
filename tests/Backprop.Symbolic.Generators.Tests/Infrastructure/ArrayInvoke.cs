using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// Calls [Differentiable] methods that take spans or arrays, their <c>{Name}Gradient</c> and their
/// <c>{Name}Derivative</c>, with arrays. Reflection cannot pass a <c>ReadOnlySpan&lt;T&gt;</c> (a ref struct), so the
/// program is compiled once more with a driver class (<see cref="ArrayDriverSource"/>) that does; see
/// <see cref="ArrayDriverProgram"/> for how methods the generator cannot handle yet are kept apart from the rest.
/// </summary>
/// <remarks>
/// <para>
/// <c>type</c> is the containing type's metadata name (<c>Ns.Type</c>, <c>Ns.Outer+Inner</c>) and <c>method</c> the
/// [Differentiable] method's name (unique in its type). <c>args</c> holds one value per parameter: a <c>double[]</c> or
/// <c>float[]</c> for a span or array parameter (a <c>double[]</c> is converted for a float one), and a number or bool
/// for a scalar (converted to the parameter's type, so <c>2</c> can go to a double). Arrays are copied before every call.
/// </para>
/// <para>
/// Adjoints and tangents follow the documented API: one per differentiable parameter, in parameter order. An adjoint
/// buffer is a <c>T[]</c> of the parameter's length for a span or array, and a length-1 <c>T[]</c> for a scalar's
/// <c>out</c>. Values come back widened to double.
/// </para>
/// </remarks>
public static class ArrayInvoke
{
    private static readonly ConditionalWeakTable<CompiledProgram, Lazy<ArrayDriverProgram>> Programs = new();

    /// <summary>The program compiled with its drivers (built on first use, then shared).</summary>
    public static ArrayDriverProgram Program(CompiledProgram program) =>
        Programs.GetValue(program, p => new Lazy<ArrayDriverProgram>(() => ArrayDriverProgram.Build(p.Source, p.LanguageVersion))).Value;

    /// <summary>The description of the [Differentiable] method: its parameters, which are differentiable, and their adjoint names.</summary>
    public static ArrayMethod Method(CompiledProgram program, string type, string method) => Program(program).Method(type, method);

    /// <summary>The type <paramref name="type"/> (metadata name) of the compiled program, for inspecting signatures.</summary>
    public static Type Type(CompiledProgram program, string type) =>
        Program(program).Assembly.GetType(type, throwOnError: false)
        ?? throw new ArgumentException($"The compiled test source has no type '{type}'.");

    /// <summary>The generator's diagnostics and generated code for the method, for failure messages.</summary>
    public static string Describe(CompiledProgram program, string type, string method)
    {
        ArrayDriverProgram compiled = Program(program);
        return compiled.Describe(compiled.Method(type, method));
    }

    /// <summary>Calls the method itself.</summary>
    public static double Primal(CompiledProgram program, string type, string method, params object[] args)
    {
        ArrayDriverProgram compiled = Program(program);
        ArrayMethod m = compiled.Method(type, method);
        return (double)Call(compiled.Driver(m, "Primal"), new object[] { Arguments(m, args) })!;
    }

    /// <summary>
    /// Calls <c>{method}Gradient</c> with fresh zeroed adjoint buffers.
    /// </summary>
    /// <returns>The value, and one array per adjoint in order (length 1 for a scalar), widened to double.</returns>
    public static (double Value, double[][] Adjoints) Gradient(CompiledProgram program, string type, string method, params object[] args)
    {
        ArrayMethod m = Method(program, type, method);
        Array[] buffers = AdjointBuffers(m, args);
        double value = GradientInto(program, type, method, args, buffers);
        return (value, buffers.Select(ToDoubles).ToArray());
    }

    /// <summary>
    /// Calls <c>{method}Gradient</c> with the caller's adjoint buffers (a <c>T[]</c> each, of any length, so a test can
    /// pass a wrong one or a pre-filled one) and returns the value; the buffers hold the adjoints afterwards.
    /// </summary>
    public static double GradientInto(CompiledProgram program, string type, string method, object[] args, Array[] adjoints)
    {
        ArrayDriverProgram compiled = Program(program);
        ArrayMethod m = compiled.Method(type, method);
        MethodInfo driver = compiled.Driver(m, "Gradient");
        CheckBuffers(m, adjoints, "adjoint");
        return (double)Call(driver, new object[] { Arguments(m, args), adjoints.Cast<object>().ToArray() })!;
    }

    /// <summary>Fresh zeroed adjoint buffers for the method at <paramref name="args"/>: one <c>T[]</c> per differentiable parameter.</summary>
    public static Array[] AdjointBuffers(ArrayMethod method, object[] args)
    {
        CheckCount(method, args);
        return method.Parameters
            .Select((p, i) => (p, i))
            .Where(x => x.p.IsDifferentiable)
            .Select(x => System.Array.CreateInstance(x.p.ElementType, x.p.IsSequence ? ((Array)args[x.i]).Length : 1))
            .ToArray();
    }

    /// <summary>
    /// Calls <c>{method}Derivative</c> along <paramref name="tangents"/>: one per differentiable parameter, in order (a
    /// <c>T[]</c> for a span or array, a number for a scalar).
    /// </summary>
    /// <returns>The value and the directional derivative, widened to double.</returns>
    public static (double Value, double Derivative) Derivative(CompiledProgram program, string type, string method, object[] args, object[] tangents)
    {
        ArrayDriverProgram compiled = Program(program);
        ArrayMethod m = compiled.Method(type, method);
        MethodInfo driver = compiled.Driver(m, "Derivative");
        var derivative = new double[1];
        double value = (double)Call(driver, new object[] { Arguments(m, args), Tangents(m, tangents), derivative })!;
        return (value, derivative[0]);
    }

    /// <summary>
    /// The bytes that <paramref name="calls"/> calls of <c>{method}Gradient</c> allocate on this thread after
    /// <paramref name="warmUp"/> calls, with the arguments and adjoint buffers allocated once beforehand; measured inside
    /// the compiled driver, so nothing of the test's own allocates in between. The fewest over up to three rounds: an
    /// allocation per call appears in every round, a one-off event of the runtime (a method promoted by tiered
    /// compilation during a round) in one at most.
    /// </summary>
    public static long GradientAllocatedBytes(CompiledProgram program, string type, string method, object[] args, int calls, int warmUp = 20)
    {
        ArrayDriverProgram compiled = Program(program);
        ArrayMethod m = compiled.Method(type, method);
        MethodInfo driver = compiled.Driver(m, "GradientAllocations");
        return (long)Call(driver, new object[] { Arguments(m, args), AdjointBuffers(m, args).Cast<object>().ToArray(), warmUp, calls })!;
    }

    /// <summary>As <see cref="GradientAllocatedBytes"/>, for <c>{method}Derivative</c> along <paramref name="tangents"/>.</summary>
    public static long DerivativeAllocatedBytes(CompiledProgram program, string type, string method, object[] args, object[] tangents, int calls, int warmUp = 20)
    {
        ArrayDriverProgram compiled = Program(program);
        ArrayMethod m = compiled.Method(type, method);
        MethodInfo driver = compiled.Driver(m, "DerivativeAllocations");
        return (long)Call(driver, new object[] { Arguments(m, args), Tangents(m, tangents), warmUp, calls })!;
    }

    /// <summary>The arguments converted to the driver's exact types; arrays are copied.</summary>
    public static object[] Arguments(ArrayMethod method, object[] args)
    {
        CheckCount(method, args);
        return method.Parameters.Select((p, i) => Convert(args[i], p, p.Name)).ToArray();
    }

    private static object[] Tangents(ArrayMethod method, object[] tangents)
    {
        var differentiable = method.Differentiable;
        if (tangents.Length != differentiable.Length)
        {
            throw new ArgumentException(
                $"{method.Name} has {differentiable.Length} differentiable parameters ({string.Join(", ", differentiable.Select(p => p.Name))}) but {tangents.Length} tangents were given.");
        }
        return differentiable.Select((p, i) => Convert(tangents[i], p, p.AdjointName)).ToArray();
    }

    private static void CheckCount(ArrayMethod method, object[] args)
    {
        if (args.Length != method.Parameters.Length)
        {
            throw new ArgumentException($"{method.Signature} takes {method.Parameters.Length} arguments but {args.Length} were given.");
        }
    }

    private static void CheckBuffers(ArrayMethod method, Array[] buffers, string what)
    {
        var differentiable = method.Differentiable;
        if (buffers.Length != differentiable.Length)
        {
            throw new ArgumentException($"{method.Name} has {differentiable.Length} adjoints but {buffers.Length} {what} buffers were given.");
        }
        for (int i = 0; i < buffers.Length; i++)
        {
            if (buffers[i] is null || buffers[i].GetType() != differentiable[i].ElementType.MakeArrayType())
            {
                throw new ArgumentException($"The {what} buffer for {differentiable[i].AdjointName} must be a {differentiable[i].ElementType.Name}[].");
            }
        }
    }

    private static object Convert(object value, ArrayParameter parameter, string what)
    {
        if (parameter.IsSequence)
        {
            if (value is not Array array || array.Rank != 1)
            {
                throw new ArgumentException($"'{what}' is a {parameter.TypeName}: pass a {parameter.ElementType.Name}[] (got {value?.GetType().Name ?? "null"}).");
            }
            Array copy = System.Array.CreateInstance(parameter.ElementType, array.Length);
            for (int i = 0; i < array.Length; i++)
            {
                copy.SetValue(System.Convert.ChangeType(array.GetValue(i), parameter.ElementType, CultureInfo.InvariantCulture), i);
            }
            return copy;
        }
        if (value is null || value is Array)
        {
            throw new ArgumentException($"'{what}' is a {parameter.TypeName}: pass a number or bool (got {value?.GetType().Name ?? "null"}).");
        }
        return value.GetType() == parameter.ElementType
            ? value
            : System.Convert.ChangeType(value, parameter.ElementType, CultureInfo.InvariantCulture);
    }

    /// <summary>A float[] or double[] as a new double[].</summary>
    public static double[] ToDoubles(Array array) => array switch
    {
        double[] d => (double[])d.Clone(),
        float[] f => f.Select(x => (double)x).ToArray(),
        _ => throw new ArgumentException($"Expected a double[] or float[] but got a {array.GetType().Name}."),
    };

    /// <summary>Invokes a driver with exactly <paramref name="args"/> as its parameters, rethrowing what it throws.</summary>
    private static object? Call(MethodInfo driver, object[] args)
    {
        try
        {
            return driver.Invoke(null, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
