using System;
using System.Collections.Generic;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;

namespace SequenceDigits;

/// <summary>
/// The LSTM's parameters in one <see cref="ParameterSet"/>, and the images turned into sequences: an image's 64 pixels
/// are 8 rows of 8, and a batch [B, 64] becomes the time-major sequence [8, B, 8] the network reads.
/// </summary>
public sealed class SequenceModel
{
    /// <summary>Rows per image (time steps) and pixels per row (features per step).</summary>
    public const int Steps = 8, Width = 8;

    private readonly Dictionary<int, (Tensor Rows, Tensor State)> _buffers = new();

    public SequenceModel(int hidden, int classes, Options options)
    {
        Hidden = hidden;
        Parameters = new ParameterSet();
        W = Parameters.Add("W", Initializer.XavierUniform(options.Seed * 1000L), Width, 4 * hidden);
        U = Parameters.Add("U", Initializer.XavierUniform((options.Seed * 1000L) + 1), hidden, 4 * hidden);
        b = Parameters.Add("b", Initializer.Zeros, 4 * hidden);
        V = Parameters.Add("V", Initializer.XavierUniform((options.Seed * 1000L) + 2), hidden, classes);
        c = Parameters.Add("c", Initializer.Zeros, classes);
        Parameters.Build();
        // The forget gate starts open (bias 1), so early gradients reach the first rows.
        b.Value.Span.Slice(hidden, hidden).Fill(1f);
    }

    public int Hidden { get; }

    public ParameterSet Parameters { get; }

#pragma warning disable IDE1006 // the names of the formula
    public Parameter W { get; }
    public Parameter U { get; }
    public Parameter b { get; }
    public Parameter V { get; }
    public Parameter c { get; }
#pragma warning restore IDE1006

    /// <summary>The mean loss of one minibatch of images [B, 64]; the gradient lands in the parameter set's gradient buffer.</summary>
    public float LossGradient(Tensor images, ReadOnlySpan<int> labels)
    {
        (Tensor rows, Tensor state) = Sequence(images);
        return SequenceNetwork.LossGradient(rows, labels, state, W.Value, U.Value, b.Value, V.Value, c.Value,
            W.Gradient, U.Gradient, b.Gradient, V.Gradient, c.Gradient);
    }

    /// <summary>The same, reporting the LSTM's state at every step, and its adjoint, to <paramref name="sink"/>.</summary>
    public float LossGradient(Tensor images, ReadOnlySpan<int> labels, Backprop.Symbolic.Instruments.IInstrumentSink? sink)
    {
        (Tensor rows, Tensor state) = Sequence(images);
        return SequenceNetwork.LossGradient(rows, labels, state, W.Value, U.Value, b.Value, V.Value, c.Value,
            W.Gradient, U.Gradient, b.Gradient, V.Gradient, c.Gradient, sink);
    }

    /// <summary>The mean loss alone (the primal), for gradient checking.</summary>
    public float Loss(Tensor images, ReadOnlySpan<int> labels)
    {
        (Tensor rows, Tensor state) = Sequence(images);
        return SequenceNetwork.Loss(rows, labels, state, W.Value, U.Value, b.Value, V.Value, c.Value);
    }

    /// <summary>The class scores for every image of <paramref name="images"/>.</summary>
    public Tensor Logits(Tensor images)
    {
        (Tensor rows, Tensor state) = Sequence(images);
        return SequenceNetwork.Logits(rows, state, W.Value, U.Value, b.Value, V.Value, c.Value);
    }

    /// <summary>
    /// The images as a time-major sequence of their rows, [8, B, 8], and a zero initial state [B, 2H]; the buffers are
    /// kept per batch size, so training allocates them once.
    /// </summary>
    private (Tensor Rows, Tensor State) Sequence(Tensor images)
    {
        int batch = images.Shape[0];
        if (images.Shape.Length != 2 || images.Shape[1] != Steps * Width)
        {
            throw new ArgumentException($"Expected images of {Steps * Width} pixels, [B, {Steps * Width}], but got shape {images.Shape}.", nameof(images));
        }
        if (!_buffers.TryGetValue(batch, out var buffers))
        {
            buffers = (Tensor.Zeros(Steps, batch, Width), Tensor.Zeros(batch, 2 * Hidden));
            _buffers[batch] = buffers;
        }
        ReadOnlySpan<float> pixels = images.Span;
        Span<float> rows = buffers.Rows.Span;
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < batch; i++)
            {
                pixels.Slice((i * Steps * Width) + (t * Width), Width).CopyTo(rows.Slice(((t * batch) + i) * Width, Width));
            }
        }
        return buffers;
    }
}
