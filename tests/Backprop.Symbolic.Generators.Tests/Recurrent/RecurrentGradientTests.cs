using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Generators.Tests.Tensors;
using Backprop.Symbolic.Tensors;
using Xunit;
using Xunit.Sdk;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;
using static Backprop.Symbolic.Generators.Tests.Recurrent.RecurrentReference;

namespace Backprop.Symbolic.Generators.Tests.Recurrent;

/// <summary>
/// Backpropagation through time in generated code: losses that unroll an RNN or LSTM cell with a for loop over the time
/// steps, against central differences of a double-precision reference, against the same loss unrolled by hand
/// (straight-line code), forward mode against reverse mode, the input sequence's adjoint step by step, and 0 B per call.
/// </summary>
public sealed class RecurrentGradientTests
{
    private const int Batch = 3, Features = 2, Hidden = 4, Outputs = 2, Classes = 3;

    private static readonly CompiledProgram Program = new(RecurrentSource.Source);

    private static Type Networks => Program.Type("Recurrent.Networks");

    private static object[] RnnArguments(int steps) => new object[]
    {
        Random(steps, -1, 1, steps, Batch, Features), Random(2, -0.5, 0.5, Batch, Hidden), Random(3, -0.8, 0.8, Features, Hidden),
        Random(4, -0.6, 0.6, Hidden, Hidden), Random(5, -0.3, 0.3, Hidden), Random(6, -1, 1, Hidden, Outputs), Random(7, -0.3, 0.3, Outputs),
        Random(8, -1, 1, Batch, Outputs),
    };

    private static double RnnLoss(double[][] v)
    {
        int steps = v[0].Length / (Batch * Features);
        double[] h = v[1];
        for (int t = 0; t < steps; t++)
        {
            h = Rnn(Step(v[0], t, Batch, Features), h, v[2], v[3], v[4], Batch, Features, Hidden);
        }
        return Reference.MeanSquaredError(Reference.Zip(Reference.MatMul(h, v[5], Batch, Hidden, Outputs), v[6], (p, q) => p + q), v[7]);
    }

    private static object[] LstmArguments(int steps) => new object[]
    {
        Random(10 + steps, -1, 1, steps, Batch, Features), new[] { 0, 2, 1 }, Random(12, -0.5, 0.5, Batch, 2 * Hidden), Random(13, -0.8, 0.8, Features, 4 * Hidden),
        Random(14, -0.6, 0.6, Hidden, 4 * Hidden), Random(15, -0.3, 0.3, 4 * Hidden), Random(16, -1, 1, Hidden, Classes), Random(17, -0.3, 0.3, Classes),
    };

