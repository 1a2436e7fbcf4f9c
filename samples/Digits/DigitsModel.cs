using System.Collections.Generic;
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
        A = Parameters.Add("A", options.WeightInitializer(0), inputs, hidden1);
        a = Parameters.Add("a", Initializer.Zeros, hidden1);
        B = Parameters.Add("B", options.WeightInitializer(1), hidden1, hidden2);
        b = Parameters.Add("b", Initializer.Zeros, hidden2);
        C = Parameters.Add("C", options.WeightInitializer(2), hidden2, classes);
        c = Parameters.Add("c", Initializer.Zeros, classes);
        Parameters.Build();
    }

    public ParameterSet Parameters { get; }

#pragma warning disable IDE1006, SA1300 // the names of the formula: A, a, B, b, C, c
    public Parameter A { get; }
    public Parameter a { get; }
    public Parameter B { get; }
    public Parameter b { get; }
    public Parameter C { get; }
    public Parameter c { get; }
#pragma warning restore IDE1006, SA1300

    /// <summary>The mean loss of one minibatch; the gradient lands in the parameter set's gradient buffer.</summary>
    public float LossGradient(Tensor x, System.ReadOnlySpan<int> labels) =>
        DigitsNetwork.LossGradient(x, labels, A.Value, a.Value, B.Value, b.Value, C.Value, c.Value,
            A.Gradient, a.Gradient, B.Gradient, b.Gradient, C.Gradient, c.Gradient);

    /// <summary>The class scores for every row of <paramref name="x"/>.</summary>
    public Tensor Logits(Tensor x) =>
        DigitsNetwork.Logits(x, A.Value, a.Value, B.Value, b.Value, C.Value, c.Value);

    /// <summary>The parameters by name, for checkpoints.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Named()
    {
        foreach (Parameter p in Parameters)
        {
            yield return new KeyValuePair<string, Tensor>(p.Name, p.Value);
        }
    }
}
