using System;
using Backprop.Symbolic.Kernels;

namespace Backprop.Symbolic.Tensors;

public readonly partial struct Tensor
{
    /// <summary>
    /// The 2-D convolution of a batch of images, in a new tensor: <paramref name="input"/> [N, C, H, W] (NCHW) with
    /// <paramref name="kernel"/> [K, C, kh, kw] gives [N, K, Ho, Wo], Ho = (H + 2·padding − kh) / stride + 1 (rounded
    /// down), Wo likewise; result[n, k, y, x] = Σ_{c, i, j} kernel[k, c, i, j] · input[n, c, y·stride + i − padding, x·stride + j − padding],
    /// reading zeros outside the image (cross-correlation, as deep-learning libraries define convolution).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1 or <paramref name="padding"/> below 0.</exception>
    /// <exception cref="ArgumentException">A tensor is not rank 4, the channels differ, or the window does not fit the padded image (the message names both shapes).</exception>
    public static Tensor Conv2D(Tensor input, Tensor kernel, int stride = 1, int padding = 0)
    {
        RequireMemory(input, nameof(Conv2D));
        RequireMemory(kernel, nameof(Conv2D));
        Tensor result = Zeros(TensorShapes.Conv2D(input._shape, kernel._shape, stride, padding));
        TensorKernels.Conv2D(input, kernel, default, result, stride, padding);
        return result;
    }

    /// <summary>
    /// <see cref="Conv2D(Tensor, Tensor, int, int)"/> plus a per-channel <paramref name="bias"/> [K]: bias[k] is added to
    /// every position of output channel k. (A bias [K] does not broadcast over [N, K, Ho, Wo] with <c>+</c>, whose row
    /// vectors run along the last axis; this overload is the convolution layer's bias.)
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1 or <paramref name="padding"/> below 0.</exception>
    /// <exception cref="ArgumentException">A shape does not fit, or <paramref name="bias"/> is not [K] (the message names both shapes).</exception>
    public static Tensor Conv2D(Tensor input, Tensor kernel, Tensor bias, int stride = 1, int padding = 0)
    {
        RequireMemory(input, nameof(Conv2D));
        RequireMemory(kernel, nameof(Conv2D));
        RequireMemory(bias, nameof(Conv2D));
        Tensor result = Zeros(TensorShapes.Conv2D(input._shape, kernel._shape, stride, padding));
        TensorKernels.Conv2D(input, kernel, bias, result, stride, padding);
        return result;
    }

    /// <summary>
    /// The largest element of each <paramref name="size"/> × <paramref name="size"/> window of every channel, windows
    /// <paramref name="size"/> apart: [N, C, H, W] gives [N, C, H / size, W / size] (rounded down).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not rank 4, or the window does not fit in the image.</exception>
    public static Tensor MaxPool2D(Tensor x, int size) => MaxPool2D(x, size, size);

    /// <summary>
    /// The largest element of each <paramref name="size"/> × <paramref name="size"/> window of every channel, windows
    /// <paramref name="stride"/> apart: [N, C, H, W] gives [N, C, (H − size) / stride + 1, (W − size) / stride + 1].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not rank 4, or the window does not fit in the image.</exception>
    public static Tensor MaxPool2D(Tensor x, int size, int stride)
    {
        Tensor result = Zeros(TensorKernels.PoolShape(RequireMemory(x, nameof(MaxPool2D)), size, stride, nameof(MaxPool2D)));
        TensorKernels.MaxPool2D(x, result, size, stride);
        return result;
    }

    /// <summary>The mean of each <paramref name="size"/> × <paramref name="size"/> window, windows <paramref name="size"/> apart (see <see cref="MaxPool2D(Tensor, int)"/> for the shapes).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not rank 4, or the window does not fit in the image.</exception>
    public static Tensor AvgPool2D(Tensor x, int size) => AvgPool2D(x, size, size);

    /// <summary>The mean of each <paramref name="size"/> × <paramref name="size"/> window, windows <paramref name="stride"/> apart (see <see cref="MaxPool2D(Tensor, int, int)"/> for the shapes).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not rank 4, or the window does not fit in the image.</exception>
    public static Tensor AvgPool2D(Tensor x, int size, int stride)
    {
        Tensor result = Zeros(TensorKernels.PoolShape(RequireMemory(x, nameof(AvgPool2D)), size, stride, nameof(AvgPool2D)));
        TensorKernels.AvgPool2D(x, result, size, stride);
        return result;
    }

    /// <summary>
    /// The same elements as a matrix [N, C·H·W] (any rank 2 to 4: the first dimension kept, the rest joined): a
    /// <b>view</b>, no copy, what a dense layer after convolutions reads.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> has rank 1.</exception>
    public static Tensor Flatten(Tensor x) =>
        new(x._data ?? throw NoMemory(), x._offset, TensorShapes.Flatten(x._shape));
}
