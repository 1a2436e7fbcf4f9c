using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Pins the generated source of a small CNN (reviewed by eye): the convolutional layer's value, pullback and forward
/// mode, and the loss that composes it; one kernel call per convolution, pooling and flatten in each sweep.
/// </summary>
public sealed class ConvolutionSnapshotTests
{
    [Fact]
    public void Small_cnn_loss()
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
                public static Tensor Features(Tensor x, Tensor k, Tensor b) => Flatten(MaxPool2D(Relu(Conv2D(x, k, b, 1, 1)), 2));

                [Differentiable(nameof(k), nameof(b), nameof(w), nameof(c))]
                public static float Loss(Tensor x, ReadOnlySpan<int> y, Tensor k, Tensor b, Tensor w, Tensor c) =>
                    SoftmaxCrossEntropy(MatMul(Features(x, k, b), w) + c, y);
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Networks.Features.g.cs"), "CnnFeatures");
        SnapshotAssert.Matches(run.GeneratedSource("Networks.Loss.g.cs"), "CnnLoss");
    }
}
