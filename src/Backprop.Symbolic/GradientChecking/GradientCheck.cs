using System;

namespace Backprop.Symbolic.GradientChecking;

/// <summary>Compares an analytic (generated) gradient with central finite differences.</summary>
public static partial class GradientCheck
{
    /// <summary>
    /// The largest mixed error <c>|a − n| / max(1, |a|, |n|)</c> over the coordinates of an analytic
    /// gradient <paramref name="analytic"/> and a numerical one <paramref name="numeric"/>.
    /// </summary>
    public static double MaxRelativeError(ReadOnlySpan<double> analytic, ReadOnlySpan<double> numeric)
    {
        if (analytic.Length != numeric.Length)
        {
            throw new ArgumentException($"The analytic gradient has {analytic.Length} entries but the numeric one has {numeric.Length}.", nameof(numeric));
        }
        double worst = 0;
        for (int i = 0; i < analytic.Length; i++)
        {
            double scale = Math.Max(1.0, Math.Max(Math.Abs(analytic[i]), Math.Abs(numeric[i])));
            double error = Math.Abs(analytic[i] - numeric[i]) / scale;
            if (double.IsNaN(error))
            {
                return double.NaN;
            }
            worst = Math.Max(worst, error);
        }
        return worst;
    }

    /// <summary>
    /// Checks <paramref name="analytic"/> against central differences of <paramref name="f"/> at
    /// <paramref name="x"/> and returns the largest mixed error (see <see cref="MaxRelativeError"/>).
    /// </summary>
    public static double Check(Func<double[], double> f, ReadOnlySpan<double> x, ReadOnlySpan<double> analytic, double h = FiniteDifferences.DefaultStep)
    {
        double[] numeric = FiniteDifferences.Gradient(f, x, h);
        return MaxRelativeError(analytic, numeric);
    }
}
