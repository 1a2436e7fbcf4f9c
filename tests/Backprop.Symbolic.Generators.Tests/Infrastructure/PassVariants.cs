using System;
using System.Linq;
using System.Reflection;
using Backprop.Symbolic.Generators.Emit;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Tests.Analyses;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// A source (namespace <c>Passes</c>, class <c>Functions</c>) compiled twice: with the generator's default passes and
/// with some switched off. <see cref="Both"/> calls a method of each, from adjoint buffers filled with NaN (so an element
/// left unwritten shows), and asserts that every output is the same bit for bit.
/// </summary>
internal sealed class PassVariants
{
    private readonly Lazy<(Type On, string OnCode, Type Off, string OffCode)> _built;

    public PassVariants(string source, GradientEmitter.Options off)
    {
        _built = new(() =>
        {
            GeneratorRun run = GeneratorHarness.Run(source);
            Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
            MethodModel[] models = run.RunResult.Results.Single().TrackedSteps[TrackingNames.Models]
                .SelectMany(step => step.Outputs).Select(output => (MethodModel)output.Value).ToArray();
            (Type on, string onCode) = PassSwitchTests.Build(run.InputCompilation, models, GradientEmitter.Options.Default);
            (Type offType, string offCode) = PassSwitchTests.Build(run.InputCompilation, models, off);
            return (on, onCode, offType, offCode);
        });
    }

    /// <summary>The compiled class with the default passes.</summary>
    public Type On => _built.Value.On;

    /// <summary>The generated code with the default passes, and with the others off.</summary>
    public string OnCode => _built.Value.OnCode;

    public string OffCode => _built.Value.OffCode;

    /// <summary>Runs the static <paramref name="method"/> of both variants; returns the default variant's value and adjoints.</summary>
    /// <param name="adjointShapes">Arrays of the adjoints' types and lengths; each is passed NaN-filled after <paramref name="inputs"/>.</param>
    public object[] Both(string method, object[] inputs, params Array[] adjointShapes)
    {
        object[] Run(Type type)
        {
            Array[] adjoints = adjointShapes.Select(a =>
            {
                var copy = Array.CreateInstance(a.GetType().GetElementType()!, a.Length);
                for (int i = 0; i < a.Length; i++)
                {
                    copy.SetValue(copy is float[] ? (object)float.NaN : double.NaN, i);
                }
                return copy;
            }).ToArray();
            object? value = type.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, inputs.Concat(adjoints).ToArray());
            return new object[] { value! }.Concat(adjoints).ToArray();
        }
        object[] on = Run(_built.Value.On), off = Run(_built.Value.Off);
        for (int k = 0; k < on.Length; k++)
        {
            double[] a = Doubles(on[k]), b = Doubles(off[k]);
            Assert.Equal(b.Length, a.Length);
            for (int i = 0; i < a.Length; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(a[i]) == BitConverter.DoubleToInt64Bits(b[i]),
                    $"{method}: output {k}, element {i}: {a[i]} with the passes, {b[i]} without");
            }
        }
        return on;
    }

    private static double[] Doubles(object o) => o switch
    {
        double d => new[] { d },
        float f => new[] { (double)f },
        double[] a => a,
        float[] f => f.Select(v => (double)v).ToArray(),
        _ => throw new ArgumentException(o.GetType().Name),
    };
}
