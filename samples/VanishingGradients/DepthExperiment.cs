using System;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;

namespace VanishingGradients;

/// <summary>What one stack showed at each of its layers (index 0 is layer 1, the one nearest the input).</summary>
public sealed record DepthProfile(
    Activation Activation,
    Draw Draw,
    int Depth,
    double[] Variance,
    double[] Saturated,
    double[] WeightGradientNorm,
    double[] ActivationGradientNorm,
    double Loss);

/// <summary>
/// A stack h_l = f(h_{l−1}·A_l), h_0 = a batch of digits, with a softmax readout on top: the forward sweep through the
/// layers' generated <c>…Value</c>, the backward sweep through their <c>…Pullback</c>, last layer first, measuring each
/// layer's activation (variance, saturated fraction) and gradients (‖∂L/∂A_l‖ and ‖∂L/∂h_l‖) on the way.
/// </summary>
public static class DepthExperiment
{
    public static DepthProfile Measure(Activation activation, Draw draw, int depth, Tensor x, int[] labels, int classes, long seed)
    {
        int width = x.Shape[1];
        var weights = new Tensor[depth];
        for (int l = 0; l < depth; l++)
        {
            weights[l] = Tensor.Zeros(width, width);
            draw.Create(seed * 1000 + l).Fill(weights[l]);
        }
        Tensor readout = Tensor.Zeros(width, classes);
        Initializer.XavierNormal(seed * 1000 + 999).Fill(readout);
        var variance = new double[depth];
        var saturated = new double[depth];
        var weightGradient = new double[depth];
        var activationGradient = new double[depth];

        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            var h = new Tensor[depth + 1];
            h[0] = x;
            for (int l = 0; l < depth; l++)
            {
                h[l + 1] = activation.Value(h[l], weights[l]);
                ActivationStatistics statistics = ActivationStatistics.Compute(h[l + 1].Span, Kind(activation));
                variance[l] = statistics.Variance;
                saturated[l] = statistics.SaturatedFraction;
            }

            Tensor dH = tape.RentTensor(h[depth].Shape);
            Tensor dReadout = tape.RentTensor(readout.Shape);
            float loss = Layers.ReadoutGradient(h[depth], labels, readout, dH, dReadout);
            for (int l = depth - 1; l >= 0; l--)
            {
                activationGradient[l] = GradientClipping.GlobalNorm(dH.Span);
                Tensor dA = tape.RentTensor(weights[l].Shape);
                Tensor dBelow = l > 0 ? tape.RentTensor(h[l].Shape) : default; // the input needs no adjoint
                activation.Pullback(h[l], weights[l], dH, dBelow, dA);
                weightGradient[l] = GradientClipping.GlobalNorm(dA.Span);
                dH = dBelow;
            }
            return new DepthProfile(activation, draw, depth, variance, saturated, weightGradient, activationGradient, loss);
        }
        finally
        {
            tape.Release(mark);
        }
    }

    public static ActivationKind Kind(Activation activation) =>
        activation == Activation.Sigmoid ? ActivationKind.Sigmoid : activation == Activation.Tanh ? ActivationKind.Tanh : ActivationKind.Relu;
}
