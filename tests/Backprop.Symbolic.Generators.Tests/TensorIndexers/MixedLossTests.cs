using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Generators.Tests.Tensors;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.TensorIndexers;

/// <summary>
/// Losses of tensor operations that call float-returning [Differentiable] methods (custom operations written as element
/// loops, a scalar helper): the gradient against central differences of a double reference, forward mode against
/// reverse mode, an argument computed by tensor operations, a passive tensor argument, and 0 B per steady-state call.
/// </summary>
public sealed class MixedLossTests
{
    internal const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace MixedLosses;

        public static partial class Losses
        {
""" + PenaltySource.Method + """

            // s · Σ a_k²: a float argument beside a tensor.
            [Differentiable]
            public static float ScaledSquares(Tensor a, float s)
            {
                float total = 0f;
                for (int k = 0; k < a.Length; k++)
                {
                    total += a[k] * a[k];
                }
                return s * total;
            }

            [Differentiable]
            public static float Cube(float v) => v * v * v;

            [Differentiable(nameof(w))]
            public static float Loss(Tensor x, ReadOnlySpan<int> y, Tensor w) => SoftmaxCrossEntropy(MatMul(x, w), y) + 0.01f * Penalty(w);

            public static float LossArraysGradient(Tensor x, int[] y, Tensor w, Tensor dW) => LossGradient(x, y, w, dW);

            public static float LossArraysDerivative(Tensor x, int[] y, Tensor w, Tensor dW, out float derivative) => LossDerivative(x, y, w, dW, out derivative);

            public static float LossArrays(Tensor x, int[] y, Tensor w) => Loss(x, y, w);

            // The custom operation reads an intermediate: its adjoint flows back through Tanh and MatMul.
            [Differentiable(nameof(w))]
            public static float Activations(Tensor x, Tensor w) => Penalty(Tanh(MatMul(x, w))) + Mean(w);

            // Float arguments computed from tensors, and a scalar helper on a reduction.
            [Differentiable]
            public static float Floats(Tensor a, Tensor b, float t)
            {
                float m = Mean(b);
                return ScaledSquares(a, t * m) + Cube(Sum(a * b)) * 0.1f;
            }

            // x is passive: the callee still gets an adjoint of x's shape, and nothing of it reaches the result's gradient.
            [Differentiable(nameof(w))]
            public static float Passive(Tensor x, Tensor w) => Penalty(x) * Sum(w) + Penalty(w);

            // An instrumented loss reports its tensor locals; the call's value and partials go by unreported.
            [Differentiable(nameof(w), Instrumented = true)]
            public static float Watched(Tensor x, Tensor w)
            {
                Tensor h = Tanh(MatMul(x, w));
                return Mean(h) + 0.5f * Penalty(w);
            }

            public static float WatchedPlainGradient(Tensor x, Tensor w, Tensor dW) => WatchedGradient(x, w, dW);

            public static float WatchedRecorded(Tensor x, Tensor w, Tensor dW, Backprop.Symbolic.Instruments.ActivationRecorder recorder) =>
                WatchedGradient(x, w, dW, recorder);

            public static long LossAllocations(Tensor x, int[] y, Tensor w, int calls)
            {
                Tensor dW = Zeros(w.Shape);
                long fewest = long.MaxValue;
                for (int round = -1; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < (round < 0 ? 20 : calls); i++)
                    {
                        LossGradient(x, y, w, dW);
                        LossDerivative(x, y, w, dW, out _);
                        ActivationsGradient(x, w, dW);
                        ActivationsDerivative(x, w, dW, out _);
                    }
                    if (round >= 0)
                    {
                        fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                    }
                }
                return fewest;
            }
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Losses => Program.Type("MixedLosses.Losses");

    private static double Penalty(double[] w) => w.Sum(t => Math.Sqrt(t * t + 1e-6));

    [Fact]
    public void Softmax_cross_entropy_plus_a_custom_penalty()
    {
        const int batch = 4, inputs = 3, classes = 5;
        Tensor x = Random(1, -1, 1, batch, inputs);
        int[] y = { 0, 4, 2, 1 };
        Tensor w = Random(2, -1, 1, inputs, classes);
        double[][] adjoints = Matches(Losses, "LossArraysGradient", new object[] { x, y, w }, v =>
            Reference.SoftmaxCrossEntropy(Reference.MatMul(v[0], v[2], batch, inputs, classes), v[1], classes) + 0.01 * Penalty(v[2]));

        // Analytic: Xᵀ(P − onehot)/batch + 0.01 · w/√(w² + ε).
        float[] xv = x.ToArray(), wv = w.ToArray();
        double[] logits = Reference.MatMul(xv.Select(v => (double)v).ToArray(), wv.Select(v => (double)v).ToArray(), batch, inputs, classes);
        for (int i = 0; i < inputs; i++)
        {
            for (int c = 0; c < classes; c++)
            {
                double dw = 0;
                for (int n = 0; n < batch; n++)
                {
                    double z = Enumerable.Range(0, classes).Sum(k => Math.Exp(logits[n * classes + k]));
                    double p = Math.Exp(logits[n * classes + c]) / z;
                    dw += xv[n * inputs + i] * (p - (y[n] == c ? 1 : 0)) / batch;
                }
                double wic = wv[i * classes + c];
                dw += 0.01 * wic / Math.Sqrt(wic * wic + 1e-6);
                Assert.True(Close(adjoints[0][i * classes + c], dw, 1e-5), $"dW[{i}, {c}] = {adjoints[0][i * classes + c]}, analytic {dw}");
            }
        }
        float primal = (float)Losses.GetMethod("LossArrays")!.Invoke(null, new object[] { x, y, w })!;
        Assert.Equal(primal, (float)Call(Losses, "LossArraysGradient", x, y, w).Value);
    }

