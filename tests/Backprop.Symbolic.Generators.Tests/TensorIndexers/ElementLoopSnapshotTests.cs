using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.TensorIndexers;

/// <summary>
/// Pins the generated source of a custom operation written as loops over tensor elements (reviewed by eye): the
/// source's loops again, each element read through the tensor's own indexer, its adjoint added to the same element
/// of the adjoint tensor.
/// </summary>
public sealed class ElementLoopSnapshotTests
{
    [Fact]
    public void Smooth_absolute_penalty()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;

            namespace Samples;

            public static partial class Regularisers
            {
""" + PenaltySource.Method + """
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Regularisers.Penalty.g.cs"), "Penalty");
    }

    [Fact]
    public void Loss_of_tensor_operations_calling_the_penalty()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;

            namespace Samples;

            public static partial class Regularisers
            {
""" + PenaltySource.Method + """

                [Differentiable(nameof(w))]
                public static float Loss(Tensor x, ReadOnlySpan<int> y, Tensor w) => SoftmaxCrossEntropy(MatMul(x, w), y) + 0.01f * Penalty(w);
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Regularisers.Loss.g.cs"), "PenalizedLoss");
    }
}
