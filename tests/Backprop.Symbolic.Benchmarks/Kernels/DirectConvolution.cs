using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Symbolic.Benchmarks;

/// <summary>
/// The direct convolution: loops over the filters, channels and taps, each tap a multiply-add of an input row into an
/// output row (eight lanes of a <c>Vector256</c> at a time along the row for stride 1), with no unfolded copy. The
/// comparison for the runtime's im2col + matrix-product <c>TensorKernels.Conv2D</c> in <see cref="Conv2DBenchmarks"/>,
/// which won (see the benchmark's remarks); kept here as the yardstick. NCHW layout, zero padding.
/// </summary>
public static class DirectConvolution
{
    /// <summary>result[n, k] = bias[k] + Σ_{c, i, j} kernel[k, c, i, j] · input[n, c] shifted by (i, j).</summary>
    public static void Forward(
        ReadOnlySpan<float> input, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> result,
        int n, int c, int h, int w, int k, int kh, int kw, int stride, int padding)
    {
        int ho = ((h + (2 * padding) - kh) / stride) + 1, wo = ((w + (2 * padding) - kw) / stride) + 1;
        for (int b = 0; b < n; b++)
        {
            for (int f = 0; f < k; f++)
            {
                Span<float> plane = result.Slice(((b * k) + f) * ho * wo, ho * wo);
                plane.Fill(bias.IsEmpty ? 0f : bias[f]);
                for (int ch = 0; ch < c; ch++)
                {
                    ReadOnlySpan<float> image = input.Slice(((b * c) + ch) * h * w, h * w);
                    for (int i = 0; i < kh; i++)
                    {
                        for (int j = 0; j < kw; j++)
                        {
                            float weight = kernel[((((f * c) + ch) * kh) + i) * kw + j];
                            (int first, int end) = Inside(j, w, wo, stride, padding);
                            for (int oy = 0; oy < ho; oy++)
                            {
                                int y = (oy * stride) + i - padding;
                                if ((uint)y < (uint)h && first < end)
                                {
                                    AddScaledRow(image.Slice(y * w), (first * stride) + j - padding, stride, weight, plane.Slice((oy * wo) + first, end - first));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>dInput += Σ kernel · dResult over the windows (the transposed convolution), dKernel += Σ dResult · input.</summary>
    public static void Backward(
        ReadOnlySpan<float> input, ReadOnlySpan<float> kernel, ReadOnlySpan<float> dResult, Span<float> dInput, Span<float> dKernel,
        int n, int c, int h, int w, int k, int kh, int kw, int stride, int padding)
    {
        int ho = ((h + (2 * padding) - kh) / stride) + 1, wo = ((w + (2 * padding) - kw) / stride) + 1;
        for (int b = 0; b < n; b++)
        {
            for (int f = 0; f < k; f++)
            {
                ReadOnlySpan<float> plane = dResult.Slice(((b * k) + f) * ho * wo, ho * wo);
                for (int ch = 0; ch < c; ch++)
                {
                    int offset = ((b * c) + ch) * h * w;
                    ReadOnlySpan<float> image = input.Slice(offset, h * w);
                    Span<float> dImage = dInput.Slice(offset, h * w);
                    for (int i = 0; i < kh; i++)
                    {
                        for (int j = 0; j < kw; j++)
                        {
                            int tap = ((((f * c) + ch) * kh) + i) * kw + j;
                            float weight = kernel[tap];
                            float sum = 0;
                            (int first, int end) = Inside(j, w, wo, stride, padding);
                            for (int oy = 0; oy < ho && first < end; oy++)
                            {
                                int y = (oy * stride) + i - padding;
                                if ((uint)y >= (uint)h)
                                {
                                    continue;
                                }
                                int x = (first * stride) + j - padding;
                                ReadOnlySpan<float> gradient = plane.Slice((oy * wo) + first, end - first);
                                for (int ox = 0; ox < gradient.Length; ox++, x += stride)
                                {
                                    float g = gradient[ox];
                                    sum += g * image[(y * w) + x];
                                    dImage[(y * w) + x] += weight * g;
                                }
                            }
                            dKernel[tap] += sum;
                        }
                    }
                }
            }
        }
    }

    private static (int First, int End) Inside(int j, int w, int wo, int stride, int padding)
    {
        int offset = padding - j;
        int first = offset <= 0 ? 0 : (offset + stride - 1) / stride;
        int limit = w + offset;
        int end = limit <= 0 ? 0 : Math.Min(wo, (limit + stride - 1) / stride);
        return (Math.Min(first, end), end);
    }

    /// <summary>target[o] += weight · row[x + o·stride] for every o.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaledRow(ReadOnlySpan<float> row, int x, int stride, float weight, Span<float> target)
    {
        int o = 0;
        if (stride == 1 && Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(weight);
            ReadOnlySpan<float> source = row.Slice(x, target.Length);
            for (; o <= target.Length - Vector256<float>.Count; o += Vector256<float>.Count)
            {
                Vector256<float> sum = Vector256.FusedMultiplyAdd(scale, Vector256.Create(source.Slice(o)), Vector256.Create((ReadOnlySpan<float>)target.Slice(o)));
                sum.CopyTo(target.Slice(o));
            }
        }
        for (; o < target.Length; o++)
        {
            target[o] += weight * row[x + (o * stride)];
        }
    }
}
