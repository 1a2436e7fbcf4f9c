using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Instruments;

/// <summary>
/// An instrumented loss with a loop over time steps reports the recurrent state at every step, with the step's index:
/// its value in the forward loop (step 0 first) and its adjoint in the backward loop (the last step first). The values
/// are checked against the recurrence computed here, h_(t+1) = tanh(x_t·W + h_t·U), and the adjoints against
/// backpropagation through time written out by hand for L = Σ h_T ⊙ v: ∂L/∂h_T = v, ∂L/∂h_t = (∂L/∂h_(t+1) ⊙
/// (1 − h_(t+1)²))·Uᵀ.
/// </summary>
public sealed class InstrumentedLoopTests
{
    private const string Source = """
        using System;
        using System.Collections.Generic;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Instruments;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace InstrumentedLoops;

        public sealed class Capture : IInstrumentSink
        {
            public readonly List<(string Name, float[] Values, int Step)> Activations = new();
            public readonly List<(string Name, float[] Values, int Step)> Adjoints = new();
            public void Activation(string name, ActivationKind kind, Tensor value, int step) => Activations.Add((name, value.ToArray(), step));
            public void Adjoint(string name, Tensor adjoint, int step) => Adjoints.Add((name, adjoint.ToArray(), step));
        }

        public static partial class Nets
        {
            [Differentiable(nameof(w), nameof(u), Instrumented = true)]
            public static float Loss(Tensor xs, Tensor h0, Tensor w, Tensor u, Tensor v)
            {
                Tensor h = h0;
                for (int t = 0; t < xs.Shape[0]; t++)
                {
                    h = Tanh(MatMul(TimeStep(xs, t), w) + MatMul(h, u));
                }
                return Sum(h * v);
            }

            public static float Run(Tensor xs, Tensor h0, Tensor w, Tensor u, Tensor v, Tensor dW, Tensor dU, Capture sink) =>
                LossGradient(xs, h0, w, u, v, dW, dU, sink);
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private const int Steps = 4, Batch = 2, Inputs = 3, Hidden = 3;

    private static Tensor Filled(int seed, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        Span<float> s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = (float)Math.Sin(seed * 3.7 + i * 1.9) * 0.8f;
        }
        return t;
    }

    [Fact]
    public void The_state_is_reported_at_every_step_with_its_value_and_its_adjoint()
    {
        Tensor xs = Filled(1, Steps, Batch, Inputs), h0 = Filled(2, Batch, Hidden), w = Filled(3, Inputs, Hidden), u = Filled(4, Hidden, Hidden), v = Filled(5, Batch, Hidden);
        dynamic sink = Activator.CreateInstance(Program.Type("InstrumentedLoops.Capture"))!;
        Program.Type("InstrumentedLoops.Nets").GetMethod("Run")!.Invoke(null, new object[] { xs, h0, w, u, v, Tensor.Zeros(Inputs, Hidden), Tensor.Zeros(Hidden, Hidden), sink });
        var activations = ((IEnumerable<(string Name, float[] Values, int Step)>)sink.Activations).ToList();
        var adjoints = ((IEnumerable<(string Name, float[] Values, int Step)>)sink.Adjoints).ToList();

        // The recurrence, in double.
        var states = new List<double[]> { h0.ToArray().Select(x => (double)x).ToArray() };
        for (int t = 0; t < Steps; t++)
        {
            double[] previous = states[^1], next = new double[Batch * Hidden];
            for (int b = 0; b < Batch; b++)
            {
                for (int j = 0; j < Hidden; j++)
                {
                    double z = 0;
                    for (int i = 0; i < Inputs; i++)
                    {
                        z += xs[t, b, i] * w[i, j];
                    }
                    for (int k = 0; k < Hidden; k++)
                    {
                        z += previous[b * Hidden + k] * u[k, j];
                    }
                    next[b * Hidden + j] = Math.Tanh(z);
                }
            }
            states.Add(next);
        }

        var stateReports = activations.Where(a => a.Step >= 0).ToList();
        Assert.Equal(Enumerable.Range(0, Steps), stateReports.Select(a => a.Step));
        Assert.All(stateReports, a => Assert.Equal("h", a.Name)); // the source's name, not the lowering's h_2
        for (int t = 0; t < Steps; t++)
        {
            AssertClose(states[t + 1], stateReports[t].Values, $"the state after step {t}");
        }

        // Backpropagation through time by hand.
        double[] adjoint = v.ToArray().Select(x => (double)x).ToArray();
        var expected = new double[Steps][];
        for (int t = Steps - 1; t >= 0; t--)
        {
            expected[t] = adjoint;
            double[] h = states[t + 1], before = new double[Batch * Hidden];
            for (int b = 0; b < Batch; b++)
            {
                for (int k = 0; k < Hidden; k++)
                {
                    double sum = 0;
                    for (int j = 0; j < Hidden; j++)
                    {
                        sum += adjoint[b * Hidden + j] * (1 - h[b * Hidden + j] * h[b * Hidden + j]) * u[k, j];
                    }
                    before[b * Hidden + k] = sum;
                }
            }
            adjoint = before;
        }
        var adjointReports = adjoints.Where(a => a.Step >= 0 && a.Name == stateReports[0].Name).ToList();
        Assert.Equal(Enumerable.Range(0, Steps).Reverse(), adjointReports.Select(a => a.Step));
        foreach (var report in adjointReports)
        {
            AssertClose(expected[report.Step], report.Values, $"the adjoint of the state after step {report.Step}");
        }
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"{what}, element {i}: {actual[i]}, expected {expected[i]}");
        }
    }
}
