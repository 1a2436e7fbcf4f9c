using System;
using System.Linq;
using System.Reflection;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Layers: [Differentiable] methods that return a tensor. A loss composes them (<c>Dense(Dense(x, a, f), b, g)</c>)
/// and its gradient calls each layer's generated <c>{Name}Value</c> (forward) and <c>{Name}Pullback</c> (backward);
/// the pullback adds into the adjoints it is given.
/// </summary>
public sealed class LayerTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace TensorLayers;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor Dense(Tensor x, Tensor w, Tensor b) => Tanh(MatMul(x, w) + b);

            [Differentiable(nameof(a), nameof(f), nameof(b), nameof(g))]
            public static float Network(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor f, Tensor b, Tensor g) =>
                SoftmaxCrossEntropy(Dense(Dense(x, a, f), b, g), y);

            public static float NetworkArraysGradient(Tensor x, int[] y, Tensor a, Tensor f, Tensor b, Tensor g, Tensor dA, Tensor dF, Tensor dB, Tensor dG) =>
                NetworkGradient(x, y, a, f, b, g, dA, dF, dB, dG);

            public static float NetworkArrays(Tensor x, int[] y, Tensor a, Tensor f, Tensor b, Tensor g) => Network(x, y, a, f, b, g);

            public static float NetworkArraysDerivative(Tensor x, int[] y, Tensor a, Tensor f, Tensor b, Tensor g, Tensor dA, Tensor dF, Tensor dB, Tensor dG, out float derivative) =>
                NetworkDerivative(x, y, a, f, b, g, dA, dF, dB, dG, out derivative);

            // A layer with a float parameter, called twice, once on a parameter itself.
            [Differentiable]
            public static Tensor Scaled(Tensor x, float s) => x * s;

            [Differentiable]
            public static float Twice(Tensor x, Tensor w, float s) => Sum(Square(Scaled(MatMul(x, w), s))) + Mean(Scaled(w, s * s) * w);

            // A layer returning its parameter, and one that calls another layer.
            [Differentiable]
            public static Tensor Identity(Tensor x) => x;

            [Differentiable]
            public static Tensor Block(Tensor x, Tensor w, Tensor b) => Identity(Dense(x, w, b)) + x;

            [Differentiable]
            public static float Residual(Tensor x, Tensor w, Tensor b) => MeanSquaredError(Block(x, w, b), x);

            public static long NetworkAllocations(Tensor x, int[] y, Tensor a, Tensor f, Tensor b, Tensor g, int calls)
            {
                Tensor dA = Zeros(a.Shape), dF = Zeros(f.Shape), dB = Zeros(b.Shape), dG = Zeros(g.Shape);
                for (int i = 0; i < 20; i++)
                {
                    NetworkGradient(x, y, a, f, b, g, dA, dF, dB, dG);
                }
                // The fewest bytes over up to three rounds: an allocation per call shows in every round, a one-off
                // event of the runtime (tiered compilation promoting a method mid-round) in one at most.
                long fewest = long.MaxValue;
                for (int round = 0; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < calls; i++)
                    {
                        NetworkGradient(x, y, a, f, b, g, dA, dF, dB, dG);
                    }
                    fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                }
                return fewest;
            }
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Layers => Program.Type("TensorLayers.Layers");

    private static double[] Dense(double[] x, double[] w, double[] b, int m, int k, int n) =>
        Reference.Map(Reference.Zip(Reference.MatMul(x, w, m, k, n), b, (p, q) => p + q), Math.Tanh);

    private static object[] NetworkArguments() => new object[]
    {
        Random(1, -1, 1, 4, 3), new[] { 0, 2, 1, 2 }, Random(2, -1, 1, 3, 5), Random(3, -0.5, 0.5, 5), Random(4, -1, 1, 5, 3), Random(5, -0.5, 0.5, 3),
    };

    [Fact]
    public void Network_of_two_dense_layers_against_central_differences()
    {
        Matches(Layers, "NetworkArraysGradient", NetworkArguments(), v =>
            Reference.SoftmaxCrossEntropy(Dense(Dense(v[0], v[2], v[3], 4, 3, 5), v[4], v[5], 4, 5, 3), v[1], 3));
    }

    [Fact]
    public void Network_gradient_returns_the_methods_value_and_allocates_nothing_once_warm()
    {
        object[] args = NetworkArguments();
        float primal = (float)Layers.GetMethod("NetworkArrays")!.Invoke(null, args)!;
        Assert.True(Close(Call(Layers, "NetworkArraysGradient", args).Value, primal, 1e-5));
        Assert.Equal(0L, (long)Layers.GetMethod("NetworkAllocations")!.Invoke(null, args.Append(100).ToArray())!);
    }

    [Fact]
    public void Layer_with_a_float_parameter_called_twice()
    {
        object[] args = { Random(11, -1, 1, 3, 2), Random(12, -1, 1, 2, 4), 0.8f };
        Matches(Layers, "TwiceGradient", args, v =>
            Reference.Sum(Reference.Map(Reference.MatMul(v[0], v[1], 3, 2, 4), t => t * v[2][0] * (t * v[2][0])))
            + Reference.Mean(Reference.Zip(Reference.Map(v[1], t => t * v[2][0] * v[2][0]), v[1], (p, q) => p * q)));
    }

    [Fact]
    public void Layer_calling_a_layer_and_returning_a_parameter()
    {
        object[] args = { Random(21, -1, 1, 3, 3), Random(22, -1, 1, 3, 3), Random(23, -1, 1, 3) };
        Matches(Layers, "ResidualGradient", args, v =>
            Reference.MeanSquaredError(Reference.Zip(Dense(v[0], v[1], v[2], 3, 3, 3), v[0], (p, q) => p + q), v[0]));
    }

    [Fact]
    public void Pullback_adds_the_vector_Jacobian_product_to_the_adjoints_it_is_given()
    {
        Tensor x = Random(31, -1, 1, 2, 3), w = Random(32, -1, 1, 3, 4), b = Random(33, -1, 1, 4), dResult = Random(34, -1, 1, 2, 4);
        Tensor dX = Random(35, -1, 1, 2, 3), dW = Random(36, -1, 1, 3, 4), dB = Random(37, -1, 1, 4);
        float[] before = dW.ToArray(), beforeX = dX.ToArray(), beforeB = dB.ToArray();
        MethodInfo pullback = Layers.GetMethod("DensePullback")!;
        Assert.Equal(new[] { "x", "w", "b", "dResult", "dX", "dW", "dB" }, pullback.GetParameters().Select(p => p.Name));
        pullback.Invoke(null, new object[] { x, w, b, dResult, dX, dW, dB });

        // The product Σ dResult ⊙ Dense(x, w, b), differentiated by central differences.
        double[][] inputs = { ToDoubles(x), ToDoubles(w), ToDoubles(b) };
        double[] r = ToDoubles(dResult);
        double Product(double[][] v) => Reference.Sum(Reference.Zip(Dense(v[0], v[1], v[2], 2, 3, 4), r, (p, q) => p * q));
        (Tensor Adjoint, float[] Before, int Input)[] checks = { (dX, beforeX, 0), (dW, before, 1), (dB, beforeB, 2) };
        foreach ((Tensor adjoint, float[] start, int input) in checks)
        {
            double[] numeric = CentralDifferences(Product, inputs, input);
            float[] after = adjoint.ToArray();
            for (int k = 0; k < numeric.Length; k++)
            {
                Assert.True(Close(after[k] - start[k], numeric[k], 1e-3), $"input {input}[{k}]: added {after[k] - start[k]}, expected {numeric[k]}");
            }
        }
    }

    [Fact]
    public void Pullback_skips_default_adjoints_and_checks_shapes()
    {
        Tensor x = Random(41, -1, 1, 2, 3), w = Random(42, -1, 1, 3, 4), b = Random(43, -1, 1, 4);
        MethodInfo pullback = Layers.GetMethod("DensePullback")!;
        Tensor dW = Tensor.Zeros(3, 4);
        pullback.Invoke(null, new object[] { x, w, b, Random(44, -1, 1, 2, 4), default(Tensor), dW, default(Tensor) });
        Assert.Contains(dW.ToArray(), v => v != 0);

        var wrongResult = Assert.Throws<TargetInvocationException>(() =>
            pullback.Invoke(null, new object[] { x, w, b, Tensor.Zeros(4, 2), default(Tensor), dW, default(Tensor) }));
        Assert.Equal("dResult", Assert.IsType<ArgumentException>(wrongResult.InnerException).ParamName);
        var wrongAdjoint = Assert.Throws<TargetInvocationException>(() =>
            pullback.Invoke(null, new object[] { x, w, b, Tensor.Zeros(2, 4), default(Tensor), Tensor.Zeros(4, 3), default(Tensor) }));
        Assert.Equal("dW", Assert.IsType<ArgumentException>(wrongAdjoint.InnerException).ParamName);
    }

    [Theory]
    [InlineData("NetworkArrays")]
    [InlineData("Twice")]
    [InlineData("Residual")]
    public void Forward_mode_of_a_loss_that_calls_layers_is_the_gradient_along_the_direction(string method)
    {
        object[] args = method switch
        {
            "NetworkArrays" => NetworkArguments(),
            "Twice" => new object[] { Random(11, -1, 1, 3, 2), Random(12, -1, 1, 2, 4), 0.8f },
            _ => new object[] { Random(21, -1, 1, 3, 3), Random(22, -1, 1, 3, 3), Random(23, -1, 1, 3) },
        };
        DerivativeMatchesGradient(Layers, method + "Gradient", method + "Derivative", args);
    }

    [Fact]
    public void Layer_derivative_is_the_transpose_of_its_pullback()
    {
        // ⟨r, J·v⟩ = ⟨Jᵀ·r, v⟩ for the layer's Jacobian J, any direction v and any adjoint r.
        Tensor x = Random(51, -1, 1, 2, 3), w = Random(52, -1, 1, 3, 4), b = Random(53, -1, 1, 4), r = Random(54, -1, 1, 2, 4);
        Tensor vX = Random(55, -1, 1, 2, 3), vW = Random(56, -1, 1, 3, 4), vB = Random(57, -1, 1, 4);
        Tensor dX = Tensor.Zeros(2, 3), dW = Tensor.Zeros(3, 4), dB = Tensor.Zeros(4);
        Layers.GetMethod("DensePullback")!.Invoke(null, new object[] { x, w, b, r, dX, dW, dB });
        var call = new object?[] { x, w, b, vX, vW, vB, null };
        var value = (Tensor)Layers.GetMethod("DenseDerivative")!.Invoke(null, call)!;
        var tangent = (Tensor)call[6]!;
        Assert.Equal(new[] { 2, 4 }, value.Shape.ToArray());
        double Dot(Tensor p, Tensor q) => p.ToArray().Zip(q.ToArray(), (s, t) => (double)s * t).Sum();
        double forward = Dot(r, tangent);
        double reverse = Dot(dX, vX) + Dot(dW, vW) + Dot(dB, vB);
        Assert.True(Close(forward, reverse, 1e-4), $"⟨r, J·v⟩ = {forward}, ⟨Jᵀ·r, v⟩ = {reverse}");
        double[] expected = Dense(ToDoubles(x), ToDoubles(w), ToDoubles(b), 2, 3, 4);
        Assert.All(value.ToArray().Select((v, i) => (v, i)), p => Assert.True(Close(p.v, expected[p.i], 1e-5)));
    }

    private static double[] ToDoubles(Tensor t) => t.ToArray().Select(v => (double)v).ToArray();
}
