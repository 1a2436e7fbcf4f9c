using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Generators.Tests.Tensors;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Instruments;

/// <summary>
/// <c>[Differentiable(Instrumented = true)]</c>: the overloads with an <see cref="IInstrumentSink"/> report each named
/// tensor local (with the activation that computed it) and its adjoint. The reports are checked against the same values
/// computed independently: eager <see cref="Tensor"/> operations for the activations, central differences of a double
/// reference of the loss, taken as a function of the local, for the adjoints. The plain overloads stay as they were.
/// </summary>
public sealed class InstrumentedGradientTests
{
    private const string Source = """
        using System;
        using System.Collections.Generic;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Instruments;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace Instrumented;

        /// <summary>Keeps a copy of everything reported.</summary>
        public sealed class Capture : IInstrumentSink
        {
            public readonly List<(string Name, ActivationKind Kind, float[] Values, int Step)> Activations = new();
            public readonly List<(string Name, float[] Values, int Step)> Adjoints = new();
            public void Activation(string name, ActivationKind kind, Tensor value, int step) => Activations.Add((name, kind, value.ToArray(), step));
            public void Adjoint(string name, Tensor adjoint, int step) => Adjoints.Add((name, adjoint.ToArray(), step));
        }

        public static partial class Nets
        {
            [Differentiable(nameof(a), nameof(b), nameof(c), nameof(e), nameof(d), Instrumented = true)]
            public static float Loss(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor e, Tensor d)
            {
                Tensor h = Tanh(MatMul(x, a) + b);
                Tensor r = Relu(MatMul(h, c));
                Tensor logits = MatMul(r, e) + d;
                return SoftmaxCrossEntropy(logits, y);
            }

            public static float LossArrays(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor e, Tensor d, Tensor dA, Tensor dB, Tensor dC, Tensor dE, Tensor dD, IInstrumentSink? sink) =>
                LossGradient(x, y, a, b, c, e, d, dA, dB, dC, dE, dD, sink);

            public static float PlainArrays(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor e, Tensor d, Tensor dA, Tensor dB, Tensor dC, Tensor dE, Tensor dD) =>
                LossGradient(x, y, a, b, c, e, d, dA, dB, dC, dE, dD);

            // An instrumented layer composed by an instrumented loss: the loss passes its sink on.
            [Differentiable(Instrumented = true)]
            public static Tensor Dense(Tensor x, Tensor w, Tensor bias)
            {
                Tensor s = Sigmoid(MatMul(x, w) + bias);
                return s;
            }

            [Differentiable(nameof(w), nameof(bias), nameof(v), Instrumented = true)]
            public static float Composed(Tensor x, Tensor target, Tensor w, Tensor bias, Tensor v)
            {
                Tensor p = MatMul(Dense(x, w, bias), v);
                return MeanSquaredError(p, target);
            }

            // An instrumented loss calling a layer that is not instrumented: the layer's plain methods, its locals unseen.
            [Differentiable]
            public static Tensor Plain(Tensor x, Tensor w)
            {
                Tensor inner = Tanh(MatMul(x, w));
                return inner;
            }

            [Differentiable(nameof(w), nameof(v), Instrumented = true)]
            public static float Mixed(Tensor x, Tensor target, Tensor w, Tensor v)
            {
                Tensor q = Relu(MatMul(Plain(x, w), v));
                return MeanSquaredError(q, target);
            }

            /// <summary>The fewest bytes over three rounds of <paramref name="calls"/> calls, after a warm-up.</summary>
            public static long Allocations(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor e, Tensor d, IInstrumentSink? sink, bool plain, int calls)
            {
                Tensor dA = Zeros(a.Shape), dB = Zeros(b.Shape), dC = Zeros(c.Shape), dE = Zeros(e.Shape), dD = Zeros(d.Shape);
                void Round(int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        if (plain)
                        {
                            LossGradient(x, y, a, b, c, e, d, dA, dB, dC, dE, dD);
                        }
                        else
                        {
                            LossGradient(x, y, a, b, c, e, d, dA, dB, dC, dE, dD, sink);
                        }
                    }
                }
                Round(20);
                long fewest = long.MaxValue;
                for (int round = 0; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    Round(calls);
                    fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                }
                return fewest;
            }
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Nets => Program.Type("Instrumented.Nets");

    private const int Rows = 5, Inputs = 4, Hidden = 6, Inner = 5, Classes = 3;

    private static object[] Arguments() => new object[]
    {
        Random(1, -1, 1, Rows, Inputs), new[] { 0, 2, 1, 2, 0 }, Random(2, -1, 1, Inputs, Hidden), Random(3, -0.5, 0.5, Hidden),
        Random(4, -1, 1, Hidden, Inner), Random(5, -1, 1, Inner, Classes), Random(6, -0.5, 0.5, Classes),
    };

    private static Tensor[] Adjoints(object[] args) => new[] { 2, 3, 4, 5, 6 }.Select(i => Tensor.Zeros(((Tensor)args[i]).Shape)).ToArray();

    private static dynamic NewCapture() => Activator.CreateInstance(Program.Type("Instrumented.Capture"))!;

    private static float CallLoss(object[] args, Tensor[] adjoints, object? sink) =>
        (float)Nets.GetMethod("LossArrays")!.Invoke(null, args.Concat(adjoints.Cast<object>()).Append(sink).ToArray())!;

    [Fact]
    public void Reported_activations_equal_the_eager_operations_and_name_their_activation()
    {
        object[] args = Arguments();
        dynamic capture = NewCapture();
        CallLoss(args, Adjoints(args), capture);

        var x = (Tensor)args[0];
        Tensor h = Tensor.Tanh(Tensor.MatMul(x, (Tensor)args[2]) + (Tensor)args[3]);
        Tensor r = Tensor.Relu(Tensor.MatMul(h, (Tensor)args[4]));
        Tensor logits = Tensor.MatMul(r, (Tensor)args[5]) + (Tensor)args[6];

        var reported = ((IEnumerable<(string Name, ActivationKind Kind, float[] Values, int Step)>)capture.Activations).ToList();
        Assert.Equal(new[] { "h", "r", "logits" }, reported.Select(a => a.Name));
        Assert.Equal(new[] { ActivationKind.Tanh, ActivationKind.Relu, ActivationKind.None }, reported.Select(a => a.Kind));
        Assert.All(reported, a => Assert.Equal(InstrumentSteps.None, a.Step));
        AssertClose(h.ToArray(), reported[0].Values, 1e-5);
        AssertClose(r.ToArray(), reported[1].Values, 1e-5);
        AssertClose(logits.ToArray(), reported[2].Values, 1e-5);
        Assert.Contains(reported[1].Values, v => v == 0f); // some relu units are off: the test sees saturation
    }

    [Fact]
    public void Reported_adjoints_equal_central_differences_of_the_loss_as_a_function_of_each_local()
    {
        object[] args = Arguments();
        dynamic capture = NewCapture();
        CallLoss(args, Adjoints(args), capture);
        var adjoints = ((IEnumerable<(string Name, float[] Values, int Step)>)capture.Adjoints).ToList();
        Assert.Equal(new[] { "logits", "r", "h" }, adjoints.Select(a => a.Name)); // last computed, first completed

        double[] x = ToDoubles(args[0]), labels = ToDoubles(args[1]), a = ToDoubles(args[2]), b = ToDoubles(args[3]);
        double[] c = ToDoubles(args[4]), e = ToDoubles(args[5]), d = ToDoubles(args[6]);
        double FromLogits(double[] l) => Reference.SoftmaxCrossEntropy(l, labels, Classes);
        double FromR(double[] r) => FromLogits(Reference.Zip(Reference.MatMul(r, e, Rows, Inner, Classes), Tile(d, Rows), (p, q) => p + q));
        double FromH(double[] h) => FromR(Reference.Map(Reference.MatMul(h, c, Rows, Hidden, Inner), v => Math.Max(v, 0)));

        double[] hValue = Reference.Map(Reference.Zip(Reference.MatMul(x, a, Rows, Inputs, Hidden), Tile(b, Rows), (p, q) => p + q), Math.Tanh);
        double[] rValue = Reference.Map(Reference.MatMul(hValue, c, Rows, Hidden, Inner), v => Math.Max(v, 0));
        double[] logitsValue = Reference.Zip(Reference.MatMul(rValue, e, Rows, Inner, Classes), Tile(d, Rows), (p, q) => p + q);

        AssertClose(CentralDifferences(v => FromLogits(v[0]), new[] { logitsValue }, 0), adjoints[0].Values, 1e-4);
        AssertClose(CentralDifferences(v => FromR(v[0]), new[] { rValue }, 0), adjoints[1].Values, 1e-4);
        AssertClose(CentralDifferences(v => FromH(v[0]), new[] { hValue }, 0), adjoints[2].Values, 1e-4);

        // and analytically: ∂L/∂logits = (softmax − onehot) / rows
        Tensor softmax = Tensor.Softmax(Tensor.FromArray(logitsValue.Select(v => (float)v).ToArray(), Rows, Classes));
        for (int i = 0; i < Rows; i++)
        {
            for (int j = 0; j < Classes; j++)
            {
                double expected = (softmax[i, j] - (labels[i] == j ? 1 : 0)) / Rows;
                Assert.Equal(expected, adjoints[0].Values[i * Classes + j], 1e-5);
            }
        }
    }

    [Fact]
    public void The_instrumented_overload_computes_the_plain_gradient_bit_for_bit_with_or_without_a_sink()
    {
        object[] args = Arguments();
        Tensor[] plain = Adjoints(args), withSink = Adjoints(args), withNull = Adjoints(args);
        float value = (float)Nets.GetMethod("PlainArrays")!.Invoke(null, args.Concat(plain.Cast<object>()).ToArray())!;
        Assert.Equal(value, CallLoss(args, withSink, NewCapture()));
        Assert.Equal(value, CallLoss(args, withNull, null));
        for (int i = 0; i < plain.Length; i++)
        {
            Assert.Equal(plain[i].ToArray(), withSink[i].ToArray());
            Assert.Equal(plain[i].ToArray(), withNull[i].ToArray());
        }
    }

    [Fact]
    public void A_loss_passes_its_sink_to_an_instrumented_layer_which_reports_each_local_once()
    {
        Tensor x = Random(11, -1, 1, 4, 3), target = Random(12, -1, 1, 4, 2), w = Random(13, -1, 1, 3, 5), bias = Random(14, -1, 1, 5), v = Random(15, -1, 1, 5, 2);
        dynamic capture = NewCapture();
        MethodInfo gradient = Nets.GetMethods().Single(m => m.Name == "ComposedGradient" && m.GetParameters().Length == 9);
        gradient.Invoke(null, new object?[] { x, target, w, bias, v, Tensor.Zeros(w.Shape), Tensor.Zeros(bias.Shape), Tensor.Zeros(v.Shape), capture });

        var activations = ((IEnumerable<(string Name, ActivationKind Kind, float[] Values, int Step)>)capture.Activations).ToList();
        var adjoints = ((IEnumerable<(string Name, float[] Values, int Step)>)capture.Adjoints).ToList();
        Tensor s = Tensor.Sigmoid(Tensor.MatMul(x, w) + bias);
        Tensor p = Tensor.MatMul(s, v);
        Assert.Equal(new[] { "s", "p" }, activations.Select(a => a.Name));
        Assert.Equal(ActivationKind.Sigmoid, activations[0].Kind);
        AssertClose(s.ToArray(), activations[0].Values, 1e-5);
        AssertClose(p.ToArray(), activations[1].Values, 1e-5);

        // ∂MSE/∂p = 2(p − t)/N, and ∂/∂s = that · vᵀ
        Assert.Equal(new[] { "p", "s" }, adjoints.Select(a => a.Name));
        Tensor dP = (p - target) * (2f / p.Length);
        AssertClose(dP.ToArray(), adjoints[0].Values, 1e-5);
        AssertClose(Tensor.MatMul(dP, Transpose(v)).ToArray(), adjoints[1].Values, 1e-5);
    }

    [Fact]
    public void A_layer_that_is_not_instrumented_is_called_plainly_and_its_locals_are_not_reported()
    {
        Tensor x = Random(21, -1, 1, 3, 4), target = Random(22, -1, 1, 3, 2), w = Random(23, -1, 1, 4, 5), v = Random(24, -1, 1, 5, 2);
        dynamic capture = NewCapture();
        MethodInfo gradient = Nets.GetMethods().Single(m => m.Name == "MixedGradient" && m.GetParameters().Length == 7);
        Tensor dW = Tensor.Zeros(w.Shape), dV = Tensor.Zeros(v.Shape);
        float value = (float)gradient.Invoke(null, new object?[] { x, target, w, v, dW, dV, capture })!;

        var activations = ((IEnumerable<(string Name, ActivationKind Kind, float[] Values, int Step)>)capture.Activations).ToList();
        var adjoints = ((IEnumerable<(string Name, float[] Values, int Step)>)capture.Adjoints).ToList();
        Tensor q = Tensor.Relu(Tensor.MatMul(Tensor.Tanh(Tensor.MatMul(x, w)), v));
        Assert.Equal(new[] { "q" }, activations.Select(a => a.Name));
        Assert.Equal(ActivationKind.Relu, activations[0].Kind);
        AssertClose(q.ToArray(), activations[0].Values, 1e-5);
        Assert.Equal(new[] { "q" }, adjoints.Select(a => a.Name));
        AssertClose(((q - target) * (2f / q.Length)).ToArray(), adjoints[0].Values, 1e-5);
        Assert.Equal(Tensor.MeanSquaredError(q, target), value, 1e-5f);
    }

    [Fact]
    public void Switched_off_the_gradient_allocates_nothing_and_switched_on_a_fixed_amount_none_once_warm()
    {
        object[] args = Arguments();
        MethodInfo allocations = Nets.GetMethod("Allocations")!;
        long Measure(object? sink, bool plain) => (long)allocations.Invoke(null, args.Append(sink).Append(plain).Append(100).ToArray())!;
        Assert.Equal(0L, Measure(null, plain: true));
        Assert.Equal(0L, Measure(null, plain: false));
        // the runtime's recorder sizes its buffers when it first sees a name, so the steady state allocates nothing
        Assert.Equal(0L, Measure(new ActivationRecorder(), plain: false));
    }

    [Fact]
    public void The_recorder_counts_what_the_generated_code_reports()
    {
        object[] args = Arguments();
        var recorder = new ActivationRecorder();
        CallLoss(args, Adjoints(args), recorder);
        Tensor h = Tensor.Tanh(Tensor.MatMul((Tensor)args[0], (Tensor)args[2]) + (Tensor)args[3]);
        Tensor r = Tensor.Relu(Tensor.MatMul(h, (Tensor)args[4]));
        RecordedLocal rLocal = recorder.Find("r")!;
        Assert.Equal(ActivationKind.Relu, rLocal.Kind);
        Assert.Equal(r.ToArray().Count(v => v == 0) / (double)r.Length, rLocal.Last.SaturatedFraction, 1e-6);
        Assert.Equal(h.ToArray().Count(v => Math.Abs(v) > 0.97f) / (double)h.Length, recorder.Find("h")!.Last.SaturatedFraction, 1e-6);
    }

    private static Tensor Transpose(Tensor m)
    {
        var t = Tensor.Zeros(m.Shape[1], m.Shape[0]);
        for (int i = 0; i < m.Shape[0]; i++)
        {
            for (int j = 0; j < m.Shape[1]; j++)
            {
                t[j, i] = m[i, j];
            }
        }
        return t;
    }

    private static double[] ToDoubles(object value) => value switch
    {
        Tensor t => t.ToArray().Select(v => (double)v).ToArray(),
        int[] labels => labels.Select(v => (double)v).ToArray(),
        _ => throw new ArgumentException($"No doubles for {value}."),
    };

    private static double[] Tile(double[] row, int rows) => Enumerable.Range(0, rows).SelectMany(_ => row).ToArray();

    private static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double tolerance) =>
        AssertClose(expected.Select(v => (double)v).ToArray(), actual, tolerance);

    private static void AssertClose(double[] expected, IReadOnlyList<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Close(actual[i], expected[i], tolerance), $"element {i}: reported {actual[i]}, expected {expected[i]}");
        }
    }
}
