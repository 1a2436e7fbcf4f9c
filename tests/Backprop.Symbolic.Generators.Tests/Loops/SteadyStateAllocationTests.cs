using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// Once warmed up, generated gradients (and forward-mode derivatives) of methods with loops, local arrays and
/// <c>stackalloc</c> allocate nothing: the bytes allocated on the calling thread over many calls, measured inside the
/// compiled driver with arguments and adjoint buffers allocated beforehand, are zero.
/// </summary>
public sealed class SteadyStateAllocationTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Allocation;

        public static partial class Model
        {
            [Differentiable]
            public static double ScalarLoss(double w, double b, double x)
            {
                double z = w * x + b;
                return Math.Tanh(z) * z;
            }

            [Differentiable]
            public static double Norm(ReadOnlySpan<double> v)
            {
                double s = 0;
                for (int i = 0; i < v.Length; i++)
                {
                    s += v[i] * v[i];
                }
                return s;
            }

            [Differentiable]
            public static double Network(ReadOnlySpan<double> input, ReadOnlySpan<double> weights, double bias)
            {
                int hidden = weights.Length / input.Length;
                double[] activations = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    double z = bias;
                    for (int i = 0; i < input.Length; i++)
                    {
                        z += weights[j * input.Length + i] * input[i];
                    }
                    activations[j] = Math.Tanh(z);
                }
                Span<double> squared = stackalloc double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    squared[j] = activations[j] * activations[j];
                }
                double total = 0;
                for (int j = 0; j < hidden; j++)
                {
                    total += squared[j] + activations[j] * activations[j];
                }
                return total;
            }

            [Differentiable]
            public static double RunningState(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
            {
                double[] state = new double[w.Length];
                for (int t = 0; t < x.Length; t++)
                {
                    for (int j = 0; j < state.Length; j++)
                    {
                        state[j] = Math.Tanh(state[j] * w[j] + x[t]);
                    }
                }
                double s = 0;
                foreach (double h in state)
                {
                    s += h;
                }
                return s;
            }

            [Differentiable]
            public static float NetworkF(float[] input, ReadOnlySpan<float> weights)
            {
                int hidden = weights.Length / input.Length;
                float[] activations = new float[hidden];
                float s = 0;
                for (int j = 0; j < hidden; j++)
                {
                    float z = 0;
                    for (int i = 0; i < input.Length; i++)
                    {
                        z += weights[j * input.Length + i] * input[i];
                    }
                    activations[j] = MathF.Tanh(z);
                    s += activations[j] * activations[j];
                }
                return s;
            }
        }
        """;

    private const string TypeName = "Allocation.Model";
    private const int Calls = 1000;

    private static readonly CompiledProgram Code = new(Source);

    // The mixture and the recurrent net of the span-call tests: local arrays and state arrays handed to span methods per iteration.
    private static readonly CompiledProgram SpanCalls = new(SpanCallInLoopTests.Source);
    private const string SpanCallsType = "Loops.SpanCalls";

    private static double[] Ramp(int length, double start, double step)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = start + step * i;
        }
        return values;
    }

    private static void AssertNoGradientAllocations(string method, params object[] args)
    {
        long allocated = ArrayInvoke.GradientAllocatedBytes(Code, TypeName, method, args, Calls);
        Assert.True(allocated == 0,
            $"{Calls} calls of {method}Gradient allocated {allocated} bytes after the warm-up.{Environment.NewLine}{ArrayInvoke.Describe(Code, TypeName, method)}");
    }

    [Fact]
    public void Scalar_gradient_called_through_the_driver_allocates_nothing() =>
        AssertNoGradientAllocations("ScalarLoss", 0.5, -0.25, 1.5);

    [Fact]
    public void Gradient_of_a_span_loop_allocates_nothing() =>
        AssertNoGradientAllocations("Norm", Ramp(64, -1.0, 0.03));

    [Fact]
    public void Gradient_with_nested_loops_a_local_array_and_a_stackalloc_allocates_nothing() =>
        AssertNoGradientAllocations("Network", Ramp(8, -0.5, 0.1), Ramp(8 * 16, -0.8, 0.01), 0.1);

    [Fact]
    public void Gradient_of_a_long_recurrence_with_a_state_array_allocates_nothing() =>
        AssertNoGradientAllocations("RunningState", Ramp(500, -1.0, 0.004), Ramp(4, 0.2, 0.15));

    [Fact]
    public void Float_gradient_with_a_local_array_allocates_nothing() =>
        AssertNoGradientAllocations("NetworkF", new float[] { 0.5f, -0.25f, 1.0f }, new float[] { 0.1f, 0.2f, -0.3f, 0.4f, -0.5f, 0.6f });

    private static object[] MixtureArguments => [Ramp(200, -2.0, 0.02), Ramp(5, -1.0, 0.5), Ramp(5, -0.3, 0.1), Ramp(5, -0.3, 0.1)];

    [Fact]
    public void Gradient_calling_a_span_method_once_per_iteration_allocates_nothing()
    {
        long allocated = ArrayInvoke.GradientAllocatedBytes(SpanCalls, SpanCallsType, "MixtureLogLikelihood", MixtureArguments, Calls);
        Assert.True(allocated == 0,
            $"{Calls} calls of MixtureLogLikelihoodGradient allocated {allocated} bytes after the warm-up.{Environment.NewLine}{ArrayInvoke.Describe(SpanCalls, SpanCallsType, "MixtureLogLikelihood")}");
        allocated = ArrayInvoke.GradientAllocatedBytes(SpanCalls, SpanCallsType, "Recurrent", [Ramp(300, -1.0, 0.007), 0.8, -0.6, 0.1], Calls);
        Assert.True(allocated == 0,
            $"{Calls} calls of RecurrentGradient allocated {allocated} bytes after the warm-up.{Environment.NewLine}{ArrayInvoke.Describe(SpanCalls, SpanCallsType, "Recurrent")}");
    }

    [Fact]
    public void Forward_mode_calling_a_span_method_once_per_iteration_allocates_nothing()
    {
        object[] tangents = [Ramp(5, 1.0, -0.2), Ramp(5, 0.5, 0.1), Ramp(5, -0.5, 0.2)];
        long allocated = ArrayInvoke.DerivativeAllocatedBytes(SpanCalls, SpanCallsType, "MixtureLogLikelihood", MixtureArguments, tangents, Calls);
        Assert.True(allocated == 0,
            $"{Calls} calls of MixtureLogLikelihoodDerivative allocated {allocated} bytes after the warm-up.{Environment.NewLine}{ArrayInvoke.Describe(SpanCalls, SpanCallsType, "MixtureLogLikelihood")}");
    }

    [Fact]
    public void Forward_mode_with_loops_and_local_arrays_allocates_nothing()
    {
        double[] input = Ramp(8, -0.5, 0.1);
        double[] weights = Ramp(8 * 16, -0.8, 0.01);
        object[] tangents = [Ramp(8, 1.0, -0.1), Ramp(8 * 16, 0.5, -0.005), 1.0];
        long allocated = ArrayInvoke.DerivativeAllocatedBytes(Code, TypeName, "Network", [input, weights, 0.1], tangents, Calls);
        Assert.True(allocated == 0,
            $"{Calls} calls of NetworkDerivative allocated {allocated} bytes after the warm-up.{Environment.NewLine}{ArrayInvoke.Describe(Code, TypeName, "Network")}");
    }

    [Fact]
    public void Scalar_forward_mode_called_through_the_driver_allocates_nothing()
    {
        long allocated = ArrayInvoke.DerivativeAllocatedBytes(Code, TypeName, "ScalarLoss", [0.5, -0.25, 1.5], [1.0, 0.5, -0.25], Calls);
        Assert.True(allocated == 0, $"{Calls} calls of ScalarLossDerivative allocated {allocated} bytes after the warm-up.");
    }

    [Fact]
    public void Gradients_with_loops_are_correct_where_allocation_is_measured()
    {
        // The allocation tests are only meaningful for gradients that are right.
        ArrayGradientAssert.MatchesFiniteDifferences(Code, TypeName, "Network", Ramp(3, -0.5, 0.4), Ramp(3 * 4, -0.8, 0.13), 0.1);
        ArrayGradientAssert.MatchesFiniteDifferences(Code, TypeName, "RunningState", Ramp(6, -1.0, 0.35), Ramp(3, 0.2, 0.3));
        ArrayGradientAssert.MatchesFiniteDifferences(Code, TypeName, "NetworkF", new float[] { 0.5f, -0.25f, 1.0f }, new float[] { 0.1f, 0.2f, -0.3f, 0.4f, -0.5f, 0.6f });
    }
}
