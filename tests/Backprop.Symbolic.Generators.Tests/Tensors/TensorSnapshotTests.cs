using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Pins the generated source of tensor losses (reviewed by eye): one kernel call or one fused loop per step, and a
/// comment naming the source statement before each backward block.
/// </summary>
public sealed class TensorSnapshotTests
{
    [Fact]
    public void Mlp_loss()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;

            namespace Samples;

            public static partial class Networks
            {
                [Differentiable(nameof(a), nameof(b), nameof(c), nameof(d))]
                public static float Loss(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d)
                {
                    Tensor h = Tanh(MatMul(x, a) + b);
                    Tensor logits = MatMul(h, c) + d;
                    return SoftmaxCrossEntropy(logits, y) + 0.001f * Sum(Square(a));
                }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Networks.Loss.g.cs"), "MlpLoss");
    }

    [Fact]
    public void Regression_with_a_float_parameter_and_a_chain_of_activations()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;

            namespace Samples;

            public static partial class Networks
            {
                [Differentiable(nameof(w), nameof(bias), nameof(scale))]
                public static float Regression(Tensor x, Tensor w, Tensor bias, Tensor target, float scale)
                {
                    Tensor z = Sigmoid(MatMul(x, w) * scale + bias);
                    return MeanSquaredError(z, target) + Mean(Softplus(w));
                }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Networks.Regression.g.cs"), "Regression");
    }

    [Fact]
    public void Layer_called_twice_from_a_loss()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;

            namespace Samples;

            public static partial class Networks
            {
                [Differentiable]
                public static Tensor Dense(Tensor x, Tensor w, Tensor b) => Tanh(MatMul(x, w) + b);

                [Differentiable(nameof(a), nameof(f), nameof(b), nameof(g))]
                public static float Network(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor f, Tensor b, Tensor g) =>
                    SoftmaxCrossEntropy(Dense(Dense(x, a, f), b, g), y);
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Networks.Dense.g.cs"), "DenseLayer");
        SnapshotAssert.Matches(run.GeneratedSource("Networks.Network.g.cs"), "DenseNetwork");
    }
}
