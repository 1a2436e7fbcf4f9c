using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Instruments;

/// <summary>
/// Pins the generated source of an instrumented loss and layer (reviewed by eye): the plain methods exactly as without
/// <c>Instrumented</c>, then the overloads with a sink, reporting each named local after the statement that computes
/// it and its adjoint before the statement that reverses it.
/// </summary>
public sealed class InstrumentedSnapshotTests
{
    [Fact]
    public void Instrumented_loss_and_layer()
    {
        const string body = """
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;

            namespace Samples;

            public static partial class Networks
            {
                [Differentiable(nameof(a), nameof(b), nameof(c), nameof(d)ATTRIBUTE)]
                public static float Loss(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d)
                {
                    Tensor h = Tanh(MatMul(x, a) + b);
                    Tensor logits = MatMul(h, c) + d;
                    return SoftmaxCrossEntropy(logits, y) + 0.001f * Sum(Square(a));
                }
            }
            """;
        GeneratorRun instrumented = GeneratorHarness.Run(body.Replace("ATTRIBUTE", ", Instrumented = true"));
        Assert.Empty(instrumented.GeneratorDiagnostics);
        Assert.Empty(instrumented.CompilationErrors);
        string source = instrumented.GeneratedSource("Networks.Loss.g.cs");
        SnapshotAssert.Matches(source, "InstrumentedMlpLoss");

        // Off, the file is the plain one; on, the plain methods come first, unchanged.
        string plain = GeneratorHarness.Run(body.Replace("ATTRIBUTE", "")).GeneratedSource("Networks.Loss.g.cs");
        string plainMethods = plain.Substring(0, plain.LastIndexOf("    }\n}", System.StringComparison.Ordinal));
        Assert.StartsWith(plainMethods, source.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Instrumented_layer()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;

            namespace Samples;

            public static partial class Networks
            {
                [Differentiable(Instrumented = true)]
                public static Tensor Dense(Tensor x, Tensor w, Tensor b)
                {
                    Tensor h = Relu(MatMul(x, w) + b);
                    return h;
                }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Networks.Dense.g.cs"), "InstrumentedDenseLayer");
    }

    [Fact]
    public void BPS0022_instrumenting_a_method_without_tensors()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [[|Differentiable(Instrumented = true)|]]
                public static double F(double x) => x * x;
            }
            """,
            "BPS0022",
            "[Differentiable(Instrumented = true)] on 'F', which has no Tensor parameter or result, so it has no activations to report; remove 'Instrumented = true'");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0022_instrumenting_a_method_of_element_loops()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            namespace N;
            public static partial class C
            {
                [[|Differentiable(Instrumented = true)|]]
                public static float F(Tensor w)
                {
                    float s = 0f;
                    for (int i = 0; i < w.Length; i++)
                    {
                        s += w[i] * w[i];
                    }
                    return s;
                }

                [Differentiable]
                public static float G(Tensor w)
                {
                    float s = 0f;
                    for (int i = 0; i < w.Length; i++)
                    {
                        s += w[i];
                    }
                    return s;
                }
            }
            """,
            "BPS0022",
            "[Differentiable(Instrumented = true)] on 'F', which reads tensor elements in scalar code and computes no tensors (instrument the loss of tensor operations that calls it instead), so it has no activations to report; remove 'Instrumented = true'");
        DiagnosticAssert.NoGradient(run, "F");
        DiagnosticAssert.HasGradient(run, "G");
    }
}
