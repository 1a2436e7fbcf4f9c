using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Property test: random stacks of layers (random depths and widths, activations, with or without a bias, scaled or
/// not by a differentiated float), written either as [Differentiable] layer methods the loss calls or inline in the
/// loss, ending in a random loss. Each stack's gradient is checked against central differences of a double-precision
/// interpreter of the same stack, and its forward mode against the gradient. Stacks are deterministic for a seed; a
/// failure names the seed and the stack.
/// </summary>
public sealed class RandomLayerStackTests
{
    private static readonly string[] Activations = { "Tanh", "Sigmoid", "Softplus", "LeakyRelu", "Relu", "Square", "Identity" };
    private static readonly string[] Losses = { "SoftmaxCrossEntropy", "MeanSquaredError", "SumOfSquares", "Mean" };

    private sealed record Layer(int Inputs, int Outputs, string Activation, bool Bias, bool Scaled);

    private sealed record Stack(int Index, int Batch, IReadOnlyList<Layer> Layers, string Loss, bool AsMethods)
    {
        public string Name => "Stack" + Index.ToString(CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData(20_261_129)]
    [InlineData(42)]
    public void Gradients_of_random_layer_stacks_match_central_differences(int seed)
    {
        var random = new Random(seed);
        var stacks = Enumerable.Range(0, 8).Select(i => RandomStack(random, i)).ToList();
        var program = new CompiledProgram(Source(stacks));
        Type type = program.Type("RandomStacks.Stacks");
        foreach (Stack stack in stacks)
        {
            object[] args = Arguments(stack, new Random(seed + stack.Index));
            try
            {
                Matches(type, stack.Name + "ArraysGradient", args, v => Reference(stack, v));
                DerivativeMatchesGradient(type, stack.Name + "ArraysGradient", stack.Name + "ArraysDerivative", args, tolerance: 1e-3);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"Seed {seed}, {stack}:{Environment.NewLine}{e.Message}{Environment.NewLine}{Method(stack)}");
            }
        }
    }

    private static Stack RandomStack(Random random, int index)
    {
        int depth = random.Next(1, 4);
        int width = random.Next(1, 5);
        var layers = new List<Layer>();
        for (int i = 0; i < depth; i++)
        {
            int next = random.Next(1, 5);
            layers.Add(new Layer(width, next, Activations[random.Next(Activations.Length)], random.Next(3) > 0, random.Next(4) == 0));
            width = next;
        }
        return new Stack(index, random.Next(1, 4), layers, Losses[random.Next(Losses.Length)], random.Next(2) == 0);
    }

    // ----- the C# of a stack -------------------------------------------------------------------------

    private static string Source(IEnumerable<Stack> stacks)
    {
        var text = new StringBuilder("""
            using System;
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;

            namespace RandomStacks;

            public static partial class Stacks
            {

            """);
        foreach (Stack stack in stacks)
        {
            text.AppendLine(Method(stack));
        }
        return text.Append('}').ToString();
    }

    private static string Method(Stack stack)
    {
        var text = new StringBuilder();
        var parameters = new List<string> { "Tensor x" };
        string h = "x";
        for (int i = 0; i < stack.Layers.Count; i++)
        {
            Layer layer = stack.Layers[i];
            string w = "w" + i, b = "b" + i, s = "s" + i;
            parameters.Add("Tensor " + w);
            if (layer.Bias)
            {
                parameters.Add("Tensor " + b);
            }
            if (layer.Scaled)
            {
                parameters.Add("float " + s);
            }
            string body = Body(layer, "input", w, b, s);
            if (stack.AsMethods)
            {
                string name = stack.Name + "Layer" + i;
                var layerParameters = new List<string> { "Tensor input", "Tensor " + w };
                var arguments = new List<string> { h, w };
                if (layer.Bias)
                {
                    layerParameters.Add("Tensor " + b);
                    arguments.Add(b);
                }
                if (layer.Scaled)
                {
                    layerParameters.Add("float " + s);
                    arguments.Add(s);
                }
                text.AppendLine($"    [Differentiable] public static Tensor {name}({string.Join(", ", layerParameters)}) => {body};");
                h = $"{name}({string.Join(", ", arguments)})";
            }
            else
            {
                h = "(" + Body(layer, h, w, b, s) + ")";
            }
        }
        string loss = stack.Loss switch
        {
            "SoftmaxCrossEntropy" => $"SoftmaxCrossEntropy({h}, y)",
            "MeanSquaredError" => $"MeanSquaredError({h}, t)",
            "SumOfSquares" => $"Sum(Square({h}))",
            _ => $"Mean({h}) * 2f",
        };
        string all = string.Join(", ", parameters);
        string names = string.Join(", ", parameters.Select(p => p.Split(' ')[1]));
        string adjoints = string.Join(", ", parameters.Skip(1).Select(p => (p.StartsWith("float", StringComparison.Ordinal) ? "out float d" : "Tensor d") + Upper(p.Split(' ')[1])));
        string adjointNames = string.Join(", ", parameters.Skip(1).Select(p => (p.StartsWith("float", StringComparison.Ordinal) ? "out d" : "d") + Upper(p.Split(' ')[1])));
        string tangents = string.Join(", ", parameters.Skip(1).Select(p => (p.StartsWith("float", StringComparison.Ordinal) ? "float d" : "Tensor d") + Upper(p.Split(' ')[1])));
        string tangentNames = string.Join(", ", parameters.Skip(1).Select(p => "d" + Upper(p.Split(' ')[1])));
        string differentiated = string.Join(", ", parameters.Skip(1).Select(p => "nameof(" + p.Split(' ')[1] + ")"));
        string labels = "int[] y, Tensor t";
        text.AppendLine($"    [Differentiable({differentiated})] public static float {stack.Name}({all}, ReadOnlySpan<int> y, Tensor t) => {loss};");
        text.AppendLine($"    public static float {stack.Name}ArraysGradient({all}, {labels}, {adjoints}) => {stack.Name}Gradient({names}, y, t, {adjointNames});");
        text.AppendLine($"    public static float {stack.Name}ArraysDerivative({all}, {labels}, {tangents}, out float derivative) => {stack.Name}Derivative({names}, y, t, {tangentNames}, out derivative);");
        return text.ToString();
    }

    private static string Upper(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);

    private static string Body(Layer layer, string input, string w, string b, string s)
    {
        string z = $"MatMul({input}, {w})";
        if (layer.Bias)
        {
            z = $"{z} + {b}";
        }
        string a = layer.Activation switch
        {
            "Identity" => z,
            "LeakyRelu" => $"LeakyRelu({z}, 0.1f)",
            _ => $"{layer.Activation}({z})",
        };
        return layer.Scaled ? $"{s} * {a}" : a;
    }

    // ----- arguments and the double-precision reference --------------------------------------------

    private static object[] Arguments(Stack stack, Random random)
    {
        var args = new List<object> { RandomTensor(random, 1, stack.Batch, stack.Layers[0].Inputs) };
        foreach (Layer layer in stack.Layers)
        {
            args.Add(RandomTensor(random, 1, layer.Inputs, layer.Outputs));
            if (layer.Bias)
            {
                args.Add(RandomTensor(random, 0.5, layer.Outputs));
            }
            if (layer.Scaled)
            {
                args.Add((float)(0.5 + random.NextDouble()));
            }
        }
        int classes = stack.Layers[^1].Outputs;
        args.Add(Enumerable.Range(0, stack.Batch).Select(_ => random.Next(classes)).ToArray());
        args.Add(RandomTensor(random, 1, stack.Batch, classes));
        return args.ToArray();
    }

    private static Tensor RandomTensor(Random random, double scale, params int[] shape)
    {
        Tensor t = Tensor.Zeros(shape);
        Span<float> values = t.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }
        return t;
    }

    private static double Reference(Stack stack, double[][] v)
    {
        int k = 0;
        double[] h = v[k++];
        foreach (Layer layer in stack.Layers)
        {
            double[] z = Tensors.Reference.MatMul(h, v[k++], stack.Batch, layer.Inputs, layer.Outputs);
            if (layer.Bias)
            {
                z = Tensors.Reference.Zip(z, v[k++], (p, q) => p + q);
            }
            z = Tensors.Reference.Map(z, layer.Activation switch
            {
                "Tanh" => Math.Tanh,
                "Sigmoid" => Tensors.Reference.Sigmoid,
                "Softplus" => Tensors.Reference.Softplus,
                "LeakyRelu" => t => t > 0 ? t : 0.1 * t,
                "Relu" => t => Math.Max(t, 0),
                "Square" => t => t * t,
                _ => t => t,
            });
            if (layer.Scaled)
            {
                double s = v[k++][0];
                z = Tensors.Reference.Map(z, t => s * t);
            }
            h = z;
        }
        double[] labels = v[k++], target = v[k];
        return stack.Loss switch
        {
            "SoftmaxCrossEntropy" => Tensors.Reference.SoftmaxCrossEntropy(h, labels, stack.Layers[^1].Outputs),
            "MeanSquaredError" => Tensors.Reference.MeanSquaredError(h, target),
            "SumOfSquares" => Tensors.Reference.Sum(Tensors.Reference.Map(h, t => t * t)),
            _ => Tensors.Reference.Mean(h) * 2,
        };
    }
}