    private static double LstmLoss(double[][] v)
    {
        int steps = v[0].Length / (Batch * Features);
        double[] state = v[2];
        for (int t = 0; t < steps; t++)
        {
            state = Lstm(Step(v[0], t, Batch, Features), state, v[3], v[4], v[5], Batch, Features, Hidden);
        }
        return Reference.SoftmaxCrossEntropy(Reference.Zip(Reference.MatMul(Hidden(state, Batch, Hidden), v[6], Batch, Hidden, Classes), v[7], (p, q) => p + q), v[1], Classes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Rnn_sequence_loss_against_central_differences(int steps)
    {
        Matches(Networks, "RnnLossGradient", RnnArguments(steps), RnnLoss);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Lstm_sequence_loss_against_central_differences(int steps)
    {
        Matches(Networks, "LstmLossArraysGradient", LstmArguments(steps), LstmLoss);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Layer_with_a_loop_composed_by_a_loss(int steps)
    {
        Matches(Networks, "EncoderLossGradient", RnnArguments(steps), RnnLoss);
        DerivativeMatchesGradient(Networks, "EncoderLossGradient", "EncoderLossDerivative", RnnArguments(steps));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Layer_calling_a_layer_inside_the_loop(int steps)
    {
        Matches(Networks, "ResidualRnnLossGradient", RnnArguments(steps), v =>
        {
            int n = v[0].Length / (Batch * Features);
            double[] h = v[1];
            for (int t = 0; t < n; t++)
            {
                h = Reference.Zip(Rnn(Step(v[0], t, Batch, Features), h, v[2], v[3], v[4], Batch, Features, Hidden), h, (p, q) => p + (0.5 * q));
            }
            return Reference.MeanSquaredError(Reference.Zip(Reference.MatMul(h, v[5], Batch, Hidden, Outputs), v[6], (p, q) => p + q), v[7]);
        });
        DerivativeMatchesGradient(Networks, "ResidualRnnLossGradient", "ResidualRnnLossDerivative", RnnArguments(steps));
    }

    [Fact]
    public void Rnn_loop_agrees_with_the_loss_unrolled_by_hand()
    {
        object[] args = RnnArguments(3);
        AgreeElementwise(Call(Networks, "RnnLossGradient", args), Call(Networks, "RnnLossUnrolledGradient", args));
    }

    [Fact]
    public void Lstm_loop_agrees_with_the_loss_unrolled_by_hand()
    {
        object[] args = LstmArguments(3);
        AgreeElementwise(Call(Networks, "LstmLossArraysGradient", args), Call(Networks, "LstmLossUnrolledArraysGradient", args));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Forward_mode_agrees_with_reverse_mode(int steps)
    {
        DerivativeMatchesGradient(Networks, "RnnLossGradient", "RnnLossDerivative", RnnArguments(steps));
        DerivativeMatchesGradient(Networks, "LstmLossArraysGradient", "LstmLossArraysDerivative", LstmArguments(steps));
        DerivativeMatchesGradient(Networks, "RnnSumOfOutputsGradient", "RnnSumOfOutputsDerivative", SumArguments(steps));
    }

    private static object[] SumArguments(int steps) => RnnArguments(steps).Take(5).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Two_carried_tensors_and_element_wise_chains_in_the_body(int steps)
    {
        Matches(Networks, "RnnSumOfOutputsGradient", SumArguments(steps), v =>
        {
            int n = v[0].Length / (Batch * Features);
            double[] h = v[1];
            double total = 0;
            for (int t = 0; t < n; t++)
            {
                h = Rnn(Step(v[0], t, Batch, Features), h, v[2], v[3], v[4], Batch, Features, Hidden);
                total += 0.5 * Reference.Sum(Reference.Map(h, q => q * q));
            }
            return total + 0.1 * Reference.Mean(Reference.Map(h, Reference.Sigmoid));
        });
    }

    [Fact]
    public void Input_sequence_adjoint_step_by_step()
    {
        // The loss reads the sequence only through the cell: the adjoint of step t is the adjoint of x_t, which for the
        // last step is dh_T·(1 − h_T²)·Wᵀ and shrinks for earlier steps with the small recurrent weights.
        const int steps = 4;
        object[] args = RnnArguments(steps);
        double[][] adjoints = Matches(Networks, "RnnLossGradient", args, RnnLoss);
        double[] dXs = adjoints[0];
        double[][] v = args.Select(a => a switch { Tensor t => t.ToArray().Select(x => (double)x).ToArray(), _ => Array.Empty<double>() }).ToArray();
        var hs = new double[steps + 1][];
        hs[0] = v[1];
        for (int t = 0; t < steps; t++)
        {
            hs[t + 1] = Rnn(Step(v[0], t, Batch, Features), hs[t], v[2], v[3], v[4], Batch, Features, Hidden);
        }
        // Analytic adjoint of the last step: dLoss/dy = 2(y − target)/N; dh = dy·Vᵀ; dz = dh ⊙ (1 − h²); dx = dz·Wᵀ.
        double[] y = Reference.Zip(Reference.MatMul(hs[steps], v[5], Batch, Hidden, Outputs), v[6], (p, q) => p + q);
        double[] dy = Reference.Zip(y, v[7], (p, q) => 2 * (p - q) / (Batch * Outputs));
        var dh = new double[Batch * Hidden];
        var dx = new double[Batch * Features];
        for (int r = 0; r < Batch; r++)
        {
            for (int j = 0; j < Hidden; j++)
            {
                for (int o = 0; o < Outputs; o++)
                {
                    dh[r * Hidden + j] += dy[r * Outputs + o] * v[5][j * Outputs + o];
                }
                double dz = dh[r * Hidden + j] * (1 - hs[steps][r * Hidden + j] * hs[steps][r * Hidden + j]);
                for (int f = 0; f < Features; f++)
                {
                    dx[r * Features + f] += dz * v[2][f * Hidden + j];
                }
            }
        }
        double[] last = dXs.Skip((steps - 1) * Batch * Features).ToArray();
        for (int k = 0; k < dx.Length; k++)
        {
            Assert.True(Close(last[k], dx[k], 1e-4), $"dXs[{steps - 1}][{k}] = {last[k]}, analytic {dx[k]}");
        }
        Assert.All(Enumerable.Range(0, steps), t => Assert.Contains(dXs.Skip(t * Batch * Features).Take(Batch * Features), d => d != 0));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(64)]
    public void Lstm_gradient_returns_the_loss_and_allocates_nothing_once_warm(int steps)
    {
        object[] args = LstmArguments(steps);
        float primal = (float)Networks.GetMethod("LstmLossArrays")!.Invoke(null, args)!;
        Assert.True(Close(Call(Networks, "LstmLossArraysGradient", args).Value, primal, 1e-5));
        Assert.Equal(0L, (long)Networks.GetMethod("LstmLossAllocations")!.Invoke(null, args.Append(50).ToArray())!);
    }

    private static void AgreeElementwise((double Value, double[][] Adjoints) loop, (double Value, double[][] Adjoints) unrolled)
    {
        Assert.True(Close(loop.Value, unrolled.Value, 1e-6), $"value {loop.Value} vs unrolled {unrolled.Value}");
        Assert.Equal(unrolled.Adjoints.Length, loop.Adjoints.Length);
        for (int a = 0; a < loop.Adjoints.Length; a++)
        {
            for (int k = 0; k < loop.Adjoints[a].Length; k++)
            {
                if (!Close(loop.Adjoints[a][k], unrolled.Adjoints[a][k], 1e-5))
                {
                    throw new XunitException($"adjoint {a}[{k}]: loop {loop.Adjoints[a][k]}, unrolled {unrolled.Adjoints[a][k]}");
                }
            }
        }
    }
}
