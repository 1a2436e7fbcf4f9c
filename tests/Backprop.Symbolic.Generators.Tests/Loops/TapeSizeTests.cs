using System;
using System.Reflection;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// How much the reverse mode records for an MLP loss written the way a new user writes it: per-sample local arrays,
/// the hidden layer filled in one loop and read for every output in another. The hidden layer is filled and then only
/// read within each sample, so it goes on the tape once per sample (its elements, whole), not once per read, and the
/// activations stored in it are read back from it: the tape grows with hidden + outputs per sample, not with
/// hidden × outputs. A [CustomGradient] probe called at the end of
/// the forward sweep reads the tape's height.
/// </summary>
public sealed class TapeSizeTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Taping;

        namespace Loops;

        public static partial class PerSample
        {
            /// <summary>The tape's height when the forward sweep ended.</summary>
            public static int Height;

            [CustomGradient(nameof(TapeHeightGradient))]
            public static double TapeHeight(double x) => x;

            public static double TapeHeightGradient(double x, out double dX)
            {
                Height = Tape.Current.ValueCount;
                dX = 1.0;
                return x;
            }

            // Σ_s Σ_k (Σ_j tanh(Σ_i x_si w1_ji) w2_kj − y_sk)²
            [Differentiable(nameof(w1), nameof(w2))]
            public static double Loss(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> w1, ReadOnlySpan<double> w2,
                int inputs, int hidden, int outputs)
            {
                double loss = 0.0;
                int samples = x.Length / inputs;
                for (int s = 0; s < samples; s++)
                {
                    double[] h = new double[hidden];
                    for (int j = 0; j < hidden; j++)
                    {
                        double z = 0.0;
                        for (int i = 0; i < inputs; i++)
                        {
                            z += x[s * inputs + i] * w1[j * inputs + i];
                        }
                        h[j] = Math.Tanh(z);
                    }
                    for (int k = 0; k < outputs; k++)
                    {
                        double o = 0.0;
                        for (int j = 0; j < hidden; j++)
                        {
                            o += h[j] * w2[k * hidden + j];
                        }
                        double d = o - y[s * outputs + k];
                        loss += d * d;
                    }
                }
                return TapeHeight(loss);
            }

            // The same hidden layer, but written again after it is read: it must be recorded per read.
            [Differentiable(nameof(w1), nameof(w2))]
            public static double LossRewritingTheLayer(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> w1, ReadOnlySpan<double> w2,
                int inputs, int hidden, int outputs)
            {
                double loss = 0.0;
                int samples = x.Length / inputs;
                for (int s = 0; s < samples; s++)
                {
                    double[] h = new double[hidden];
                    for (int j = 0; j < hidden; j++)
                    {
                        double z = 0.0;
                        for (int i = 0; i < inputs; i++)
                        {
                            z += x[s * inputs + i] * w1[j * inputs + i];
                        }
                        h[j] = Math.Tanh(z);
                    }
                    for (int k = 0; k < outputs; k++)
                    {
                        double o = 0.0;
                        for (int j = 0; j < hidden; j++)
                        {
                            o += h[j] * w2[k * hidden + j];
                            h[j] = h[j] * 0.5;
                        }
                        double d = o - y[s * outputs + k];
                        loss += d * d;
                    }
                }
                return loss;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);
    private const string TypeName = "Loops.PerSample";

    private const int Inputs = 4;

    private static (double[] X, double[] Y, double[] W1, double[] W2) Problem(int samples, int hidden, int outputs)
    {
        var random = new Random(17);
        double[] Draw(int n, double scale)
        {
            var values = new double[n];
            for (int i = 0; i < n; i++)
            {
                values[i] = scale * (2 * random.NextDouble() - 1);
            }
            return values;
        }
        return (Draw(samples * Inputs, 1.0), Draw(samples * outputs, 1.0), Draw(hidden * Inputs, 0.8), Draw(outputs * hidden, 0.8));
    }

    // The gradient by hand: forward per sample, then δ_k = 2(o_k − y_k), ∂/∂w2_kj = δ_k h_j, ∂/∂h_j = Σ_k δ_k w2_kj,
    // ∂/∂w1_ji = ∂/∂h_j (1 − h_j²) x_i.
    private static (double[] DW1, double[] DW2) ByHand(double[] x, double[] y, double[] w1, double[] w2, int hidden, int outputs)
    {
        var dW1 = new double[w1.Length];
        var dW2 = new double[w2.Length];
        int samples = x.Length / Inputs;
        var h = new double[hidden];
        var dH = new double[hidden];
        for (int s = 0; s < samples; s++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double z = 0;
                for (int i = 0; i < Inputs; i++)
                {
                    z += x[s * Inputs + i] * w1[j * Inputs + i];
                }
                h[j] = Math.Tanh(z);
                dH[j] = 0;
            }
            for (int k = 0; k < outputs; k++)
            {
                double o = 0;
                for (int j = 0; j < hidden; j++)
                {
                    o += h[j] * w2[k * hidden + j];
                }
                double delta = 2 * (o - y[s * outputs + k]);
                for (int j = 0; j < hidden; j++)
                {
                    dW2[k * hidden + j] += delta * h[j];
                    dH[j] += delta * w2[k * hidden + j];
                }
            }
            for (int j = 0; j < hidden; j++)
            {
                double dZ = dH[j] * (1 - h[j] * h[j]);
                for (int i = 0; i < Inputs; i++)
                {
                    dW1[j * Inputs + i] += dZ * x[s * Inputs + i];
                }
            }
        }
        return (dW1, dW2);
    }

    private static int HeightAfterGradient(int samples, int hidden, int outputs)
    {
        (double[] x, double[] y, double[] w1, double[] w2) = Problem(samples, hidden, outputs);
        FieldInfo height = ArrayInvoke.Type(Code, TypeName).GetField("Height")!;
        height.SetValue(null, -1);
        ArrayInvoke.Gradient(Code, TypeName, "Loss", x, y, w1, w2, Inputs, hidden, outputs);
        return (int)height.GetValue(null)!;
    }

    [Theory]
    [InlineData(1, 6, 3)]
    [InlineData(5, 6, 3)]
    [InlineData(5, 6, 9)]
    [InlineData(3, 32, 10)]
    public void The_hidden_layer_is_recorded_once_per_sample_not_once_per_read(int samples, int hidden, int outputs)
    {
        // Per sample: each output o_k (outputs values) and the hidden layer, whole (hidden values); tanh(z_j), which its
        // derivative reads, is read back from h[j]. Recorded per read, the layer would cost hidden × outputs values.
        Assert.Equal(samples * (hidden + outputs), HeightAfterGradient(samples, hidden, outputs));
    }

    [Fact]
    public void The_gradient_with_the_layer_recorded_whole_is_the_one_by_hand()
    {
        const int hidden = 5, outputs = 3;
        (double[] x, double[] y, double[] w1, double[] w2) = Problem(4, hidden, outputs);
        (double[] dW1, double[] dW2) = ByHand(x, y, w1, w2, hidden, outputs);
        object[] args = [x, y, w1, w2, Inputs, hidden, outputs];
        ArrayGradientAssert.Matches(Code, TypeName, "Loss", args, dW1, dW2);
        ArrayGradientAssert.ForwardMatchesReverse(Code, TypeName, "Loss", args);
    }

    [Fact]
    public void A_layer_written_after_it_is_read_is_still_differentiated_correctly()
    {
        object[] args = [.. Tuple(Problem(3, 4, 3)), Inputs, 4, 3];
        ArrayGradientAssert.MatchesFiniteDifferences(Code, TypeName, "LossRewritingTheLayer", args);
        ArrayGradientAssert.ForwardMatchesReverse(Code, TypeName, "LossRewritingTheLayer", args);
    }

    [Fact]
    public void A_steady_state_gradient_with_the_layer_recorded_whole_allocates_nothing()
    {
        (double[] x, double[] y, double[] w1, double[] w2) = Problem(8, 16, 4);
        Assert.Equal(0, ArrayInvoke.GradientAllocatedBytes(Code, TypeName, "Loss", [x, y, w1, w2, Inputs, 16, 4], calls: 50));
    }

    private static object[] Tuple((double[] X, double[] Y, double[] W1, double[] W2) p) => [p.X, p.Y, p.W1, p.W2];
}
