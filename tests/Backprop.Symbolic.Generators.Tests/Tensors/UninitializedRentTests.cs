using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Generated tensor code rents the tensors it overwrites whole without clearing them
/// (<see cref="Tape.RentTensorUninitialized"/>). A tensor rented that way and not written whole would read whatever
/// the workspace held: these tests fill the workspace with zeros, with NaN and with a huge number before each call,
/// and require the results to be the same bits every time (a zero-filled workspace gives what cleared rents give).
/// Every operation with a kernel, in both modes, through layers and loops over time steps, is covered.
/// </summary>
public sealed class UninitializedRentTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;
        using static Backprop.Symbolic.Layers.Recurrent;

        namespace Poisoned;

        public static partial class Losses
        {
            [Differentiable]
            public static float Mlp(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d)
            {
                Tensor h = Tanh(MatMul(x, a) + b);
                Tensor logits = MatMul(h, c) + d;
                return SoftmaxCrossEntropy(logits, y) + 0.001f * Sum(Square(a));
            }

            [Differentiable]
            public static float Mixed(Tensor x, ReadOnlySpan<int> rows, Tensor e, Tensor w)
            {
                Tensor g = Gather(e, rows);
                Tensor c = Concat(1, g, x);
                Tensor p = Softmax(MatMul(c, w));
                Tensor l = LogSoftmax(MatMul(c, w) * 0.5f);
                Tensor s = Sum(p * l, 0);
                Tensor m = Mean(Chunk(l, 2, 1), 1);
                return Sum(Square(s)) + Mean(Exp(m)) + MeanSquaredError(p, Sigmoid(l));
            }

            [Differentiable]
            public static float Cnn(Tensor x, ReadOnlySpan<int> y, Tensor k, Tensor kb, Tensor k2, Tensor w)
            {
                Tensor h = Relu(Conv2D(x, k, kb, 1, 1));
                Tensor p = MaxPool2D(h, 2);
                Tensor q = AvgPool2D(Conv2D(p, k2, 1, 1), 2);
                return SoftmaxCrossEntropy(MatMul(Flatten(q), w), y);
            }

            [Differentiable]
            public static Tensor Dense(Tensor x, Tensor w, Tensor b) => Tanh(MatMul(x, w) + b);

            [Differentiable]
            public static float Layered(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d) =>
                SoftmaxCrossEntropy(Dense(Dense(x, a, b), c, d), y);

            [Differentiable]
            public static float Lstm(Tensor xs, ReadOnlySpan<int> y, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V)
            {
                Tensor state = state0;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    state = LstmCell(TimeStep(xs, t), state, W, U, b);
                }
                return SoftmaxCrossEntropy(MatMul(Chunk(state, 2, 0), V), y);
            }

            [Differentiable]
            public static float Rnn(Tensor xs, Tensor h0, Tensor W, Tensor U, Tensor b)
            {
                Tensor h = h0;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    h = Tanh(MatMul(TimeStep(xs, t), W) + MatMul(h, U) + b);
                }
                return Sum(Square(h));
            }

            public static float[] MlpGradientAll(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor d)
            {
                Tensor dA = Zeros(a.Shape), dB = Zeros(b.Shape), dC = Zeros(c.Shape), dD = Zeros(d.Shape);
                return Join(MlpGradient(x, y, a, b, c, d, Zeros(x.Shape), dA, dB, dC, dD), dA, dB, dC, dD);
            }

            public static float[] MlpDerivativeAll(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor d) =>
                Join(MlpDerivative(x, y, a, b, c, d, x, a, b, c, d, out float derivative), derivative);

            public static float[] MixedGradientAll(Tensor x, int[] rows, Tensor e, Tensor w)
            {
                Tensor dX = Zeros(x.Shape), dE = Zeros(e.Shape), dW = Zeros(w.Shape);
                return Join(MixedGradient(x, rows, e, w, dX, dE, dW), dX, dE, dW);
            }

            public static float[] MixedDerivativeAll(Tensor x, int[] rows, Tensor e, Tensor w) =>
                Join(MixedDerivative(x, rows, e, w, x, e, w, out float derivative), derivative);

            public static float[] CnnGradientAll(Tensor x, int[] y, Tensor k, Tensor kb, Tensor k2, Tensor w)
            {
                Tensor dX = Zeros(x.Shape), dK = Zeros(k.Shape), dKb = Zeros(kb.Shape), dK2 = Zeros(k2.Shape), dW = Zeros(w.Shape);
                return Join(CnnGradient(x, y, k, kb, k2, w, dX, dK, dKb, dK2, dW), dX, dK, dKb, dK2, dW);
            }

            public static float[] CnnDerivativeAll(Tensor x, int[] y, Tensor k, Tensor kb, Tensor k2, Tensor w) =>
                Join(CnnDerivative(x, y, k, kb, k2, w, x, k, kb, k2, w, out float derivative), derivative);

            public static float[] LayeredGradientAll(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor d)
            {
                Tensor dX = Zeros(x.Shape), dA = Zeros(a.Shape), dB = Zeros(b.Shape), dC = Zeros(c.Shape), dD = Zeros(d.Shape);
                return Join(LayeredGradient(x, y, a, b, c, d, dX, dA, dB, dC, dD), dX, dA, dB, dC, dD);
            }

            public static float[] LayeredDerivativeAll(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor d) =>
                Join(LayeredDerivative(x, y, a, b, c, d, x, a, b, c, d, out float derivative), derivative);

            public static float[] LstmGradientAll(Tensor xs, int[] y, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V)
            {
                Tensor dXs = Zeros(xs.Shape), dS = Zeros(state0.Shape), dW = Zeros(W.Shape), dU = Zeros(U.Shape), dB = Zeros(b.Shape), dV = Zeros(V.Shape);
                return Join(LstmGradient(xs, y, state0, W, U, b, V, dXs, dS, dW, dU, dB, dV), dXs, dS, dW, dU, dB, dV);
            }

            public static float[] LstmDerivativeAll(Tensor xs, int[] y, Tensor state0, Tensor W, Tensor U, Tensor b, Tensor V) =>
                Join(LstmDerivative(xs, y, state0, W, U, b, V, xs, state0, W, U, b, V, out float derivative), derivative);

            public static float[] RnnGradientAll(Tensor xs, Tensor h0, Tensor W, Tensor U, Tensor b)
            {
                Tensor dXs = Zeros(xs.Shape), dH = Zeros(h0.Shape), dW = Zeros(W.Shape), dU = Zeros(U.Shape), dB = Zeros(b.Shape);
                return Join(RnnGradient(xs, h0, W, U, b, dXs, dH, dW, dU, dB), dXs, dH, dW, dU, dB);
            }

            public static float[] RnnDerivativeAll(Tensor xs, Tensor h0, Tensor W, Tensor U, Tensor b) =>
                Join(RnnDerivative(xs, h0, W, U, b, xs, h0, W, U, b, out float derivative), derivative);

            private static float[] Join(float value, params object[] parts)
            {
                var all = new System.Collections.Generic.List<float> { value };
                foreach (object part in parts)
                {
                    if (part is Tensor t)
                    {
                        all.AddRange(t.ToArray());
                    }
                    else
                    {
                        all.Add((float)part);
                    }
                }
                return all.ToArray();
            }
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static object[] Arguments(string method) => method switch
    {
        "Mlp" or "Layered" => new object[]
        {
            Random(1, -1, 1, 4, 3), new[] { 0, 1, 1, 0 }, Random(2, -1, 1, 3, 5), Random(3, -1, 1, 5), Random(4, -1, 1, 5, 2), Random(5, -1, 1, 2),
        },
        "Mixed" => new object[] { Random(11, -1, 1, 3, 2), new[] { 2, 0, 2 }, Random(12, -1, 1, 4, 3), Random(13, -1, 1, 5, 6) },
        "Cnn" => new object[]
        {
            Random(21, -1, 1, 2, 1, 8, 8), new[] { 1, 2 }, Random(22, -0.5, 0.5, 3, 1, 3, 3), Random(23, -0.1, 0.1, 3), Random(24, -0.5, 0.5, 2, 3, 3, 3), Random(25, -1, 1, 8, 3),
        },
        "Lstm" => new object[]
        {
            Random(31, -1, 1, 3, 2, 4), new[] { 1, 0 }, Random(32, -0.5, 0.5, 2, 6), Random(33, -0.5, 0.5, 4, 12), Random(34, -0.5, 0.5, 3, 12), Random(35, -0.1, 0.1, 12), Random(36, -1, 1, 3, 2),
        },
        "Rnn" => new object[] { Random(41, -1, 1, 4, 2, 3), Random(42, -0.5, 0.5, 2, 5), Random(43, -0.5, 0.5, 3, 5), Random(44, -0.5, 0.5, 5, 5), Random(45, -0.1, 0.1, 5) },
        _ => throw new ArgumentException(method),
    };

    public static TheoryData<string> Calls()
    {
        var data = new TheoryData<string>();
        foreach (string method in new[] { "Mlp", "Mixed", "Cnn", "Layered", "Lstm", "Rnn" })
        {
            data.Add(method + "GradientAll");
            data.Add(method + "DerivativeAll");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void Results_do_not_depend_on_what_the_workspace_held(string call)
    {
        MethodInfo method = Program.Type("Poisoned.Losses").GetMethod(call)!;
        object[] args = Arguments(call.Substring(0, call.IndexOf(call.Contains("Gradient") ? "Gradient" : "Derivative", StringComparison.Ordinal)));
        float[] cleared = OnFreshThread(() => Run(method, args, 0f));
        Assert.All(cleared, v => Assert.True(float.IsFinite(v), $"{call} gave {v} with a zeroed workspace"));
        foreach (float poison in new[] { float.NaN, 3e38f, -1f })
        {
            float[] poisoned = OnFreshThread(() => Run(method, args, poison));
            Assert.Equal(cleared.Length, poisoned.Length);
            for (int i = 0; i < cleared.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(cleared[i]) == BitConverter.SingleToInt32Bits(poisoned[i]),
                    $"{call}: result {i} is {poisoned[i]} in a workspace filled with {poison}, {cleared[i]} in a zeroed one");
            }
        }
    }

    [Fact]
    public void Uninitialized_rent_keeps_what_the_workspace_held_and_a_cleared_rent_clears_it()
    {
        float[] seen = OnFreshThread(() =>
        {
            Tape tape = Tape.Current;
            Tape.Mark mark = tape.GetMark();
            Poison(tape, 5f);
            tape.Release(mark);
            Tensor garbage = tape.RentTensorUninitialized(new TensorShape(3, 4));
            float first = garbage.Span[7];
            tape.Release(mark);
            Poison(tape, 5f);
            tape.Release(mark);
            Tensor cleared = tape.RentTensor(new TensorShape(3, 4));
            float second = cleared.Span.ToArray().Max();
            tape.Release(mark);
            return new[] { first, second };
        });
        Assert.Equal(new[] { 5f, 0f }, seen);
    }

    // Fills the part of the workspace the call will rent from with `poison`, then calls it.
    private static float[] Run(MethodInfo method, object[] args, float poison)
    {
        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        Poison(tape, poison);
        tape.Release(mark);
        try
        {
            return (float[])method.Invoke(null, args)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    // Rents (without clearing) and fills a block far larger than any call here needs, then leaves it rented.
    private static void Poison(Tape tape, float value) => tape.RentTensorUninitialized(new TensorShape(1 << 20)).Span.Fill(value);

    // Each run on its own thread: a tape of its own, which nothing else has used.
    private static T OnFreshThread<T>(Func<T> work)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            throw new Xunit.Sdk.XunitException("The call failed: " + error);
        }
        return result;
    }
}
