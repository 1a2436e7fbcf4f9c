using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Backprop.Symbolic.Generators.Tests.GeneratedCode;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.ForwardMode;

/// <summary>
/// Forward mode against reverse mode: for every method of the snapshot cases, at random points and along
/// random directions, <c>{Name}Derivative</c> returns the same value as the method and a directional
/// derivative equal to the gradient's inner product with the direction.
/// </summary>
public sealed class ForwardModeTests
{
    private const string Usings = "using System;\nusing Backprop.Symbolic;\n\n";
    private const BindingFlags AnyStatic = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly;

    // Cases with span parameters cannot be called by reflection; SnapshotCasesWithSpans checks them through array drivers.
    public static IEnumerable<object[]> CaseNames() => GeneratedCodeSnapshotTests.Cases
        .Where(c => !c.Value.Contains("ReadOnlySpan", StringComparison.Ordinal)).Select(c => new object[] { c.Key });

    [Theory]
    [InlineData("NestedLoopsWithTape", "Layer")]
    [InlineData("EarlyReturnInLoop", "FirstAbove")]
    [InlineData("LocalArrayOverwrittenInLoop", "Recurrent")]
    [InlineData("WhileWithSideEffect", "Horner")]
    public void SnapshotCasesWithSpans_forward_equals_reverse_and_finite_differences(string name, string method)
    {
        var program = new CompiledProgram(Usings + GeneratedCodeSnapshotTests.Cases[name]);
        double[] span = { 0.4, -0.7, 1.1 };
        object[] args = method switch
        {
            "Layer" => new object[] { span, new[] { 0.3, -0.2, 0.5, 0.1, 0.9, -0.6, 0.25, -0.35, 0.45 } },
            "FirstAbove" => new object[] { span, 0.5 },
            "Recurrent" => new object[] { span, 0.8 },
            _ => new object[] { span, 1.3 },
        };
        ArrayGradientAssert.ForwardMatchesReverse(program, "Samples.Functions", method, args);
        ArrayGradientAssert.MatchesFiniteDifferences(program, "Samples.Functions", method, args);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Directional_derivative_equals_gradient_times_direction(string name)
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(Usings + GeneratedCodeSnapshotTests.Cases[name]);
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) & 0x7fffffff);
        int checkedMethods = 0;
        foreach (Type declared in assembly.GetTypes())
        {
            Type type = declared.IsGenericTypeDefinition
                ? declared.MakeGenericType(declared.GetGenericArguments().Select(_ => typeof(int)).ToArray())
                : declared;
            foreach (MethodInfo derivative in type.GetMethods(AnyStatic).Where(m => m.Name.EndsWith("Derivative", StringComparison.Ordinal)))
            {
                string primalName = derivative.Name[..^"Derivative".Length];
                MethodInfo primal = type.GetMethods(AnyStatic).Single(m => m.Name == primalName);
                MethodInfo gradient = type.GetMethods(AnyStatic).Single(m => m.Name == primalName + "Gradient");
                for (int trial = 0; trial < 20; trial++)
                {
                    Check(primal, gradient, derivative, random);
                }
                checkedMethods++;
            }
        }
        Assert.True(checkedMethods > 0, "No forward-mode method was generated.");
    }

    [Fact]
    public void Forward_mode_signature_takes_one_tangent_per_differentiated_parameter_and_an_out_derivative()
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(Usings + GeneratedCodeSnapshotTests.Cases["RestrictedParameters"]);
        MethodInfo method = assembly.GetType("Samples.Functions")!.GetMethod("NeuronDerivative", AnyStatic)!;
        ParameterInfo[] parameters = method.GetParameters();
        Assert.Equal(new[] { "w", "b", "input", "target", "dW", "dB", "derivative" }, parameters.Select(p => p.Name));
        Assert.All(parameters.Take(6), p => Assert.Equal(typeof(double), p.ParameterType));
        Assert.True(parameters[6].IsOut);
        Assert.Equal(typeof(double), method.ReturnType);
        Assert.True(method.IsPublic);
    }

    private static void Check(MethodInfo primal, MethodInfo gradient, MethodInfo derivative, Random random)
    {
        ParameterInfo[] inputs = primal.GetParameters();
        object[] args = inputs.Select(p => Sample(p.ParameterType, random)).ToArray();

        object[] gradientArgs = args.Concat(Enumerable.Repeat<object>(null!, gradient.GetParameters().Length - args.Length)).ToArray();
        double value = System.Convert.ToDouble(gradient.Invoke(null, gradientArgs));
        double[] partials = gradientArgs.Skip(args.Length).Select(o => System.Convert.ToDouble(o)).ToArray();

        int tangentCount = derivative.GetParameters().Length - args.Length - 1;
        Assert.Equal(partials.Length, tangentCount);
        Type scalar = primal.ReturnType;
        double[] direction = Enumerable.Range(0, tangentCount).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        if (scalar == typeof(float))
        {
            direction = direction.Select(d => (double)(float)d).ToArray();
        }
        object[] derivativeArgs = args
            .Concat(direction.Select(d => System.Convert.ChangeType(d, scalar)))
            .Concat(new object[] { null! })
            .ToArray();
        double forwardValue = System.Convert.ToDouble(derivative.Invoke(null, derivativeArgs));
        double forward = System.Convert.ToDouble(derivativeArgs[^1]);

        string where = $"{primal.Name}({string.Join(", ", args)}) along ({string.Join(", ", direction)})";
        Assert.True(value.Equals(forwardValue), $"{where}: forward mode returned {forwardValue}, reverse mode {value}.");
        double expected = 0, scale = 1;
        for (int i = 0; i < partials.Length; i++)
        {
            expected += partials[i] * direction[i];
            scale += Math.Abs(partials[i] * direction[i]);
        }
        double tolerance = (scalar == typeof(float) ? 1e-5 : 1e-12) * scale;
        Assert.True(Math.Abs(forward - expected) <= tolerance, $"{where}: forward mode gives {forward}, the gradient times the direction {expected}.");
    }

    private static object Sample(Type type, Random random)
    {
        // Positive inputs keep every snapshot case in its domain (logarithms, powers, square roots).
        double x = 0.2 + 1.3 * random.NextDouble();
        if (type == typeof(double))
        {
            return x;
        }
        if (type == typeof(float))
        {
            return (float)x;
        }
        if (type == typeof(int))
        {
            return random.Next(1, 5); // some cases divide by their integer parameter
        }
        if (type == typeof(bool))
        {
            return random.Next(2) == 0;
        }
        throw new NotSupportedException(type.Name);
    }
}
