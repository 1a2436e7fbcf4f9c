using System;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// Gradients written by hand, reverse mode, the way a careful person would: each transcendental evaluated
/// once and shared between the value and the partials. The reference the generated code is measured against.
/// </summary>
public static class HandWritten
{
    public static double RosenbrockGradient(double x, double y, out double dX, out double dY)
    {
        double a = 1.0 - x;
        double b = y - x * x;
        double db = 200.0 * b;
        dX = -2.0 * a - 2.0 * x * db;
        dY = db;
        return a * a + 100.0 * b * b;
    }

    public static double MixedGradient(double x, double y, double z, double w,
        out double dX, out double dY, out double dZ, out double dW)
    {
        double sx = Math.Sin(x), cx = Math.Cos(x);
        double sy = Math.Sin(y), cy = Math.Cos(y);
        double ey = Math.Exp(-y);
        double zz = z * z, ww = w * w, xz = x * z, yw = y * w, xx = x * x;
        double onePlusZz = 1.0 + zz;
        double sqw = Math.Sqrt(1.0 + ww);
        double t1 = Math.Tanh(xz);
        double syw = Math.Sin(yw), cyw = Math.Cos(yw);
        double e1 = Math.Exp(0.1 * xz);
        double szw = Math.Sin(z + w), czw = Math.Cos(z + w);
        double lc = 2.0 + cx;
        double r = Math.Sqrt(xx + y * y + 1.0);
        double t2 = Math.Tanh(y - w);
        double ez = Math.Exp(-0.5 * zz);

        double value = x * y
            + sx * ey
            + Math.Log(onePlusZz)
            + sqw * x
            + t1
            + 0.5 * xx * x
            - 2.0 * y * y
            + z * w
            + cyw
            + e1
            + 3.0 * xx * y
            - y * z * w
            + szw
            + Math.Log(lc)
            + 0.25 * ww * ww
            + r
            + t2
            + x * ez
            + 1.5 * z
            + cx * sy;

        double dt1 = 1.0 - t1 * t1;
        double dt2 = 1.0 - t2 * t2;
        double invR = 1.0 / r;
        dX = y + cx * ey + sqw + z * dt1 + 1.5 * xx + 0.1 * z * e1 + 6.0 * x * y - sx / lc + x * invR + ez - sx * sy;
        dY = x - sx * ey - 4.0 * y - w * syw + 3.0 * xx - z * w + y * invR + dt2 + cx * cy;
        dZ = 2.0 * z / onePlusZz + x * dt1 + w + 0.1 * x * e1 - y * w + czw - x * z * ez + 1.5;
        dW = x * w / sqw + z - y * syw - y * z + czw + ww * w - dt2;
        return value;
    }

    public static double TwoLayerLossGradient(double w1, double b1, double w2, double b2,
        out double dW1, out double dB1, out double dW2, out double dB2)
    {
        double z1 = 0.5 * w1 + b1;
        double h1 = Softplus(z1, out double s1);
        double z2 = w2 * h1 + b2;
        double h2 = Softplus(z2, out double s2);
        double err = h2 - 1.0;

        double dz2 = 2.0 * err * s2;
        double dz1 = dz2 * w2 * s1;
        dW2 = dz2 * h1 + 0.02 * w2;
        dB2 = dz2;
        dW1 = 0.5 * dz1 + 0.02 * w1;
        dB1 = dz1;
        return err * err + 0.01 * (w1 * w1 + w2 * w2);
    }

    /// <summary>Softplus and its derivative, the logistic sigmoid, from one exponential.</summary>
    private static double Softplus(double t, out double sigmoid)
    {
        if (t > 0.0)
        {
            double e = Math.Exp(-t);
            sigmoid = 1.0 / (1.0 + e);
            return t + Math.Log(1.0 + e);
        }
        else
        {
            double e = Math.Exp(t);
            sigmoid = e / (1.0 + e);
            return Math.Log(1.0 + e);
        }
    }
}
