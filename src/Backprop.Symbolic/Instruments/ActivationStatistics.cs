using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Backprop.Symbolic.Instruments;

/// <summary>The mean, variance and saturated fraction of the elements of one activation.</summary>
/// <param name="Mean">The mean of the elements.</param>
/// <param name="Variance">The population variance of the elements (divided by their count); a double, so the variance of float activations that have grown large stays finite.</param>
/// <param name="SaturatedFraction">The fraction of the elements that are saturated for their <see cref="ActivationKind"/>; 0 for <see cref="ActivationKind.None"/>.</param>
/// <param name="Count">The number of elements.</param>
public readonly record struct ActivationStatistics(double Mean, double Variance, double SaturatedFraction, int Count)
{
    /// <summary>Tanh's saturation threshold on |y|.</summary>
    public const float TanhSaturation = 0.97f;

    /// <summary>Sigmoid's saturation thresholds: below this or above 1 minus it.</summary>
    public const float SigmoidSaturation = 0.03f;

    /// <summary>
    /// The statistics of <paramref name="values"/> in two passes and no allocation: the mean (<c>TensorPrimitives.Sum</c>,
    /// in double when the float sum overflows),
    /// then the squared deviations from it (summed in double, so a variance far below the squared mean keeps its digits)
    /// together with the count of saturated elements.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static ActivationStatistics Compute(ReadOnlySpan<float> values, ActivationKind kind)
    {
        int n = values.Length;
        if (n == 0)
        {
            throw new ArgumentException("Activation statistics need at least one value.", nameof(values));
        }
        double total = TensorPrimitives.Sum(values);
        if (!double.IsFinite(total))
        {
            // The float sum overflowed (activations near float's limit), or a value is not finite: add in double.
            total = 0;
            foreach (float v in values)
            {
                total += v;
            }
        }
        float mean = (float)(total / n);
        (float low, float high, bool inside) = Band(kind);
        ref float start = ref MemoryMarshal.GetReference(values);
        double squares = 0;
        long saturated = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Vector256<double> lowSum = Vector256<double>.Zero, highSum = Vector256<double>.Zero;
            Vector256<float> m = Vector256.Create(mean), lo = Vector256.Create(low), hi = Vector256.Create(high);
            Vector256<int> count = Vector256<int>.Zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref start, (nuint)i);
                (Vector256<double> a, Vector256<double> b) = Vector256.Widen(x - m);
                lowSum = Vector256.FusedMultiplyAdd(a, a, lowSum);
                highSum = Vector256.FusedMultiplyAdd(b, b, highSum);
                Vector256<float> within = Vector256.GreaterThanOrEqual(x, lo) & Vector256.LessThanOrEqual(x, hi);
                // A true lane is all ones, -1 as an integer: subtracting counts it.
                count -= (inside ? within : ~within).AsInt32();
            }
            squares = Vector256.Sum(lowSum + highSum);
            saturated = Vector256.Sum(count); // each lane counts at most n / 8
        }
        for (; i < n; i++)
        {
            float x = values[i];
            double d = x - mean;
            squares += d * d;
            bool within = x >= low && x <= high;
            if (within == inside)
            {
                saturated++;
            }
        }
        double fraction = kind == ActivationKind.None ? 0 : (double)saturated / n;
        return new ActivationStatistics(mean, squares / n, fraction, n);
    }

    /// <summary>
    /// The band [low, high] of an activation's values: saturated inside it (Inside true: relu's 0)
    /// or outside it (tanh, sigmoid). For <see cref="ActivationKind.None"/> nothing is outside the whole line.
    /// </summary>
    private static (float Low, float High, bool Inside) Band(ActivationKind kind) => kind switch
    {
        ActivationKind.Tanh => (-TanhSaturation, TanhSaturation, false),
        ActivationKind.Sigmoid => (SigmoidSaturation, 1f - SigmoidSaturation, false),
        ActivationKind.Relu => (0f, 0f, true),
        _ => (float.NegativeInfinity, float.PositiveInfinity, false),
    };
}
