using System;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>Double-precision references of the tensor operations, written plainly, for the tests' losses.</summary>
internal static class Reference
{
    /// <summary>[m, k]·[k, n], row-major.</summary>
    public static double[] MatMul(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    s += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /// <summary>Element-wise <paramref name="f"/> of x and y, where either may be a row vector repeated over the other's rows (or a single number).</summary>
    public static double[] Zip(double[] x, double[] y, Func<double, double, double> f)
    {
        int n = Math.Max(x.Length, y.Length);
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            r[i] = f(x[i % x.Length], y[i % y.Length]);
        }
        return r;
    }

    public static double[] Map(double[] x, Func<double, double> f)
    {
        var r = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            r[i] = f(x[i]);
        }
        return r;
    }

    public static double Sum(double[] x)
    {
        double s = 0;
        foreach (double v in x)
        {
            s += v;
        }
        return s;
    }

    public static double Mean(double[] x) => Sum(x) / x.Length;

    /// <summary>The mean over rows of −log softmax(logits row)[label].</summary>
    public static double SoftmaxCrossEntropy(double[] logits, double[] labels, int columns)
    {
        int rows = logits.Length / columns;
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < columns; j++)
            {
                max = Math.Max(max, logits[i * columns + j]);
            }
            double z = 0;
            for (int j = 0; j < columns; j++)
            {
                z += Math.Exp(logits[i * columns + j] - max);
            }
            total += Math.Log(z) + max - logits[i * columns + (int)labels[i]];
        }
        return total / rows;
    }

    public static double MeanSquaredError(double[] p, double[] t)
    {
        double s = 0;
        for (int i = 0; i < p.Length; i++)
        {
            s += (p[i] - t[i]) * (p[i] - t[i]);
        }
        return s / p.Length;
    }

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
}
