using System;

namespace Backprop.Symbolic.Tests.Kernels;

/// <summary>
/// Convolution and pooling written straight from their definitions in double precision (one loop per index, zeros read
/// outside the image), with their adjoints written the same way: what the kernels are compared against.
/// </summary>
internal static class ConvolutionReference
{
    public static (int Height, int Width) OutputSize(int h, int w, int kh, int kw, int stride, int padding) =>
        (((h + (2 * padding) - kh) / stride) + 1, ((w + (2 * padding) - kw) / stride) + 1);

    /// <summary>Input at (n, c, y, x), 0 outside the image.</summary>
    private static double At(double[] x, int c, int h, int w, int n, int ch, int y, int col) =>
        y < 0 || y >= h || col < 0 || col >= w ? 0 : x[(((n * c) + ch) * h + y) * w + col];

    /// <summary>result[n, k, oy, ox] = bias[k] + Σ_{c, i, j} kernel[k, c, i, j] · x[n, c, oy·s + i − p, ox·s + j − p].</summary>
    public static double[] Conv2D(double[] x, int[] xs, double[] kernel, int[] ks, double[]? bias, int stride, int padding)
    {
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3], k = ks[0], kh = ks[2], kw = ks[3];
        (int ho, int wo) = OutputSize(h, w, kh, kw, stride, padding);
        var result = new double[n * k * ho * wo];
        for (int b = 0; b < n; b++)
        {
            for (int f = 0; f < k; f++)
            {
                for (int oy = 0; oy < ho; oy++)
                {
                    for (int ox = 0; ox < wo; ox++)
                    {
                        double sum = bias is null ? 0 : bias[f];
                        for (int ch = 0; ch < c; ch++)
                        {
                            for (int i = 0; i < kh; i++)
                            {
                                for (int j = 0; j < kw; j++)
                                {
                                    sum += kernel[(((f * c) + ch) * kh + i) * kw + j] * At(x, c, h, w, b, ch, (oy * stride) + i - padding, (ox * stride) + j - padding);
                                }
                            }
                        }
                        result[(((b * k) + f) * ho + oy) * wo + ox] = sum;
                    }
                }
            }
        }
        return result;
    }

    /// <summary>The adjoints of input, kernel and bias given the result's adjoint, by the same loops with the products reversed.</summary>
    public static (double[] DInput, double[] DKernel, double[] DBias) Conv2DBackward(
        double[] x, int[] xs, double[] kernel, int[] ks, double[] dResult, int stride, int padding)
    {
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3], k = ks[0], kh = ks[2], kw = ks[3];
        (int ho, int wo) = OutputSize(h, w, kh, kw, stride, padding);
        var dx = new double[x.Length];
        var dk = new double[kernel.Length];
        var db = new double[k];
        for (int b = 0; b < n; b++)
        {
            for (int f = 0; f < k; f++)
            {
                for (int oy = 0; oy < ho; oy++)
                {
                    for (int ox = 0; ox < wo; ox++)
                    {
                        double g = dResult[(((b * k) + f) * ho + oy) * wo + ox];
                        db[f] += g;
                        for (int ch = 0; ch < c; ch++)
                        {
                            for (int i = 0; i < kh; i++)
                            {
                                for (int j = 0; j < kw; j++)
                                {
                                    int y = (oy * stride) + i - padding, col = (ox * stride) + j - padding;
                                    if (y < 0 || y >= h || col < 0 || col >= w)
                                    {
                                        continue;
                                    }
                                    int xi = (((b * c) + ch) * h + y) * w + col, ki = (((f * c) + ch) * kh + i) * kw + j;
                                    dx[xi] += kernel[ki] * g;
                                    dk[ki] += x[xi] * g;
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dx, dk, db);
    }

    /// <summary>The largest (max) or the mean of each size × size window, windows stride apart.</summary>
    public static double[] Pool(double[] x, int[] xs, int size, int stride, bool max)
    {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        int ho = ((h - size) / stride) + 1, wo = ((w - size) / stride) + 1;
        var result = new double[planes * ho * wo];
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < ho; oy++)
            {
                for (int ox = 0; ox < wo; ox++)
                {
                    double acc = max ? double.NegativeInfinity : 0;
                    for (int i = 0; i < size; i++)
                    {
                        for (int j = 0; j < size; j++)
                        {
                            double v = x[(p * h + (oy * stride) + i) * w + (ox * stride) + j];
                            acc = max ? Math.Max(acc, v) : acc + v;
                        }
                    }
                    result[(p * ho + oy) * wo + ox] = max ? acc : acc / (size * size);
                }
            }
        }
        return result;
    }

    /// <summary>∂(Σ weights ⊙ f(x))/∂x by central differences of a double function.</summary>
    public static double[] CentralDifferences(Func<double[], double[]> f, double[] x, double[] weights)
    {
        var gradient = new double[x.Length];
        var probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            const double H = 1e-5;
            probe[i] = x[i] + H;
            double up = Dot(f(probe), weights);
            probe[i] = x[i] - H;
            double down = Dot(f(probe), weights);
            probe[i] = x[i];
            gradient[i] = (up - down) / (2 * H);
        }
        return gradient;
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }
}
