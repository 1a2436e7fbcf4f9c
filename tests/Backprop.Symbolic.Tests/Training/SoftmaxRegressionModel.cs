using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;

namespace Backprop.Symbolic.Tests.Training;

/// <summary>
/// Softmax regression written by hand for the training tests: z = x·W + b, L = mean over rows of
/// −log softmax(z)[label]; ∂L/∂z = (softmax(z) − onehot) / rows, ∂L/∂W = xᵀ·∂L/∂z, ∂L/∂b = Σ_rows ∂L/∂z.
/// Computed in double, stored in float.
/// </summary>
internal sealed class SoftmaxRegressionModel
{
    public SoftmaxRegressionModel(int features, int classes, long seed)
    {
        Features = features;
        Classes = classes;
        Parameters = new ParameterSet();
        W = Parameters.Add("W", Initializer.Normal(0, 0.5, seed), features, classes);
        B = Parameters.Add("b", Initializer.Normal(0, 0.1, seed + 1), classes);
        Parameters.Build();
    }

    public int Features { get; }

    public int Classes { get; }

    public ParameterSet Parameters { get; }

    public Parameter W { get; }

    public Parameter B { get; }

    /// <summary>Rows of standard-normal features with uniform random labels.</summary>
    public (Tensor Inputs, int[] Labels) RandomBatch(int rows, long seed)
    {
        var random = new SeededRandom(seed);
        var inputs = Tensor.Zeros(rows, Features);
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < Features; f++)
            {
                inputs[r, f] = (float)random.NextNormal();
            }
            labels[r] = random.NextInt32(Classes);
        }
        return (inputs, labels);
    }

    /// <summary>The logits x·W + b of each row, in double, into <paramref name="z"/> ([rows·classes]).</summary>
    public void Logits(Tensor inputs, Span<double> z)
    {
        int rows = inputs.Shape[0];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < Classes; c++)
            {
                double sum = B.Value[c];
                for (int f = 0; f < Features; f++)
                {
                    sum += inputs[r, f] * (double)W.Value[f, c];
                }
                z[(r * Classes) + c] = sum;
            }
        }
    }

    /// <summary>The mean loss (a <see cref="BatchGradientFunction"/>): adds the gradient of the mean loss into <paramref name="gradients"/>.</summary>
    public float Gradient(Tensor inputs, ReadOnlySpan<int> labels, GradientBuffer gradients) => (float)Compute(inputs, labels, gradients);

    /// <summary>The mean loss in double, for gradient checks.</summary>
    public double Loss(Tensor inputs, ReadOnlySpan<int> labels) => Compute(inputs, labels, null);

    private double Compute(Tensor inputs, ReadOnlySpan<int> labels, GradientBuffer? gradients)
    {
        int rows = inputs.Shape[0];
        Span<double> z = rows * Classes <= 1024 ? stackalloc double[rows * Classes] : new double[rows * Classes];
        Logits(inputs, z);
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            Span<double> row = z.Slice(r * Classes, Classes);
            double max = double.NegativeInfinity;
            foreach (double value in row)
            {
                max = Math.Max(max, value);
            }
            double sum = 0;
            foreach (double value in row)
            {
                sum += Math.Exp(value - max);
            }
            loss -= row[labels[r]] - max - Math.Log(sum);
            for (int c = 0; c < Classes; c++)
            {
                if (gradients is null)
                {
                    continue;
                }
                double dz = ((Math.Exp(row[c] - max) / sum) - (c == labels[r] ? 1 : 0)) / rows;
                gradients[B][c] += (float)dz;
                for (int f = 0; f < Features; f++)
                {
                    gradients[W][f, c] += (float)(inputs[r, f] * dz);
                }
            }
        }
        return loss / rows;
    }
}
