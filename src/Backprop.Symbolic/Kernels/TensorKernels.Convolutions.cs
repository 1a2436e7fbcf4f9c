using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Kernels;

public static partial class TensorKernels
{
    /// <summary>
    /// The most floats of per-thread scratch one convolution call uses at a time (16 MB): a minibatch whose unfolded
    /// patches need more is convolved a group of samples at a time.
    /// </summary>
    private const int ConvolutionScratchLimit = 1 << 22;

    [ThreadStatic]
    private static float[]? t_convolutionScratch;

    /// <summary>
    /// The 2-D convolution (cross-correlation, as in every deep-learning library) of a batch of images:
    /// result[n, k, y, x] (+)= bias[k] + Σ_{c, i, j} kernel[k, c, i, j] · input[n, c, y·stride + i − padding, x·stride + j − padding],
    /// reading zeros outside the image. <paramref name="input"/> is [N, C, H, W] (NCHW), <paramref name="kernel"/> is
    /// [K, C, kh, kw] and <paramref name="result"/> is [N, K, Ho, Wo] with Ho = (H + 2·padding − kh) / stride + 1
    /// (rounded down), and Wo likewise.
    /// </summary>
    /// <param name="input">The images, [N, C, H, W].</param>
    /// <param name="kernel">The filters, [K, C, kh, kw].</param>
    /// <param name="bias">One number per output channel, [K], added to every position of its channel; <c>default</c> for none.</param>
    /// <param name="result">Receives the feature maps, [N, K, Ho, Wo].</param>
    /// <param name="stride">The step between neighbouring windows, 1 or more.</param>
    /// <param name="padding">The zeros added on every side of the image, 0 or more.</param>
    /// <param name="accumulate">True adds the convolution to <paramref name="result"/> instead of overwriting it.</param>
    /// <remarks>
    /// The windows are unfolded into a per-thread scratch matrix (im2col, [C·kh·kw, N·Ho·Wo]) and multiplied by the
    /// filters with <see cref="MatrixProduct"/>; the scratch is kept for the thread, so a steady-state call allocates nothing.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1 or <paramref name="padding"/> below 0.</exception>
    /// <exception cref="ArgumentException">A shape does not fit (the message names both shapes), or the result overlaps an input.</exception>
    public static void Conv2D(Tensor input, Tensor kernel, Tensor bias, Tensor result, int stride = 1, int padding = 0, bool accumulate = false)
    {
        const string Operation = nameof(Conv2D);
        TensorShape expected = ConvolutionShape(input.Shape, kernel.Shape, stride, padding, Operation);
        RequireShape(result, expected, Operation, "the result");
        RequireBias(bias, kernel.Shape, Operation);
        RequireDisjoint(result, input, Operation, "the input");
        RequireDisjoint(result, kernel, Operation, "the kernel");
        RequireDisjoint(result, bias, Operation, "the bias");
        var g = new ConvolutionGeometry(input.Shape, kernel.Shape, stride, padding);
        int plane = g.Positions;
        ReadOnlySpan<float> source = input.Span;
        ReadOnlySpan<float> filters = kernel.Span;
        Span<float> target = result.Span;
        int group = g.SamplesPerGroup(g.Patch + g.Filters);
        Span<float> scratch = Scratch(group * plane * (g.Patch + g.Filters));
        for (int n0 = 0; n0 < g.Samples; n0 += group)
        {
            int count = Math.Min(group, g.Samples - n0);
            int columns = count * plane;
            Span<float> patches = scratch.Slice(0, g.Patch * columns);
            g.Unfold(source, n0, count, patches);
            if (count == 1)
            {
                // One sample: its [K, Ho·Wo] block of the result is the product itself.
                MatrixProduct.Multiply(filters, patches, target.Slice(n0 * g.Filters * plane, g.Filters * plane), g.Filters, g.Patch, plane, accumulate: accumulate);
            }
            else
            {
                Span<float> product = scratch.Slice(g.Patch * columns, g.Filters * columns);
                MatrixProduct.Multiply(filters, patches, product, g.Filters, g.Patch, columns);
                // [K, count·P] → the samples' [K, P] blocks.
                for (int s = 0; s < count; s++)
                {
                    for (int k = 0; k < g.Filters; k++)
                    {
                        ReadOnlySpan<float> from = product.Slice((k * columns) + (s * plane), plane);
                        Span<float> to = target.Slice((((n0 + s) * g.Filters) + k) * plane, plane);
                        if (accumulate)
                        {
                            TensorPrimitives.Add(to, from, to);
                        }
                        else
                        {
                            from.CopyTo(to);
                        }
                    }
                }
            }
            if (!bias.IsDefault)
            {
                AddChannels(bias.Span, target.Slice(n0 * g.Filters * plane, count * g.Filters * plane), g.Filters, plane);
            }
        }
    }

