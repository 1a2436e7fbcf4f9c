namespace Backprop.Symbolic.Generators.Tests.CustomTensorGradients;

/// <summary>
/// The test source the custom tensor gradient tests share: two losses and one layer with hand-written derivatives,
/// generated methods that call them (straight-line, inside a generated layer, and inside a loop over time steps), and,
/// for each, the same computation written with generated operations only.
/// </summary>
internal static class CustomTensorSource
{
    public const string Text = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Taping;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace CustomTensors;

        /// <summary>Logs what an instrumented method reports, in order.</summary>
        public sealed class NameLog : Backprop.Symbolic.Instruments.IInstrumentSink
        {
            public System.Collections.Generic.List<string> Names { get; } = new();

            public void Activation(string name, Backprop.Symbolic.Instruments.ActivationKind kind, Tensor value, int step) => Names.Add("value " + name);

            public void Adjoint(string name, Tensor adjoint, int step) => Names.Add("adjoint " + name);
        }

        public static partial class Ops
        {
            private const float Ln2 = 0.6931471805599453f;

            // ----- a loss: mean log cosh(p − t), stable for large |p − t| ------------------------------------------

            [CustomGradient(nameof(LogCoshGradient))]
            public static float LogCosh(Tensor prediction, Tensor target)
            {
                ReadOnlySpan<float> p = prediction.Span, t = target.Span;
                float sum = 0;
                for (int i = 0; i < p.Length; i++)
                {
                    float d = MathF.Abs(p[i] - t[i]);
                    sum += d + MathF.Log(1 + MathF.Exp(-2 * d)) - Ln2;
                }
                return sum / p.Length;
            }

            public static float LogCoshGradient(Tensor prediction, Tensor target, Tensor dPrediction, Tensor dTarget)
            {
                ReadOnlySpan<float> p = prediction.Span, t = target.Span;
                Span<float> dP = dPrediction.Span, dT = dTarget.Span;
                for (int i = 0; i < p.Length; i++)
                {
                    float g = MathF.Tanh(p[i] - t[i]) / p.Length;
                    dP[i] = g;
                    dT[i] = -g;
                }
                return LogCosh(prediction, target);
            }

            // ----- a loss with a float parameter: mean Huber loss ----------------------------------------------------

            [CustomGradient(nameof(HuberGradient))]
            public static float Huber(Tensor prediction, Tensor target, float delta)
            {
                ReadOnlySpan<float> p = prediction.Span, t = target.Span;
                float sum = 0;
                for (int i = 0; i < p.Length; i++)
                {
                    float a = MathF.Abs(p[i] - t[i]);
                    sum += a <= delta ? 0.5f * a * a : delta * (a - 0.5f * delta);
                }
                return sum / p.Length;
            }

            public static float HuberGradient(Tensor prediction, Tensor target, float delta, Tensor dPrediction, Tensor dTarget, out float dDelta)
            {
                ReadOnlySpan<float> p = prediction.Span, t = target.Span;
                Span<float> dP = dPrediction.Span, dT = dTarget.Span;
                float sum = 0, sumDelta = 0, n = p.Length;
                for (int i = 0; i < p.Length; i++)
                {
                    float r = p[i] - t[i], a = MathF.Abs(r);
                    bool inner = a <= delta;
                    sum += inner ? 0.5f * r * r : delta * (a - 0.5f * delta);
                    sumDelta += inner ? 0 : a - delta;
                    float g = (inner ? r : delta * MathF.Sign(r)) / n;
                    dP[i] = g;
                    dT[i] = -g;
                }
                dDelta = sumDelta / n;
                return sum / n;
            }

            // ----- a layer: swish, x·σ(βx), its value in the workspace ----------------------------------------------

            [CustomGradient(nameof(SwishPullback), Tangent = nameof(SwishDerivative), Value = nameof(SwishValue))]
            public static Tensor Swish(Tensor x, float beta)
            {
                Tensor y = Zeros(x.Shape);
                Fill(x, beta, y);
                return y;
            }

            public static Tensor SwishValue(Tensor x, float beta)
            {
                Tensor y = Tape.Current.RentTensor(x.Shape);
                Fill(x, beta, y);
                return y;
            }

            private static void Fill(Tensor x, float beta, Tensor y)
            {
                ReadOnlySpan<float> xs = x.Span;
                Span<float> ys = y.Span;
                for (int i = 0; i < xs.Length; i++)
                {
                    ys[i] = xs[i] / (1 + MathF.Exp(-beta * xs[i]));
                }
            }

