using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Backprop.Symbolic.Generators.Emit;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// What callers rely on beyond the numbers: adjoint tensors of the wrong shape are refused before anything is computed,
/// adjoints are overwritten, a warmed-up gradient allocates nothing, and the fused loops compute what one loop per
/// operation computes.
/// </summary>
public sealed class TensorGradientBehaviourTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace TensorBehaviour;

        public static partial class Losses
        {
            [Differentiable(nameof(a), nameof(b), nameof(c), nameof(d))]
            public static float Mlp(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d)
            {
                Tensor h = Tanh(MatMul(x, a) + b);
                Tensor logits = MatMul(h, c) + d;
                return SoftmaxCrossEntropy(logits, y) + 0.001f * Sum(Square(a));
            }

            [Differentiable]
            public static float Regression(Tensor x, Tensor w, Tensor bias, Tensor t, float scale)
            {
                Tensor z = Sigmoid(MatMul(x, w) * scale + bias);
                return MeanSquaredError(z, t) + Mean(LeakyRelu(z - 0.5f, 0.2f)) / Sum(Softplus(w));
            }

            public static float MlpArraysGradient(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor d, Tensor dA, Tensor dB, Tensor dC, Tensor dD) =>
                MlpGradient(x, y, a, b, c, d, dA, dB, dC, dD);

            /// <summary>The bytes <paramref name="calls"/> gradient calls allocate on this thread after warming up.</summary>
            public static long MlpAllocations(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor d, int calls)
            {
                Tensor dA = Zeros(a.Shape), dB = Zeros(b.Shape), dC = Zeros(c.Shape), dD = Zeros(d.Shape);
                for (int i = 0; i < 20; i++)
                {
                    MlpGradient(x, y, a, b, c, d, dA, dB, dC, dD);
                }
                // The fewest bytes over up to three rounds: an allocation per call shows in every round, a one-off
                // event of the runtime (tiered compilation promoting a method mid-round) in one at most.
                long fewest = long.MaxValue;
                for (int round = 0; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < calls; i++)
                    {
                        MlpGradient(x, y, a, b, c, d, dA, dB, dC, dD);
                    }
                    fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                }
                return fewest;
            }
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Losses => Program.Type("TensorBehaviour.Losses");

    private static object[] MlpArguments() => new object[]
    {
        Random(1, -1, 1, 4, 3), new[] { 0, 1, 1, 0 }, Random(2, -1, 1, 3, 5), Random(3, -1, 1, 5), Random(4, -1, 1, 5, 2), Random(5, -1, 1, 2),
    };

    [Theory]
    [InlineData(0, "dA", "[3, 5]", "[5, 3]")]
    [InlineData(1, "dB", "[5]", "[1, 5]")]
    [InlineData(3, "dD", "[2]", "[3]")]
    public void Adjoint_of_the_wrong_shape_throws_naming_it_before_anything_is_computed(int which, string name, string expected, string given)
    {
        object[] args = MlpArguments();
        int[] wrong = given.Trim('[', ']').Split(", ").Select(int.Parse).ToArray();
        Tensor[] adjoints = { Tensor.Zeros(3, 5), Tensor.Zeros(5), Tensor.Zeros(5, 2), Tensor.Zeros(2) };
        adjoints[which] = Tensor.Zeros(wrong);
        foreach (Tensor t in adjoints)
        {
            t.Fill(7f);
        }
        MethodInfo gradient = Losses.GetMethod("MlpArraysGradient")!;
        var error = Assert.Throws<TargetInvocationException>(() => gradient.Invoke(null, args.Concat(adjoints.Cast<object>()).ToArray()));
        var argument = Assert.IsType<ArgumentException>(error.InnerException);
        Assert.Equal(name, argument.ParamName);
        Assert.StartsWith($"The adjoint '{name}' must have the shape of '{char.ToLowerInvariant(name[1])}' ({expected}), but has {given}.", argument.Message);
        Assert.All(adjoints, t => Assert.All(t.ToArray(), v => Assert.Equal(7f, v)));
    }

    [Fact]
    public void Default_tensor_as_adjoint_throws_naming_it()
    {
        object[] args = MlpArguments();
        MethodInfo gradient = Losses.GetMethod("MlpArraysGradient")!;
        var error = Assert.Throws<TargetInvocationException>(() =>
            gradient.Invoke(null, args.Concat(new object[] { Tensor.Zeros(3, 5), default(Tensor), Tensor.Zeros(5, 2), Tensor.Zeros(2) }).ToArray()));
        Assert.Equal("dB", Assert.IsType<ArgumentException>(error.InnerException).ParamName);
    }

    [Fact]
    public void Adjoints_are_overwritten_and_repeated_calls_agree()
    {
        object[] args = MlpArguments();
        (double first, double[][] once) = Call(Losses, "MlpArraysGradient", args); // adjoints start as a sentinel
        (double second, double[][] again) = Call(Losses, "MlpArraysGradient", args);
        Assert.Equal(first, second);
        for (int i = 0; i < once.Length; i++)
        {
            Assert.Equal(once[i], again[i]);
            Assert.All(once[i], v => Assert.True(Math.Abs(v) < 10, $"adjoint {i} holds {v}: the sentinel was accumulated into"));
        }
    }

    [Fact]
    public void Steady_state_gradient_allocates_nothing()
    {
        object[] args = MlpArguments();
        long bytes = (long)Losses.GetMethod("MlpAllocations")!.Invoke(null, args.Append(200).ToArray())!;
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Fused_and_unfused_loops_compute_the_same_gradient()
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        Assert.Empty(run.GeneratorDiagnostics);
        MethodModel[] models = run.RunResult.Results.Single().TrackedSteps[TrackingNames.Models]
            .SelectMany(step => step.Outputs).Select(output => (MethodModel)output.Value).ToArray();
        (Type fused, string fusedCode) = Build(run.InputCompilation, models, GradientEmitter.Options.Default);
        (Type unfused, string unfusedCode) = Build(run.InputCompilation, models, GradientEmitter.Options.Default with { TensorFusion = false });
        Assert.True(unfusedCode.Split(".RentTensor(").Length > fusedCode.Split(".RentTensor(").Length, "switching fusion off should materialize more intermediates");

        object[] mlp = MlpArguments();
        Compare(Call(fused, "MlpArraysGradient", mlp), Call(unfused, "MlpArraysGradient", mlp));
        object[] regression = { Random(6, -1, 1, 4, 3), Random(7, -1, 1, 3, 2), Random(8, -1, 1, 2), Random(9, 0, 1, 4, 2), 1.5f };
        Compare(Call(fused, "RegressionGradient", regression), Call(unfused, "RegressionGradient", regression));

        static void Compare((double Value, double[][] Adjoints) a, (double Value, double[][] Adjoints) b)
        {
            Assert.True(Close(a.Value, b.Value, 1e-6));
            for (int i = 0; i < a.Adjoints.Length; i++)
            {
                for (int k = 0; k < a.Adjoints[i].Length; k++)
                {
                    Assert.True(Close(a.Adjoints[i][k], b.Adjoints[i][k], 1e-5), $"adjoint {i}[{k}]: fused {a.Adjoints[i][k]}, unfused {b.Adjoints[i][k]}");
                }
            }
        }
    }

    [Fact]
    public void Regression_loss_with_a_scaled_product_sigmoid_and_float_parameter()
    {
        object[] args = { Random(6, -1, 1, 4, 3), Random(7, -1, 1, 3, 2), Random(8, -1, 1, 2), Random(9, 0, 1, 4, 2), 1.5f };
        Matches(Losses, "RegressionGradient", args, v =>
        {
            double[] z = Reference.Map(Reference.Zip(Reference.Map(Reference.MatMul(v[0], v[1], 4, 3, 2), t => t * v[4][0]), v[2], (p, q) => p + q), Reference.Sigmoid);
            double leaky = Reference.Mean(Reference.Map(z, t => t - 0.5 > 0 ? t - 0.5 : 0.2 * (t - 0.5)));
            return Reference.MeanSquaredError(z, v[3]) + leaky / Reference.Sum(Reference.Map(v[1], Reference.Softplus));
        });
    }

    private static (Type Losses, string Code) Build(CSharpCompilation input, MethodModel[] models, GradientEmitter.Options options)
    {
        var parseOptions = (CSharpParseOptions)input.SyntaxTrees[0].Options;
        string[] sources = models.Select(m => GradientEmitter.Emit(m, options, default).Source).ToArray();
        // Each generated file declares a file-local helper, so each needs its own path (as generated files have).
        CSharpCompilation compilation = input.AddSyntaxTrees(sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parseOptions, path: models[i].HintName)));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) + Environment.NewLine + string.Join(Environment.NewLine, sources));
        stream.Position = 0;
        Assembly assembly = new AssemblyLoadContext("TensorFusion" + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(stream);
        return (assembly.GetType("TensorBehaviour.Losses", throwOnError: true)!, string.Join("\n", sources));
    }
}