    /// <summary>
    /// The backward of <see cref="Conv2D"/>: given the adjoint of the result, adds (+=) the adjoint of each operand to
    /// the tensor given for it. dInput[n, c, y, x] += Σ kernel[k, c, i, j] · dResult[n, k, oy, ox] over the windows that
    /// read (y, x); dKernel[k, c, i, j] += Σ_{n, oy, ox} dResult[n, k, oy, ox] · input[n, c, oy·stride + i − padding, …];
    /// dBias[k] += Σ_{n, oy, ox} dResult[n, k, oy, ox]. A <c>default(Tensor)</c> adjoint is skipped.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1 or <paramref name="padding"/> below 0.</exception>
    /// <exception cref="ArgumentException">A shape does not fit (the message names both shapes), or an adjoint overlaps an input.</exception>
    public static void Conv2DBackward(
        Tensor input, Tensor kernel, Tensor dResult, Tensor dInput, Tensor dKernel, Tensor dBias, int stride = 1, int padding = 0)
    {
        const string Operation = nameof(Conv2DBackward);
        TensorShape expected = ConvolutionShape(input.Shape, kernel.Shape, stride, padding, Operation);
        RequireShape(dResult, expected, Operation, "the result's adjoint");
        if (!dInput.IsDefault)
        {
            RequireShape(dInput, input.Shape, Operation, "the input's adjoint");
            RequireDisjoint(dInput, dResult, Operation, "the result's adjoint");
            RequireDisjoint(dInput, kernel, Operation, "the kernel");
        }
        if (!dKernel.IsDefault)
        {
            RequireShape(dKernel, kernel.Shape, Operation, "the kernel's adjoint");
            RequireDisjoint(dKernel, dResult, Operation, "the result's adjoint");
            RequireDisjoint(dKernel, input, Operation, "the input");
        }
        RequireBias(dBias, kernel.Shape, Operation);
        var g = new ConvolutionGeometry(input.Shape, kernel.Shape, stride, padding);
        int plane = g.Positions;
        ReadOnlySpan<float> gradient = dResult.Span;
        if (!dBias.IsDefault)
        {
            SumChannels(gradient, dBias.Span, g.Filters, plane);
        }
        if (dInput.IsDefault && dKernel.IsDefault)
        {
            return;
        }
        int group = g.SamplesPerGroup(g.Patch + g.Filters);
        Span<float> scratch = Scratch(group * plane * (g.Patch + g.Filters));
        for (int n0 = 0; n0 < g.Samples; n0 += group)
        {
            int count = Math.Min(group, g.Samples - n0);
            int columns = count * plane;
            Span<float> patches = scratch.Slice(0, g.Patch * columns);
            ReadOnlySpan<float> gathered;
            if (count == 1)
            {
                gathered = gradient.Slice(n0 * g.Filters * plane, g.Filters * plane);
            }
            else
            {
                // The samples' [K, P] blocks → [K, count·P], the layout of the unfolded patches' columns.
                Span<float> joined = scratch.Slice(g.Patch * columns, g.Filters * columns);
                for (int s = 0; s < count; s++)
                {
                    for (int k = 0; k < g.Filters; k++)
                    {
                        gradient.Slice((((n0 + s) * g.Filters) + k) * plane, plane).CopyTo(joined.Slice((k * columns) + (s * plane), plane));
                    }
                }
                gathered = joined;
            }
            if (!dKernel.IsDefault)
            {
                g.Unfold(input.Span, n0, count, patches);
                MatrixProduct.Multiply(gathered, patches, dKernel.Span, g.Filters, columns, g.Patch, transposeB: true, accumulate: true);
            }
            if (!dInput.IsDefault)
            {
                // The patches' adjoint, Kᵀ · dResult, folded back onto the images it was read from.
                MatrixProduct.Multiply(kernel.Span, gathered, patches, g.Patch, g.Filters, columns, transposeA: true);
                g.FoldAdd(patches, n0, count, dInput.Span);
            }
        }
    }

    /// <summary>
    /// result[n, k, …] += bias[k]: a per-channel bias [K] added over every position of an NCHW tensor [N, K, H, W]
    /// (the part of <see cref="Conv2D"/> a bias contributes, and its tangent in forward mode).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="result"/> is not rank 4, or <paramref name="bias"/> is not [K].</exception>
    public static void AddChannelBias(Tensor bias, Tensor result)
    {
        const string Operation = nameof(AddChannelBias);
        if (result.Rank != 4 || bias.Shape != TensorShape.Of(result.Shape[1]))
        {
            throw Tensor.ShapeMismatch(Operation, bias.Shape, result.Shape, "the bias must be a vector [K] over a tensor [N, K, H, W]");
        }
        AddChannels(bias.Span, result.Span, result.Shape[1], result.Shape[2] * result.Shape[3]);
    }