            public static void SwishPullback(Tensor x, float beta, Tensor dResult, Tensor dX, ref float dBeta)
            {
                if (dResult.Shape != x.Shape)
                {
                    throw new ArgumentException("dResult must have the shape of x.", nameof(dResult));
                }
                ReadOnlySpan<float> xs = x.Span, dY = dResult.Span;
                Span<float> dXs = dX.IsDefault ? default : dX.Span;
                float sum = 0;
                for (int i = 0; i < xs.Length; i++)
                {
                    float s = 1 / (1 + MathF.Exp(-beta * xs[i])), slope = s * (1 - s);
                    if (!dX.IsDefault)
                    {
                        dXs[i] += dY[i] * (s + beta * xs[i] * slope);
                    }
                    sum += dY[i] * xs[i] * xs[i] * slope;
                }
                dBeta += sum;
            }

            public static Tensor SwishDerivative(Tensor x, float beta, Tensor dX, float dBeta, out Tensor derivative)
            {
                Tensor y = Tape.Current.RentTensor(x.Shape);
                derivative = Tape.Current.RentTensor(x.Shape);
                ReadOnlySpan<float> xs = x.Span;
                Span<float> ys = y.Span, ts = derivative.Span;
                for (int i = 0; i < xs.Length; i++)
                {
                    float s = 1 / (1 + MathF.Exp(-beta * xs[i])), slope = s * (1 - s);
                    ys[i] = xs[i] * s;
                    ts[i] = (dX.IsDefault ? 0 : dX.Span[i]) * (s + beta * xs[i] * slope) + dBeta * xs[i] * xs[i] * slope;
                }
                return y;
            }

            [Differentiable]
            public static Tensor GeneratedSwish(Tensor x, float beta) => x * Sigmoid(x * beta);

            // ----- a layer without a Value: generated code calls the method itself, which allocates ----------------

            [CustomGradient(nameof(DoubledPullback), Tangent = nameof(DoubledDerivative))]
            public static Tensor Doubled(Tensor x) => x * 2f;

            public static void DoubledPullback(Tensor x, Tensor dResult, Tensor dX)
            {
                if (!dX.IsDefault)
                {
                    Backprop.Symbolic.Kernels.SpanKernels.AddScaled(dX.Span, 2f, dResult.Span);
                }
            }

            public static Tensor DoubledDerivative(Tensor x, Tensor dX, out Tensor derivative)
            {
                derivative = dX.IsDefault ? Zeros(x.Shape) : dX * 2f;
                return x * 2f;
            }

            // ----- callers -------------------------------------------------------------------------------------------

            [Differentiable]
            public static float LogCoshOf(Tensor p, Tensor t) => LogCosh(p, t);

            [Differentiable(nameof(w), nameof(b))]
            public static float Regression(Tensor x, Tensor w, Tensor b, Tensor y) => LogCosh(MatMul(x, w) + b, y);

            [Differentiable(nameof(w), nameof(b))]
            public static float GeneratedRegression(Tensor x, Tensor w, Tensor b, Tensor y)
            {
                Tensor d = MatMul(x, w) + b - y;
                return Mean(Softplus(2f * d) - d) - Ln2;
            }

            // y is read twice: the custom loss's partial is added to the adjoint Mean's backward wrote first.
            [Differentiable]
            public static float HuberFit(Tensor x, Tensor w, Tensor y, float delta) => Huber(MatMul(x, w), y, delta) + Mean(y * y);

            [Differentiable]
            public static float SwishSum(Tensor x, float beta) => Sum(Swish(x, beta));

            [Differentiable]
            public static float DoubledSquares(Tensor x) => Sum(Square(Doubled(x)));

            [Differentiable(nameof(w), nameof(b), nameof(beta))]
            public static float SwishNet(Tensor x, Tensor w, Tensor b, Tensor y, float beta) => MeanSquaredError(Swish(MatMul(x, w) + b, beta), y);

            [Differentiable(nameof(w), nameof(b), nameof(beta))]
            public static float GeneratedSwishNet(Tensor x, Tensor w, Tensor b, Tensor y, float beta) => MeanSquaredError(GeneratedSwish(MatMul(x, w) + b, beta), y);

            // x is not differentiated: the pullback gets a default adjoint for it.
            [Differentiable(nameof(w), nameof(beta))]
            public static float SwishPassiveInput(Tensor x, Tensor w, float beta) => Sum(Swish(x, beta * beta) * w);

            // A generated layer that calls the custom loss and the custom layer, and a loss that calls it.
            [Differentiable]
            public static Tensor Gate(Tensor x, Tensor y) => Swish(x, 1.5f) * LogCosh(x, y);

            [Differentiable(nameof(w))]
            public static float GateLoss(Tensor x, Tensor w, Tensor y) => Sum(Square(Gate(MatMul(x, w), y)));

