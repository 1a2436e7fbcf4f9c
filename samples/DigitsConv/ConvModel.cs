using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;

namespace DigitsConv;

/// <summary>The network's parameters: one <see cref="ParameterSet"/> (one value buffer, one gradient buffer) and a handle per tensor.</summary>
public sealed class ConvModel
{
    /// <summary>Images are 1 × <see cref="Side"/> × <see cref="Side"/>.</summary>
    public const int Side = 8;

    public ConvModel(int classes, Options options)
    {
        Parameters = new ParameterSet();
        int f1 = options.Filters1, f2 = options.Filters2;
        // He initialization for the ReLU convolutions, Xavier for the dense read-out. The convolutions' biases start
        // slightly positive: the blank margins of the digits (pixels of 0) then sit off ReLU's kink at 0, where the
        // derivative is a convention and central differences would disagree with it.
        K1 = Parameters.Add("K1", Initializer.HeNormal((options.Seed * 1000L) + 0), f1, 1, 3, 3);
        c1 = Parameters.Add("c1", Initializer.Constant(0.01f), f1);
        K2 = Parameters.Add("K2", Initializer.HeNormal((options.Seed * 1000L) + 1), f2, f1, 3, 3);
        c2 = Parameters.Add("c2", Initializer.Constant(0.01f), f2);
        W = Parameters.Add("W", Initializer.XavierNormal((options.Seed * 1000L) + 2), f2 * (Side / 2) * (Side / 2), classes);
        b = Parameters.Add("b", Initializer.Zeros, classes);
        Parameters.Build();
    }

    public ParameterSet Parameters { get; }

#pragma warning disable IDE1006 // the names of the formula
    public Parameter K1 { get; }
    public Parameter c1 { get; }
    public Parameter K2 { get; }
    public Parameter c2 { get; }
    public Parameter W { get; }
    public Parameter b { get; }
#pragma warning restore IDE1006

    /// <summary>Rows of 64 pixels as images [N, 1, 8, 8]: a view, no copy.</summary>
    public static Tensor Images(Tensor rows) => rows.Reshape(TensorShape.Of(rows.Shape[0], 1, Side, Side));

    /// <summary>The mean loss of one minibatch (rows of pixels); the gradient lands in the parameter set's gradient buffer.</summary>
    public float LossGradient(Tensor rows, ReadOnlySpan<int> labels) =>
        ConvNetwork.LossGradient(Images(rows), labels, K1.Value, c1.Value, K2.Value, c2.Value, W.Value, b.Value,
            K1.Gradient, c1.Gradient, K2.Gradient, c2.Gradient, W.Gradient, b.Gradient);

    /// <summary>The same for a data-parallel worker: the gradient lands in the worker's own buffer.</summary>
    public float LossGradient(Tensor rows, ReadOnlySpan<int> labels, GradientBuffer g) =>
        ConvNetwork.LossGradient(Images(rows), labels, K1.Value, c1.Value, K2.Value, c2.Value, W.Value, b.Value,
            g[K1], g[c1], g[K2], g[c2], g[W], g[b]);

    /// <summary>The mean loss alone (the primal), for gradient checking.</summary>
    public float Loss(Tensor rows, ReadOnlySpan<int> labels) =>
        ConvNetwork.Loss(Images(rows), labels, K1.Value, c1.Value, K2.Value, c2.Value, W.Value, b.Value);

    /// <summary>
    /// Forward mode: the loss and its derivative along <paramref name="direction"/>, one float per parameter element laid
    /// out as the parameter set's values are.
    /// </summary>
    public float LossDerivative(Tensor rows, ReadOnlySpan<int> labels, float[] direction, out float derivative)
    {
        Tensor Along(Parameter p) => new(direction, p.Offset, p.Shape);
        return ConvNetwork.LossDerivative(Images(rows), labels, K1.Value, c1.Value, K2.Value, c2.Value, W.Value, b.Value,
            Along(K1), Along(c1), Along(K2), Along(c2), Along(W), Along(b), out derivative);
    }

    /// <summary>The class scores for every row of <paramref name="rows"/>.</summary>
    public Tensor Logits(Tensor rows) =>
        ConvNetwork.Logits(Images(rows), K1.Value, c1.Value, K2.Value, c2.Value, W.Value, b.Value);
}
