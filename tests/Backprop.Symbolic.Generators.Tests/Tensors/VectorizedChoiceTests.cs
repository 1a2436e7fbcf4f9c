using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Relu and LeakyRelu in loops that take <c>Vector&lt;float&gt;.Count</c> elements at a time (max and the choice on
/// x &gt; 0 as vector operations): the same values and derivatives as the scalar rules, kinks at exactly 0 included,
/// over more elements than one vector holds.
/// </summary>
public sealed class VectorizedChoiceTests
{
    private const string Source = """
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace VectorizedChoice;

        public static partial class Ops
        {
            [Differentiable(nameof(x))] public static float ReluOf(Tensor x, Tensor w) => Sum(Relu(x) * w);
            [Differentiable(nameof(x))] public static float LeakyReluOf(Tensor x, Tensor w) => Sum(LeakyRelu(x, 0.25f) * w);
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    [Fact]
    public void Every_lane_takes_the_scalar_rule_including_exact_zeros()
    {
        Type ops = Program.Type("VectorizedChoice.Ops");
        // 37 elements: several full vectors and a tail; every third is exactly 0, the rest alternate in sign.
        float[] values = Enumerable.Range(0, 37).Select(i => i % 3 == 0 ? 0f : (i % 2 == 0 ? 1f : -1f) * (0.5f + i)).ToArray();
        Tensor x = Tensor.FromArray(values, 37);
        Tensor w = Random(3, 0.5, 1.5, 37);
        float[] weights = w.ToArray();

        (double relu, double[][] dRelu) = Call(ops, "ReluOfGradient", x, w);
        (double leaky, double[][] dLeaky) = Call(ops, "LeakyReluOfGradient", x, w);
        Assert.Equal(values.Select((v, i) => (double)(Math.Max(v, 0f) * weights[i])).Sum(), relu, 4);
        Assert.Equal(values.Select((v, i) => (double)((v > 0 ? v : 0.25f * v) * weights[i])).Sum(), leaky, 4);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i] > 0 ? weights[i] : 0f, dRelu[0][i], 6);
            Assert.Equal(values[i] > 0 ? weights[i] : 0.25f * weights[i], dLeaky[0][i], 6);
        }
        DerivativeMatchesGradient(ops, "ReluOfGradient", "ReluOfDerivative", new object[] { x, w });
        DerivativeMatchesGradient(ops, "LeakyReluOfGradient", "LeakyReluOfDerivative", new object[] { x, w });
    }
}
