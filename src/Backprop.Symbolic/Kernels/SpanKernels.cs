using System;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Symbolic.Kernels;

/// <summary>
/// Vector kernels generated gradients call where a span goes to another <c>[Differentiable]</c> method:
/// the argument's adjoint takes the call's adjoint times the callee's partials (<see cref="AddScaled(Span{double}, double, ReadOnlySpan{double})"/>),
/// and forward mode takes their inner product with the argument's tangent (<see cref="Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/>).
/// SIMD through <see cref="TensorPrimitives"/>. <see cref="Zero(Span{double})"/> is how generated code and the
/// workspace clear buffers.
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

    /// <summary>
    /// Sets every element of <paramref name="target"/> to 0 with 256-bit stores written here, in managed code,
    /// rather than through <see cref="Span{T}.Clear"/>.
    /// </summary>
    /// <remarks>
    /// The runtime's clear, on a machine with AVX-512, stores with 512-bit registers and returns without
    /// <c>vzeroupper</c> (seen in its JIT listing with <c>DOTNET_JitDisasm=ClearWithoutReferences</c>); the native,
    /// non-VEX code of <see cref="Math.Tanh"/> or <see cref="Math.Exp"/> that often runs next then pays, on Intel
    /// processors, an AVX–SSE transition penalty on every instruction. A method that stores with <see cref="Vector256"/>
    /// itself is marked by the JIT as using 256-bit AVX and gets <c>vzeroupper</c> before it returns and before the
    /// calls it makes.
    /// </remarks>
    public static void Zero(Span<double> target) => Zero(MemoryMarshal.AsBytes(target));

    /// <inheritdoc cref="Zero(Span{double})"/>
    public static void Zero(Span<float> target) => Zero(MemoryMarshal.AsBytes(target));

    /// <summary>Sets every element of <paramref name="target"/> to <paramref name="value"/>: an element-wise backward loop that assigns one value.</summary>
    public static void Fill(Span<double> target, double value) => target.Fill(value);

    /// <inheritdoc cref="Fill(Span{double}, double)"/>
    public static void Fill(Span<float> target, float value) => target.Fill(value);

    /// <summary>
    /// Zeroes the elements of <paramref name="target"/> outside <paramref name="start"/> … <paramref name="start"/> +
    /// <paramref name="count"/> − 1 (the range clamped to the span): the part of an adjoint that a backward loop
    /// assigning those elements does not reach.
    /// </summary>
    public static void ZeroOutside(Span<double> target, int start, int count)
    {
        (int low, int high) = Clamp(target.Length, start, count);
        Zero(target.Slice(0, low));
        Zero(target.Slice(high));
    }

    /// <inheritdoc cref="ZeroOutside(Span{double}, int, int)"/>
    public static void ZeroOutside(Span<float> target, int start, int count)
    {
        (int low, int high) = Clamp(target.Length, start, count);
        Zero(target.Slice(0, low));
        Zero(target.Slice(high));
    }

    // The range [start, start + count) within [0, length), as its ends; empty ranges give low = high.
    private static (int Low, int High) Clamp(int length, int start, int count)
    {
        long low = Math.Clamp((long)start, 0, length);
        long high = Math.Clamp((long)start + Math.Max(count, 0), low, length);
        return ((int)low, (int)high);
    }

    private static void Zero(Span<byte> bytes)
    {
        ref byte start = ref MemoryMarshal.GetReference(bytes);
        nuint length = (nuint)bytes.Length;
        nuint i = 0;
        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<byte>.Count)
        {
            Vector256<byte> zero = Vector256<byte>.Zero;
            nuint last = length - (nuint)Vector256<byte>.Count;
            for (; i < last; i += (nuint)Vector256<byte>.Count)
            {
                zero.StoreUnsafe(ref start, i);
            }
            zero.StoreUnsafe(ref start, last); // the tail, overlapping the last full store
            return;
        }
        for (; i + sizeof(long) <= length; i += sizeof(long))
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, i), 0L);
        }
        for (; i < length; i++)
        {
            Unsafe.Add(ref start, i) = 0;
        }
    }

    private static void CheckLengths(int a, int b)
    {
        if (a != b)
        {
            throw new ArgumentException($"The spans have different lengths ({a} and {b}).");
        }
    }
}
