using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Symbolic.Training;

/// <summary>Rescaling of gradients whose norm is too large (Pascanu et al., 2013).</summary>
public static class GradientClipping
{
    /// <summary>The Euclidean norm of <paramref name="gradients"/> (all parameters together: the global norm).</summary>
    /// <remarks>The squares are summed in double (vectorized), so the norm of millions of elements keeps float's precision.</remarks>
    public static float GlobalNorm(ReadOnlySpan<float> gradients)
    {
        ref float start = ref MemoryMarshal.GetReference(gradients);
        int n = gradients.Length;
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Vector256<double> lowSum = Vector256<double>.Zero;
            Vector256<double> highSum = Vector256<double>.Zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                (Vector256<double> low, Vector256<double> high) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                lowSum = Vector256.FusedMultiplyAdd(low, low, lowSum);
                highSum = Vector256.FusedMultiplyAdd(high, high, highSum);
            }
            sum = Vector256.Sum(lowSum + highSum);
        }
        for (; i < n; i++)
        {
            double g = gradients[i];
            sum += g * g;
        }
        return (float)Math.Sqrt(sum);
    }

    /// <summary>
    /// If the global norm ‖g‖ exceeds <paramref name="maxNorm"/>, scales every gradient by <c>maxNorm / ‖g‖</c> so the
    /// norm becomes <paramref name="maxNorm"/> (TensorFlow's <c>clip_by_global_norm</c>); otherwise leaves them as they are.
    /// Returns the norm before clipping, worth logging.
    /// </summary>
    /// <remarks>
    /// A non-finite norm (a NaN or an infinity among the gradients) is returned and the gradients are left untouched:
    /// check the result with <see cref="float.IsFinite"/> and skip the step, rather than let clipping turn every
    /// gradient into NaN.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not a positive finite number.</exception>
    public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm > 0) || !float.IsFinite(maxNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be a positive finite number.");
        }
        float norm = GlobalNorm(gradients);
        if (float.IsFinite(norm) && norm > maxNorm)
        {
            TensorPrimitives.Multiply(gradients, maxNorm / norm, gradients);
        }
        return norm;
    }

    /// <summary>Clips the gradients of every parameter of <paramref name="parameters"/> by their global norm; see <see cref="ClipByGlobalNorm(Span{float}, float)"/>.</summary>
    public static float ClipByGlobalNorm(ParameterSet parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return ClipByGlobalNorm(parameters.Gradients, maxNorm);
    }
}
