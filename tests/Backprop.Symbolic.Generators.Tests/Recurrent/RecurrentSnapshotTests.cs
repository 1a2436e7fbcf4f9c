using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Recurrent;

/// <summary>
/// Pins the generated source of an Elman RNN's sequence loss (reviewed by eye): the forward loop pushing each step's
/// views, and the backward loop popping them, last step first, with the state's adjoint in two buffers.
/// </summary>
public sealed class RecurrentSnapshotTests
{
    [Fact]
    public void Rnn_sequence_loss()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;

            namespace Samples;

            public static partial class Networks
            {
                [Differentiable(nameof(W), nameof(U), nameof(b), nameof(V))]
                public static float SequenceLoss(Tensor xs, Tensor h0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor target)
                {
                    Tensor h = h0;
                    for (int t = 0; t < xs.Shape[0]; t++)
                    {
                        h = Tanh(MatMul(TimeStep(xs, t), W) + MatMul(h, U) + b);
                    }
                    return MeanSquaredError(MatMul(h, V), target);
                }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Networks.SequenceLoss.g.cs"), "RnnSequenceLoss");
    }
}
