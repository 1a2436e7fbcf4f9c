namespace Backprop.Symbolic.Generators.Tests.Recurrent;

/// <summary>
/// The recurrent networks the tests differentiate: losses that unroll the runtime's ready-made cells
/// (<c>Backprop.Symbolic.Layers.Recurrent.RnnCell</c> and <c>LstmCell</c>, layers of a referenced assembly) over the time
/// steps of a sequence with a for loop, the same losses unrolled by hand for three steps (straight-line code, an
/// independent path through the generator), and layers of this compilation with a loop or calling a cell.
/// </summary>
internal static class RecurrentSource
{
    public const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Layers.Recurrent;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace Recurrent;

        public static partial class Networks
        {
            [Differentiable(nameof(xs), nameof(h0), nameof(W), nameof(U), nameof(b), nameof(V), nameof(c))]
            public static float RnnLoss(Tensor xs, Tensor h0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c, Tensor target)
            {
                Tensor h = h0;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    h = RnnCell(TimeStep(xs, t), h, W, U, b);
                }
                return MeanSquaredError(MatMul(h, V) + c, target);
            }

            [Differentiable(nameof(xs), nameof(h0), nameof(W), nameof(U), nameof(b), nameof(V), nameof(c))]
            public static float RnnLossUnrolled(Tensor xs, Tensor h0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c, Tensor target)
            {
                Tensor h1 = RnnCell(TimeStep(xs, 0), h0, W, U, b);
                Tensor h2 = RnnCell(TimeStep(xs, 1), h1, W, U, b);
                Tensor h3 = RnnCell(TimeStep(xs, 2), h2, W, U, b);
                return MeanSquaredError(MatMul(h3, V) + c, target);
            }

            [Differentiable(nameof(xs), nameof(state0), nameof(W), nameof(U), nameof(b), nameof(V), nameof(c))]
            public static float LstmLoss(Tensor xs, ReadOnlySpan<int> labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c)
            {
                Tensor state = state0;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    state = LstmCell(TimeStep(xs, t), state, W, U, b);
                }
                return SoftmaxCrossEntropy(MatMul(Chunk(state, 2, 0), V) + c, labels);
            }

            [Differentiable(nameof(xs), nameof(state0), nameof(W), nameof(U), nameof(b), nameof(V), nameof(c))]
            public static float LstmLossUnrolled(Tensor xs, ReadOnlySpan<int> labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c)
            {
                Tensor s1 = LstmCell(TimeStep(xs, 0), state0, W, U, b);
                Tensor s2 = LstmCell(TimeStep(xs, 1), s1, W, U, b);
                Tensor s3 = LstmCell(TimeStep(xs, 2), s2, W, U, b);
                return SoftmaxCrossEntropy(MatMul(Chunk(s3, 2, 0), V) + c, labels);
            }

            // Every step's output counts: the state and a running sum of the outputs are both carried, and the body
            // has element-wise chains of its own.
            [Differentiable(nameof(xs), nameof(h0), nameof(W), nameof(U), nameof(b))]
            public static float RnnSumOfOutputs(Tensor xs, Tensor h0, Tensor W, Tensor U, Tensor b)
            {
                Tensor h = h0;
                Tensor total = h0 * 0f;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    Tensor x = TimeStep(xs, t);
                    h = Tanh(MatMul(x, W) + MatMul(h, U) + b);
                    total = total + Square(h) * 0.5f;
                }
                return Sum(total) + 0.1f * Mean(Sigmoid(h));
            }

            // A layer with a loop (its pullback runs the loop forward and backward), and a loss that composes it.
            [Differentiable]
            public static Tensor RnnEncoder(Tensor xs, Tensor h0, Tensor W, Tensor U, Tensor b)
            {
                Tensor h = h0;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    h = RnnCell(TimeStep(xs, t), h, W, U, b);
                }
                return h;
            }

            [Differentiable(nameof(xs), nameof(h0), nameof(W), nameof(U), nameof(b), nameof(V), nameof(c))]
            public static float EncoderLoss(Tensor xs, Tensor h0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c, Tensor target) =>
                MeanSquaredError(MatMul(RnnEncoder(xs, h0, W, U, b), V) + c, target);

            // A layer that calls a layer, inside the loop: both record what their pullbacks read.
            [Differentiable]
            public static Tensor ResidualRnnCell(Tensor x, Tensor h, Tensor W, Tensor U, Tensor b) => RnnCell(x, h, W, U, b) + h * 0.5f;

            [Differentiable(nameof(xs), nameof(h0), nameof(W), nameof(U), nameof(b), nameof(V), nameof(c))]
            public static float ResidualRnnLoss(Tensor xs, Tensor h0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c, Tensor target)
            {
                Tensor h = h0;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    h = ResidualRnnCell(TimeStep(xs, t), h, W, U, b);
                }
                return MeanSquaredError(MatMul(h, V) + c, target);
            }

            public static float LstmLossArrays(Tensor xs, int[] labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c) =>
                LstmLoss(xs, labels, state0, W, U, b, V, c);

            public static float LstmLossArraysGradient(Tensor xs, int[] labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c,
                Tensor dXs, Tensor dState0, Tensor dW, Tensor dU, Tensor dB, Tensor dV, Tensor dC) =>
                LstmLossGradient(xs, labels, state0, W, U, b, V, c, dXs, dState0, dW, dU, dB, dV, dC);

            public static float LstmLossUnrolledArraysGradient(Tensor xs, int[] labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c,
                Tensor dXs, Tensor dState0, Tensor dW, Tensor dU, Tensor dB, Tensor dV, Tensor dC) =>
                LstmLossUnrolledGradient(xs, labels, state0, W, U, b, V, c, dXs, dState0, dW, dU, dB, dV, dC);

            public static float LstmLossArraysDerivative(Tensor xs, int[] labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c,
                Tensor dXs, Tensor dState0, Tensor dW, Tensor dU, Tensor dB, Tensor dV, Tensor dC, out float derivative) =>
                LstmLossDerivative(xs, labels, state0, W, U, b, V, c, dXs, dState0, dW, dU, dB, dV, dC, out derivative);

            public static long LstmLossAllocations(Tensor xs, int[] labels, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V, Tensor c, int calls)
            {
                Tensor dXs = Zeros(xs.Shape), dState0 = Zeros(state0.Shape), dW = Zeros(W.Shape), dU = Zeros(U.Shape), dB = Zeros(b.Shape), dV = Zeros(V.Shape), dC = Zeros(c.Shape);
                for (int i = 0; i < 20; i++)
                {
                    LstmLossGradient(xs, labels, state0, W, U, b, V, c, dXs, dState0, dW, dU, dB, dV, dC);
                }
                // The fewest bytes over up to three rounds (a one-off runtime event shows in one round at most).
                long fewest = long.MaxValue;
                for (int round = 0; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < calls; i++)
                    {
                        LstmLossGradient(xs, labels, state0, W, U, b, V, c, dXs, dState0, dW, dU, dB, dV, dC);
                    }
                    fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                }
                return fewest;
            }
        }
        """;
}
