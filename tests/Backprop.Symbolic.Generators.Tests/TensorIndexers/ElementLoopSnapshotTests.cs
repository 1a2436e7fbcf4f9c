using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.TensorIndexers;

/// <summary>
/// Pins the generated source of a custom operation written as loops over tensor elements (reviewed by eye): the
/// source's loops again, each element read in the forward sweep through the tensor's own indexer; the backward sweep
/// reads the same elements by position in the tensor's span and adds into the same positions of the adjoint's.
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
    public void Two_tensors_of_ranks_one_and_two_and_one_of_rank_three()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;

            namespace Samples;

            public static partial class Forms
            {
                // xᵀ A x
                [Differentiable]
                public static float Bilinear(Tensor x, Tensor a)
                {
                    float s = 0f;
                    for (int i = 0; i < x.Length; i++)
                    {
                        float row = 0f;
                        for (int j = 0; j < x.Length; j++)
                        {
                            row += a[i, j] * x[j];
                        }
                        s += x[i] * row;
                    }
                    return s;
                }

                // Σ t³ over a rank-3 tensor
                [Differentiable]
                public static float SumOfCubes(Tensor t)
                {
                    float s = 0f;
                    for (int i = 0; i < t.Shape[0]; i++)
                    {
                        for (int j = 0; j < t.Shape[1]; j++)
                        {
                            for (int k = 0; k < t.Shape[2]; k++)
                            {
                                s += t[i, j, k] * t[i, j, k] * t[i, j, k];
                            }
                        }
                    }
                    return s;
                }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Forms.Bilinear.g.cs"), "Bilinear");
        SnapshotAssert.Matches(run.GeneratedSource("Forms.SumOfCubes.g.cs"), "SumOfCubes");
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
