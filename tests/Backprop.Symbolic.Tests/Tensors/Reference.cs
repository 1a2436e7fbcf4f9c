using System;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>
/// Double-precision references the tensor tests compare against, written directly from the definitions (plain
/// loops, no library code), random inputs, and central finite differences.
/// </summary>
internal static class Reference
{
    /// <summary>Uniform values in [low, high) from a fixed seed.</summary>
    public static float[] Random(int count, int seed, float low = -2f, float high = 2f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = low + ((high - low) * (float)random.NextDouble());
        }
        return values;
    }

    public static Tensor RandomTensor(int seed, params int[] shape)
    {
        var s = new TensorShape(shape);
        return Tensor.FromArray(Random(s.ElementCount, seed), shape);
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }
        return result;
    }

    /// <summary>C = op(A) · op(B) in double; A stored m × k (k × m when transposed), B k × n (n × k when transposed).</summary>
    public static double[] MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n, bool transposeA, bool transposeB)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double aip = transposeA ? a[(p * m) + i] : a[(i * k) + p];
                    double bpj = transposeB ? b[(j * k) + p] : b[(p * n) + j];
                    sum += aip * bpj;
                }
                c[(i * n) + j] = sum;
            }
        }
        return c;
    }

    /// <summary>Softmax of each row of length n, in double.</summary>
    public static double[] Softmax(double[] x, int n)
    {
        var y = new double[x.Length];
        for (int start = 0; start < x.Length; start += n)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < n; j++)
            {
                max = Math.Max(max, x[start + j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                y[start + j] = Math.Exp(x[start + j] - max);
                sum += y[start + j];
            }
            for (int j = 0; j < n; j++)
            {
                y[start + j] /= sum;
            }
        }
        return y;
    }

    /// <summary>Log-softmax of each row of length n, in double.</summary>
    public static double[] LogSoftmax(double[] x, int n)
    {
        double[] y = Softmax(x, n);
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = Math.Log(y[i]);
        }
        return y;
    }

    /// <summary>Mean over rows of −log softmax(x)[label], in double.</summary>
    public static double SoftmaxCrossEntropy(double[] x, int n, int[] labels)
    {
        double[] logP = LogSoftmax(x, n);
        double total = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            total -= logP[(i * n) + labels[i]];
        }
        return total / labels.Length;
    }

    /// <summary>Σ_i w[i] · y[i].</summary>
    public static double Dot(double[] w, double[] y)
    {
        double sum = 0;
        for (int i = 0; i < w.Length; i++)
        {
            sum += w[i] * y[i];
        }
        return sum;
    }

    /// <summary>The central-difference gradient of <paramref name="f"/> at <paramref name="x"/>, step <paramref name="h"/>.</summary>
    public static double[] FiniteDifferences(Func<double[], double> f, double[] x, double h = 1e-6)
    {
        var gradient = new double[x.Length];
        var point = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            point[i] = x[i] + h;
            double up = f(point);
            point[i] = x[i] - h;
            double down = f(point);
            point[i] = x[i];
            gradient[i] = (up - down) / (2 * h);
        }
        return gradient;
    }

    /// <summary>Asserts |expected − actual| ≤ tolerance · max(1, |expected|) element by element, naming the first failing index.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            if (!(error <= tolerance * Math.Max(1, Math.Abs(expected[i]))))
            {
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {error:E2}, tolerance {tolerance:E2}).");
            }
        }
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            if (!(error <= tolerance * Math.Max(1, Math.Abs(expected[i]))))
            {
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {error:E2}, tolerance {tolerance:E2}).");
            }
        }
    }

    public static void AssertClose(double expected, float actual, double tolerance, string what = "") =>
        AssertClose(new[] { expected }, new[] { actual }, tolerance, what);
}
