using System;
using Backprop.Symbolic.Instruments;

namespace Backprop.Symbolic.Tests.Instruments;

/// <summary>The instruments' figures computed the plain way, element by element in double: what the tests compare with.</summary>
internal static class Naive
{
    public static (double Mean, double Variance, double Saturated) Statistics(float[] values, ActivationKind kind)
    {
        double sum = 0;
        foreach (float v in values)
        {
            sum += v;
        }
        double mean = sum / values.Length;
        double squares = 0;
        int saturated = 0;
        foreach (float v in values)
        {
            squares += (v - mean) * (v - mean);
            bool isSaturated = kind switch
            {
                ActivationKind.Tanh => Math.Abs(v) > 0.97f,
                ActivationKind.Sigmoid => v < 0.03f || v > 0.97f,
                ActivationKind.Relu => v == 0f,
                _ => false,
            };
            if (isSaturated)
            {
                saturated++;
            }
        }
        return (mean, squares / values.Length, (double)saturated / values.Length);
    }

    public static double Norm(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values)
        {
            sum += (double)v * v;
        }
        return Math.Sqrt(sum);
    }

    public static float[] Draw(Random random, int n, Func<double, double> activation, double scale = 2)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = (float)activation(scale * ((2 * random.NextDouble()) - 1));
        }
        return values;
    }
}
