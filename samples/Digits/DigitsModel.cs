using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;

namespace Digits;

/// <summary>The network's parameters: one <see cref="ParameterSet"/> (one value buffer, one gradient buffer) and a handle per tensor.</summary>
public sealed class DigitsModel
{
    public DigitsModel(int inputs, int hidden1, int hidden2, int classes, Options options)
    {
        Parameters = new ParameterSet();
        // Weights from the chosen scheme (each with its own seed, so layers differ); biases start at zero.
        W1 = Parameters.Add("W1", options.WeightInitializer(0), inputs, hidden1);
        b1 = Parameters.Add("b1", Initializer.Zeros, hidden1);
        W2 = Parameters.Add("W2", options.WeightInitializer(1), hidden1, hidden2);
        b2 = Parameters.Add("b2", Initializer.Zeros, hidden2);
        W3 = Parameters.Add("W3", options.WeightInitializer(2), hidden2, classes);
        b3 = Parameters.Add("b3", Initializer.Zeros, classes);
        Parameters.Build();
    }

    public ParameterSet Parameters { get; }

#pragma warning disable IDE1006 // the names of the formula
    public Parameter W1 { get; }
    public Parameter b1 { get; }
    public Parameter W2 { get; }
    public Parameter b2 { get; }
    public Parameter W3 { get; }
    public Parameter b3 { get; }
#pragma warning restore IDE1006

    /// <summary>The mean loss of one minibatch; the gradient lands in the parameter set's gradient buffer.</summary>
    public float LossGradient(Tensor x, System.ReadOnlySpan<int> labels) =>
        DigitsNetwork.LossGradient(x, labels, W1.Value, b1.Value, W2.Value, b2.Value, W3.Value, b3.Value,
            W1.Gradient, b1.Gradient, W2.Gradient, b2.Gradient, W3.Gradient, b3.Gradient);

    /// <summary>The same, reporting the hidden activations and their adjoints to <paramref name="sink"/>.</summary>
    public float LossGradient(Tensor x, System.ReadOnlySpan<int> labels, Backprop.Symbolic.Instruments.IInstrumentSink? sink) =>
        DigitsNetwork.LossGradient(x, labels, W1.Value, b1.Value, W2.Value, b2.Value, W3.Value, b3.Value,
            W1.Gradient, b1.Gradient, W2.Gradient, b2.Gradient, W3.Gradient, b3.Gradient, sink);

    /// <summary>The same for a data-parallel worker: the gradient lands in the worker's own buffer.</summary>
    public float LossGradient(Tensor x, System.ReadOnlySpan<int> labels, GradientBuffer g) =>
        DigitsNetwork.LossGradient(x, labels, W1.Value, b1.Value, W2.Value, b2.Value, W3.Value, b3.Value,
            g[W1], g[b1], g[W2], g[b2], g[W3], g[b3]);

    /// <summary>The mean loss alone (the primal), for gradient checking.</summary>
    public float Loss(Tensor x, System.ReadOnlySpan<int> labels) =>
        DigitsNetwork.Loss(x, labels, W1.Value, b1.Value, W2.Value, b2.Value, W3.Value, b3.Value);

    /// <summary>The class scores for every row of <paramref name="x"/>.</summary>
    public Tensor Logits(Tensor x) =>
        DigitsNetwork.Logits(x, W1.Value, b1.Value, W2.Value, b2.Value, W3.Value, b3.Value);
}