    /// <summary>The shape of <see cref="Conv2D"/>'s result, checking the operands, the stride and the padding.</summary>
    internal static TensorShape ConvolutionShape(TensorShape input, TensorShape kernel, int stride, int padding, string operation)
    {
        RequireStride(stride, operation);
        if (padding < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"{operation}: the padding must be 0 or more (zeros added on every side), but is {padding}.");
        }
        if (input.Length != 4 || kernel.Length != 4)
        {
            throw Tensor.ShapeMismatch(operation, input, kernel, "the input must be [N, C, H, W] and the kernel [K, C, kh, kw], both rank 4");
        }
        if (input[1] != kernel[1])
        {
            throw Tensor.ShapeMismatch(operation, input, kernel, $"the input's channels ({input[1]}) must equal the kernel's second dimension ({kernel[1]})");
        }
        if (kernel[2] < 1 || kernel[3] < 1 || input[2] + (2 * padding) < kernel[2] || input[3] + (2 * padding) < kernel[3])
        {
            throw Tensor.ShapeMismatch(operation, input, kernel,
                $"the kernel's window ({kernel[2]} × {kernel[3]}) must be at least 1 × 1 and fit in the padded image ({input[2] + (2 * padding)} × {input[3] + (2 * padding)})");
        }
        int height = ((input[2] + (2 * padding) - kernel[2]) / stride) + 1;
        int width = ((input[3] + (2 * padding) - kernel[3]) / stride) + 1;
        return TensorShape.Of(input[0], kernel[0], height, width);
    }

    private static void RequireStride(int stride, string operation)
    {
        if (stride < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"{operation}: the stride must be 1 or more, but is {stride}.");
        }
    }

    private static void RequireBias(Tensor bias, TensorShape kernel, string operation)
    {
        if (!bias.IsDefault && bias.Shape != TensorShape.Of(kernel[0]))
        {
            throw Tensor.ShapeMismatch(operation, bias.Shape, kernel, $"the bias must be a vector [K] = [{kernel[0]}], one number per filter of the kernel");
        }
    }

    /// <summary>values[n, k, …] += bias[k] over blocks of <paramref name="plane"/> positions.</summary>
    private static void AddChannels(ReadOnlySpan<float> bias, Span<float> values, int channels, int plane)
    {
        for (int start = 0, k = 0; start < values.Length; start += plane, k = k + 1 == channels ? 0 : k + 1)
        {
            Span<float> block = values.Slice(start, plane);
            TensorPrimitives.Add(block, bias[k], block);
        }
    }

    /// <summary>sums[k] += Σ values[n, k, …] over blocks of <paramref name="plane"/> positions.</summary>
    private static void SumChannels(ReadOnlySpan<float> values, Span<float> sums, int channels, int plane)
    {
        for (int start = 0, k = 0; start < values.Length; start += plane, k = k + 1 == channels ? 0 : k + 1)
        {
            sums[k] += TensorPrimitives.Sum(values.Slice(start, plane));
        }
    }

    /// <summary>The calling thread's convolution scratch, at least <paramref name="length"/> floats (not cleared).</summary>
    private static Span<float> Scratch(int length)
    {
        float[]? buffer = t_convolutionScratch;
        if (buffer is null || buffer.Length < length)
        {
            t_convolutionScratch = buffer = new float[length];
        }
        return buffer.AsSpan(0, length);
    }

    /// <summary>The sizes of a convolution, and the unfolding of its windows into columns (im2col) and back.</summary>
    private readonly struct ConvolutionGeometry
    {
        public ConvolutionGeometry(TensorShape input, TensorShape kernel, int stride, int padding)
        {
            Samples = input[0];
            Channels = input[1];
            Height = input[2];
            Width = input[3];
            Filters = kernel[0];
            KernelHeight = kernel[2];
            KernelWidth = kernel[3];
            Stride = stride;
            Padding = padding;
            OutHeight = ((Height + (2 * padding) - KernelHeight) / stride) + 1;
            OutWidth = ((Width + (2 * padding) - KernelWidth) / stride) + 1;
        }

        public int Samples { get; }
        public int Channels { get; }
        public int Height { get; }
        public int Width { get; }
        public int Filters { get; }
        public int KernelHeight { get; }
        public int KernelWidth { get; }
        public int Stride { get; }
        public int Padding { get; }
        public int OutHeight { get; }
        public int OutWidth { get; }

        /// <summary>Output positions per channel: Ho · Wo.</summary>
        public int Positions => OutHeight * OutWidth;

        /// <summary>The elements of one window: C · kh · kw (the rows of the unfolded matrix).</summary>
        public int Patch => Channels * KernelHeight * KernelWidth;

        /// <summary>How many samples one group holds so that its scratch (<paramref name="perColumn"/> floats per column) stays within the limit.</summary>
        public int SamplesPerGroup(int perColumn)
        {
            long perSample = Math.Max(1L, (long)perColumn * Positions);
            return (int)Math.Clamp(ConvolutionScratchLimit / perSample, 1, Math.Max(1, Samples));
        }

        /// <summary>The output columns ox whose tap j reads inside the image: [first, end).</summary>
        private (int First, int End) Inside(int j)
        {
            int offset = Padding - j; // ox·stride must be at least this, and below Width + offset
            int first = offset <= 0 ? 0 : (offset + Stride - 1) / Stride;
            int limit = Width + offset;
            int end = limit <= 0 ? 0 : Math.Min(OutWidth, (limit + Stride - 1) / Stride);
            return (Math.Min(first, end), end);
        }

        /// <summary>
        /// im2col: patches[(c·kh + i)·kw + j, s·P + oy·Wo + ox] = input[n0 + s, c, oy·stride + i − padding, ox·stride + j − padding],
        /// 0 outside the image, for the <paramref name="count"/> samples from <paramref name="n0"/>.
        /// </summary>
        public void Unfold(ReadOnlySpan<float> input, int n0, int count, Span<float> patches)
        {
            int plane = Positions, columns = count * plane, image = Height * Width;
            for (int c = 0; c < Channels; c++)
            {
                for (int i = 0; i < KernelHeight; i++)
                {
                    for (int j = 0; j < KernelWidth; j++)
                    {
                        Span<float> row = patches.Slice((((c * KernelHeight) + i) * KernelWidth + j) * columns, columns);
                        (int first, int end) = Inside(j);
                        for (int s = 0; s < count; s++)
                        {
                            ReadOnlySpan<float> source = input.Slice((((n0 + s) * Channels) + c) * image, image);
                            for (int oy = 0; oy < OutHeight; oy++)
                            {
                                Span<float> line = row.Slice((s * plane) + (oy * OutWidth), OutWidth);
                                int y = (oy * Stride) + i - Padding;
                                if ((uint)y >= (uint)Height)
                                {
                                    line.Clear();
                                    continue;
                                }
                                line.Slice(0, first).Clear();
                                line.Slice(end).Clear();
                                ReadOnlySpan<float> from = source.Slice(y * Width, Width);
                                int x = (first * Stride) + j - Padding;
                                if (Stride == 1)
                                {
                                    from.Slice(x, end - first).CopyTo(line.Slice(first, end - first));
                                }
                                else
                                {
                                    for (int ox = first; ox < end; ox++, x += Stride)
                                    {
                                        line[ox] = from[x];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>col2im: the reverse of <see cref="Unfold"/>, adding (+=) each column entry to the image element it was read from.</summary>
        public void FoldAdd(ReadOnlySpan<float> patches, int n0, int count, Span<float> images)
        {
            int plane = Positions, columns = count * plane, image = Height * Width;
            for (int c = 0; c < Channels; c++)
            {
                for (int i = 0; i < KernelHeight; i++)
                {
                    for (int j = 0; j < KernelWidth; j++)
                    {
                        ReadOnlySpan<float> row = patches.Slice((((c * KernelHeight) + i) * KernelWidth + j) * columns, columns);
                        (int first, int end) = Inside(j);
                        if (first >= end)
                        {
                            continue;
                        }
                        for (int s = 0; s < count; s++)
                        {
                            Span<float> target = images.Slice((((n0 + s) * Channels) + c) * image, image);
                            for (int oy = 0; oy < OutHeight; oy++)
                            {
                                int y = (oy * Stride) + i - Padding;
                                if ((uint)y >= (uint)Height)
                                {
                                    continue;
                                }
                                ReadOnlySpan<float> line = row.Slice((s * plane) + (oy * OutWidth), OutWidth);
                                Span<float> to = target.Slice(y * Width, Width);
                                int x = (first * Stride) + j - Padding;
                                if (Stride == 1)
                                {
                                    Span<float> part = to.Slice(x, end - first);
                                    TensorPrimitives.Add(part, line.Slice(first, end - first), part);
                                }
                                else
                                {
                                    for (int ox = first; ox < end; ox++, x += Stride)
                                    {
                                        to[x] += line[ox];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
