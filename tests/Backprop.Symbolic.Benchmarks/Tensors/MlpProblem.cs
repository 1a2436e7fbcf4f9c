using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Benchmarks.Tensors;

/// <summary>Inputs, labels, parameters and adjoint buffers of one benchmark MLP, from a fixed seed.</summary>
public sealed class MlpProblem
{
    private MlpProblem(Tensor x, int[] labels, Tensor a, Tensor b, Tensor c, Tensor d)
    {
        X = x;
        Labels = labels;
        A = a;
        B = b;
        C = c;
        D = d;
        DA = Tensor.Zeros(a.Shape);
        DB = Tensor.Zeros(b.Shape);
        DC = Tensor.Zeros(c.Shape);
        DD = Tensor.Zeros(d.Shape);
    }

    public Tensor X { get; }
    public int[] Labels { get; }
    public Tensor A { get; }
    public Tensor B { get; }
    public Tensor C { get; }
    public Tensor D { get; }
    public Tensor DA { get; }
    public Tensor DB { get; }
    public Tensor DC { get; }
    public Tensor DD { get; }

    /// <summary>Parses "inputs-hidden-classesxbatch" and draws everything from <paramref name="seed"/>.</summary>
    public static MlpProblem Create(string size, int seed)
    {
        string[] parts = size.Split('x');
        string[] layers = parts[0].Split('-');
        int inputs = int.Parse(layers[0]);
        int hidden = int.Parse(layers[1]);
        int classes = int.Parse(layers[2]);
        int batch = int.Parse(parts[1]);
        var random = new Random(seed);
        var labels = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            labels[i] = random.Next(classes);
        }
        return new MlpProblem(
            Uniform(random, 1f, batch, inputs),
            labels,
            Uniform(random, 1f / MathF.Sqrt(inputs), inputs, hidden),
            Uniform(random, 0.1f, hidden),
            Uniform(random, 1f / MathF.Sqrt(hidden), hidden, classes),
            Uniform(random, 0.1f, classes));
    }

    private static Tensor Uniform(Random random, float scale, params int[] shape)
    {
        Tensor t = Tensor.Zeros(shape);
        Span<float> s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = scale * ((2f * random.NextSingle()) - 1f);
        }
        return t;
    }
}
