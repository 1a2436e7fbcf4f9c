using System;
using Backprop.Symbolic.GradientChecking;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;

namespace DigitsConv;

/// <summary>
/// Checks the generated gradient before training. ReLU and max pooling make the loss piecewise smooth in the
/// convolutions' parameters: a central difference whose step carries a pre-activation across 0, or two values of a
/// pooling window past each other, measures the average of two slopes, and among thousands of elements some do. So:
/// the read-out (W, b), in which the loss is smooth, against central differences; and every parameter through the
/// gradient's inner product with random directions against the generated forward mode, which follows the same
/// branches exactly. (The convolution kernels themselves are checked against central differences in the test suite.)
/// </summary>
internal static class GradientChecks
{
    private const int Directions = 3;
    private const double Tolerance = 1e-3;

    public static bool Run(ConvModel model, Tensor rows, int[] labels, int seed)
    {
        var readOut = new[]
        {
            new CheckedTensor("W", model.W.Value, model.W.Gradient),
            new CheckedTensor("b", model.b.Value, model.b.Gradient),
        };
        GradientCheckReport differences = GradientCheck.Check(readOut, () => model.Loss(rows, labels), () => model.LossGradient(rows, labels));
        Console.WriteLine($"gradient check, read-out against central differences ({differences.ElementsChecked} elements): worst {differences.Worst}");

        model.LossGradient(rows, labels);
        ReadOnlySpan<float> gradient = model.Parameters.Gradients;
        var random = new SeededRandom(seed);
        var direction = new float[gradient.Length];
        double worst = 0;
        for (int d = 0; d < Directions; d++)
        {
            double expected = 0;
            for (int i = 0; i < direction.Length; i++)
            {
                direction[i] = (float)random.NextNormal();
                expected += (double)gradient[i] * direction[i];
            }
            model.LossDerivative(rows, labels, direction, out float derivative);
            worst = Math.Max(worst, Math.Abs(derivative - expected) / Math.Max(1e-2, Math.Abs(expected)));
        }
        bool agrees = worst <= Tolerance;
        Console.WriteLine($"gradient check, all {gradient.Length} elements against forward mode along {Directions} random directions: " +
            $"worst relative error {worst:G3} {(agrees ? "<=" : ">")} tolerance {Tolerance} {(agrees ? "ok" : "FAILED")}");
        return differences.Passed && agrees;
    }
}
