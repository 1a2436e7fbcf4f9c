using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.CustomTensorGradients;

/// <summary>
/// Pins (reviewed by eye) what a generated loss writes for a custom layer and a custom loss: the layer's workspace
/// value in the forward sweep and its hand-written pullback in the backward sweep; the loss's gradient called once in
/// the forward sweep with scratch partials, which the backward sweep scales by the loss's adjoint; in forward mode the
/// layer's hand-written tangent, and the loss's partials dotted with the tangent of its input.
/// </summary>
public sealed class CustomTensorSnapshotTests
{
    [Fact]
    public void Loss_calling_a_custom_layer_and_a_custom_loss()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;

            namespace Samples;

            public static partial class Custom
            {
                [CustomGradient(nameof(SwishPullback), Tangent = nameof(SwishDerivative), Value = nameof(SwishValue))]
                public static Tensor Swish(Tensor x, float beta) => throw new NotImplementedException();

                public static Tensor SwishValue(Tensor x, float beta) => throw new NotImplementedException();

                public static void SwishPullback(Tensor x, float beta, Tensor dResult, Tensor dX, ref float dBeta) => throw new NotImplementedException();

                public static Tensor SwishDerivative(Tensor x, float beta, Tensor dX, float dBeta, out Tensor derivative) => throw new NotImplementedException();

                [CustomGradient(nameof(LogCoshGradient))]
                public static float LogCosh(Tensor prediction, Tensor target) => throw new NotImplementedException();

                public static float LogCoshGradient(Tensor prediction, Tensor target, Tensor dPrediction, Tensor dTarget) => throw new NotImplementedException();

                [Differentiable(nameof(w), nameof(b), nameof(beta))]
                public static float Loss(Tensor x, Tensor y, Tensor w, Tensor b, float beta) =>
                    LogCosh(Swish(MatMul(x, w) + b, beta), y) + 0.01f * Sum(Square(w));
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        SnapshotAssert.Matches(run.GeneratedSource("Custom.Loss.g.cs"), "CustomLayerAndLoss");
    }
}