            // The custom layer in a loop over time steps, and the same loop with the generated layer.
            [Differentiable(nameof(W), nameof(U), nameof(beta))]
            public static float Recurrent(Tensor xs, Tensor h0, Tensor W, Tensor U, float beta)
            {
                Tensor h = h0;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    h = Swish(MatMul(TimeStep(xs, t), W) + MatMul(h, U), beta);
                }
                return Sum(Square(h));
            }

            [Differentiable(nameof(W), nameof(U), nameof(beta))]
            public static float GeneratedRecurrent(Tensor xs, Tensor h0, Tensor W, Tensor U, float beta)
            {
                Tensor h = h0;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    h = GeneratedSwish(MatMul(TimeStep(xs, t), W) + MatMul(h, U), beta);
                }
                return Sum(Square(h));
            }

            // The custom loss inside a loop over time steps: its backward step calls the gradient.
            [Differentiable(nameof(W), nameof(U))]
            public static float ScaledRecurrent(Tensor xs, Tensor h0, Tensor W, Tensor U)
            {
                Tensor h = h0;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    h = Tanh(MatMul(TimeStep(xs, t), W) + MatMul(h, U) * LogCosh(h, h0));
                }
                return Sum(Square(h));
            }

            // An instrumented caller: the custom layer has no instrumented overload, so the caller reports around it.
            [Differentiable(nameof(w), Instrumented = true)]
            public static float InstrumentedNet(Tensor x, Tensor w, Tensor y)
            {
                Tensor h = Swish(MatMul(x, w), 1f);
                return LogCosh(h, y);
            }

            public static NameLog LastLog { get; private set; } = new();

            public static float InstrumentedNetLoggedGradient(Tensor x, Tensor w, Tensor y, Tensor dW)
            {
                LastLog = new NameLog();
                return InstrumentedNetGradient(x, w, y, dW, LastLog);
            }

            // The runtime's LayerNorm, whose derivatives are written by hand ([CustomGradient] in a referenced assembly).
            [Differentiable(nameof(w), nameof(gain), nameof(bias))]
            public static float NormalizedNet(Tensor x, Tensor w, Tensor gain, Tensor bias, Tensor y) =>
                MeanSquaredError(Tanh(Backprop.Symbolic.Layers.Normalization.LayerNorm(MatMul(x, w), gain, bias)), y);

            public static long NormalizedNetAllocations(Tensor x, Tensor w, Tensor gain, Tensor bias, Tensor y, int calls)
            {
                Tensor dW = Zeros(w.Shape), dGain = Zeros(gain.Shape), dBias = Zeros(bias.Shape);
                return Fewest(calls, () => { NormalizedNetGradient(x, w, gain, bias, y, dW, dGain, dBias); NormalizedNetDerivative(x, w, gain, bias, y, dW, dGain, dBias, out _); });
            }

            // ----- allocation: the fewest bytes over up to three rounds of calls, once warm ---------------------------

            public static long SwishNetAllocations(Tensor x, Tensor w, Tensor b, Tensor y, float beta, int calls)
            {
                Tensor dW = Zeros(w.Shape), dB = Zeros(b.Shape);
                return Fewest(calls, () => SwishNetGradient(x, w, b, y, beta, dW, dB, out _));
            }

            public static long SwishNetDerivativeAllocations(Tensor x, Tensor w, Tensor b, Tensor y, float beta, int calls)
            {
                Tensor dW = Zeros(w.Shape), dB = Zeros(b.Shape);
                return Fewest(calls, () => SwishNetDerivative(x, w, b, y, beta, dW, dB, 0.5f, out _));
            }

            public static long RegressionAllocations(Tensor x, Tensor w, Tensor b, Tensor y, int calls)
            {
                Tensor dW = Zeros(w.Shape), dB = Zeros(b.Shape);
                return Fewest(calls, () => { RegressionGradient(x, w, b, y, dW, dB); RegressionDerivative(x, w, b, y, dW, dB, out _); });
            }

            public static long RecurrentAllocations(Tensor xs, Tensor h0, Tensor W, Tensor U, float beta, int calls)
            {
                Tensor dW = Zeros(W.Shape), dU = Zeros(U.Shape);
                return Fewest(calls, () => RecurrentGradient(xs, h0, W, U, beta, dW, dU, out _));
            }

            private static long Fewest(int calls, Action call)
            {
                for (int i = 0; i < 20; i++)
                {
                    call();
                }
                long fewest = long.MaxValue;
                for (int round = 0; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < calls; i++)
                    {
                        call();
                    }
                    fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                }
                return fewest;
            }
        }
        """;
}
