using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace Backprop.Symbolic.Kernels;

/// <summary>
/// Vector kernels generated gradients call where a span goes to another <c>[Differentiable]</c> method:
/// the argument's adjoint takes the call's adjoint times the callee's partials (<see cref="AddScaled(Span{double}, double, ReadOnlySpan{double})"/>),
/// and forward mode takes their inner product with the argument's tangent (<see cref="Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/>).
/// SIMD through <see cref="TensorPrimitives"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class SpanKernels
{
    /// <summary><paramref name="target"/>[j] += <paramref name="scale"/> · <paramref name="values"/>[j] for every j.</summary>
    public static void AddScaled(Span<double> target, double scale, ReadOnlySpan<double> values)
    {
        CheckLengths(target.Length, values.Length);
        TensorPrimitives.MultiplyAdd(values, scale, target, target);
    }

    /// <summary><paramref name="target"/>[j] += <paramref name="scale"/> · <paramref name="values"/>[j] for every j.</summary>
    public static void AddScaled(Span<float> target, float scale, ReadOnlySpan<float> values)
    {
        CheckLengths(target.Length, values.Length);
        TensorPrimitives.MultiplyAdd(values, scale, target, target);
    }

    /// <summary>Σ_j <paramref name="left"/>[j] · <paramref name="right"/>[j].</summary>
    public static double Dot(ReadOnlySpan<double> left, ReadOnlySpan<double> right)
    {
        CheckLengths(left.Length, right.Length);
        return TensorPrimitives.Dot(left, right);
    }

    /// <summary>Σ_j <paramref name="left"/>[j] · <paramref name="right"/>[j].</summary>
    public static float Dot(ReadOnlySpan<float> left, ReadOnlySpan<float> right)
    {
        CheckLengths(left.Length, right.Length);
        return TensorPrimitives.Dot(left, right);
    }

    private static void CheckLengths(int a, int b)
    {
        if (a != b)
        {
            throw new ArgumentException($"The spans have different lengths ({a} and {b}).");
        }
    }
}
