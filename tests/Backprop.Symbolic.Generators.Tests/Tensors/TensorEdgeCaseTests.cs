using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Corners of methods with tensors: a loss that does not depend on its tensors, a double result and parameter, user
/// names that the generated code also likes to use, and a layer whose parameters are named like its generated ones.
/// </summary>
public sealed class TensorEdgeCaseTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace TensorEdges;

        public static partial class Edges
        {
            [Differentiable] public static float Constant(Tensor a) => 1f;

            [Differentiable] public static double Wide(Tensor a, double s) => s * Sum(a) + Math.Sin(s);

            [Differentiable]
            public static float Names(Tensor tape, Tensor value, Tensor result)
            {
                Tensor _t0 = tape * value;
                Tensor hValues = _t0 + result;
                return Sum(hValues) + Mean(Square(tape));
            }

            [Differentiable] public static Tensor Block(Tensor result, Tensor dResult_1) => result * dResult_1;

            [Differentiable] public static float UsesBlock(Tensor a, Tensor b) => Sum(Block(a, b)) + Sum(Square(Block(a, a)));
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Edges => Program.Type("TensorEdges.Edges");

    [Fact]
    public void Loss_that_does_not_depend_on_its_tensor_has_a_zero_gradient()
    {
        (double value, double[][] adjoints) = Call(Edges, "ConstantGradient", Random(1, -1, 1, 2, 2));
        Assert.Equal(1, value);
        Assert.All(adjoints[0], v => Assert.Equal(0, v));
    }

    [Fact]
    public void Double_result_and_double_parameter()
    {
        object[] args = { Random(2, -1, 1, 3), 0.7 };
        Matches(Edges, "WideGradient", args, v => v[1][0] * Reference.Sum(v[0]) + Math.Sin(v[1][0]));
        DerivativeMatchesGradient(Edges, "WideGradient", "WideDerivative", args);
    }

    [Fact]
    public void User_names_that_generated_code_uses_too()
    {
        object[] args = { Random(3, -1, 1, 2, 3), Random(4, -1, 1, 2, 3), Random(5, -1, 1, 3) };
        Matches(Edges, "NamesGradient", args, v =>
            Reference.Sum(Reference.Zip(Reference.Zip(v[0], v[1], (p, q) => p * q), v[2], (p, q) => p + q)) + Reference.Mean(Reference.Map(v[0], t => t * t)));
        DerivativeMatchesGradient(Edges, "NamesGradient", "NamesDerivative", args);
    }

    [Fact]
    public void Layer_with_parameters_named_like_its_generated_ones_called_with_one_tensor_twice()
    {
        // The result's adjoint takes the first free name after the parameters' adjoints (dResult, dDResult_1).
        Assert.Equal(new[] { "result", "dResult_1", "dResult_2", "dResult", "dDResult_1" },
            Array.ConvertAll(Edges.GetMethod("BlockPullback")!.GetParameters(), p => p.Name));
        object[] args = { Random(6, -1, 1, 2, 2), Random(7, -1, 1, 2, 2) };
        Matches(Edges, "UsesBlockGradient", args, v =>
            Reference.Sum(Reference.Zip(v[0], v[1], (p, q) => p * q)) + Reference.Sum(Reference.Map(v[0], t => t * t * t * t)));
        DerivativeMatchesGradient(Edges, "UsesBlockGradient", "UsesBlockDerivative", args);
    }
}