    [Fact]
    public void A_custom_operation_on_an_intermediate_passes_its_adjoint_back_through_the_chain()
    {
        const int batch = 3, inputs = 4, hidden = 2;
        Tensor x = Random(3, -1, 1, batch, inputs);
        Tensor w = Random(4, -1, 1, inputs, hidden);
        Matches(Losses, "ActivationsGradient", new object[] { x, w }, v =>
            Penalty(Reference.Map(Reference.MatMul(v[0], v[1], batch, inputs, hidden), Math.Tanh)) + v[1].Average());
    }

    [Fact]
    public void Float_arguments_and_a_scalar_helper()
    {
        Tensor a = Random(5, -1, 1, 6), b = Random(6, -1, 1, 6);
        const float t = 0.8f;
        double[][] adjoints = Matches(Losses, "FloatsGradient", new object[] { a, b, t }, v =>
        {
            double m = v[1].Average();
            double dot = v[0].Zip(v[1], (p, q) => p * q).Sum();
            return v[2][0] * m * v[0].Sum(q => q * q) + 0.1 * dot * dot * dot;
        });
        float[] av = a.ToArray(), bv = b.ToArray();
        double mean = bv.Average(q => (double)q), squares = av.Sum(q => (double)q * q), product = av.Zip(bv, (p, q) => (double)p * q).Sum();
        Assert.True(Close(adjoints[2][0], mean * squares, 1e-5), $"dT = {adjoints[2][0]}, analytic {mean * squares}");
        for (int k = 0; k < av.Length; k++)
        {
            double da = 2 * t * mean * av[k] + 0.3 * product * product * bv[k];
            Assert.True(Close(adjoints[0][k], da, 1e-5), $"dA[{k}] = {adjoints[0][k]}, analytic {da}");
        }
    }

    [Fact]
    public void A_passive_tensor_argument_contributes_nothing()
    {
        Tensor x = Random(7, -1, 1, 2, 2), w = Random(8, -1, 1, 2, 2);
        double[][] adjoints = Matches(Losses, "PassiveGradient", new object[] { x, w }, v => Penalty(v[0]) * v[1].Sum() + Penalty(v[1]));
        double px = Penalty(x.ToArray().Select(v => (double)v).ToArray());
        float[] wv = w.ToArray();
        for (int k = 0; k < wv.Length; k++)
        {
            double analytic = px + wv[k] / Math.Sqrt((double)wv[k] * wv[k] + 1e-6);
            Assert.True(Close(adjoints[0][k], analytic, 1e-5), $"dW[{k}] = {adjoints[0][k]}, analytic {analytic}");
        }
    }

    [Fact]
    public void An_instrumented_loss_calls_the_custom_operation_and_reports_its_tensors()
    {
        const int batch = 3, inputs = 4, hidden = 2;
        Tensor x = Random(23, -1, 1, batch, inputs), w = Random(24, -1, 1, inputs, hidden);
        double[][] adjoints = Matches(Losses, "WatchedPlainGradient", new object[] { x, w }, v =>
            Reference.Map(Reference.MatMul(v[0], v[1], batch, inputs, hidden), Math.Tanh).Average() + 0.5 * Penalty(v[1]));
        var recorder = new Backprop.Symbolic.Instruments.ActivationRecorder();
        Tensor dW = Tensor.Zeros(inputs, hidden);
        Losses.GetMethod("WatchedRecorded")!.Invoke(null, new object[] { x, w, dW, recorder });
        Assert.Equal(adjoints[0], dW.ToArray().Select(v => (double)v).ToArray());
        Assert.NotNull(recorder.Find("h"));
    }

    public static TheoryData<string> ForwardModeCases() => new() { "LossArrays", "Activations", "Floats", "Passive" };

    private static object[] ArgumentsFor(string method) => method switch
    {
        "LossArrays" => new object[] { Random(11, -1, 1, 4, 3), new[] { 0, 4, 2, 1 }, Random(12, -1, 1, 3, 5) },
        "Activations" => new object[] { Random(13, -1, 1, 3, 4), Random(14, -1, 1, 4, 2) },
        "Floats" => new object[] { Random(15, -1, 1, 6), Random(16, -1, 1, 6), 0.8f },
        _ => new object[] { Random(17, -1, 1, 2, 2), Random(18, -1, 1, 2, 2) },
    };

    [Theory]
    [MemberData(nameof(ForwardModeCases))]
    public void Forward_mode_derivative_is_the_gradient_along_the_direction(string method) =>
        DerivativeMatchesGradient(Losses, method + "Gradient", method + "Derivative", ArgumentsFor(method));

    [Fact]
    public void Steady_state_calls_allocate_nothing()
    {
        long allocated = (long)Losses.GetMethod("LossAllocations")!.Invoke(null, new object[] { Random(21, -1, 1, 8, 6), new[] { 0, 1, 2, 3, 4, 0, 1, 2 }, Random(22, -1, 1, 6, 5), 50 })!;
        Assert.Equal(0L, allocated);
    }
}
