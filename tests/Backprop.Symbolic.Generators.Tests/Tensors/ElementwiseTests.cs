using System;
using System.Collections.Generic;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Every element-wise operation, fused into loops: each activation against its analytic derivative and central
/// differences, and each operator in every broadcasting case (equal shapes, a row vector on either side, a float on
/// either side), with the loss's double-precision reference written here.
/// </summary>
public sealed class ElementwiseTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace TensorOps;

        public static partial class Ops
        {
            // Activations, weighted by a passive tensor so every element's derivative shows.
            [Differentiable(nameof(x))] public static float TanhOf(Tensor x, Tensor w) => Sum(Tanh(x) * w);
            [Differentiable(nameof(x))] public static float SigmoidOf(Tensor x, Tensor w) => Sum(Sigmoid(x) * w);
            [Differentiable(nameof(x))] public static float ReluOf(Tensor x, Tensor w) => Sum(Relu(x) * w);
            [Differentiable(nameof(x))] public static float LeakyReluOf(Tensor x, Tensor w) => Sum(LeakyRelu(x, 0.1f) * w);
            [Differentiable(nameof(x))] public static float SoftplusOf(Tensor x, Tensor w) => Sum(Softplus(x) * w);
            [Differentiable(nameof(x))] public static float ExpOf(Tensor x, Tensor w) => Sum(Exp(x) * w);
            [Differentiable(nameof(x))] public static float LogOf(Tensor x, Tensor w) => Sum(Log(x) * w);
            [Differentiable(nameof(x))] public static float SquareOf(Tensor x, Tensor w) => Sum(Square(x) * w);
            [Differentiable(nameof(x))] public static float SqrtOf(Tensor x, Tensor w) => Sum(Sqrt(x) * w);

            // A chain of activations in one loop: inner values are recomputed in the backward loop.
            [Differentiable] public static float Chain(Tensor x) => Sum(Softplus(Sigmoid(Tanh(x) * 2f)) + Exp(Square(x)));

            // The slope of LeakyRelu as a differentiated float.
            [Differentiable] public static float LeakySlope(Tensor x, float slope) => Sum(LeakyRelu(x, slope));

            // Operators between tensors; the shapes decide the broadcasting at run time.
            [Differentiable] public static float AddOf(Tensor p, Tensor q) => Sum(Square(p + q));
            [Differentiable] public static float SubtractOf(Tensor p, Tensor q) => Sum(Square(p - q));
            [Differentiable] public static float MultiplyOf(Tensor p, Tensor q) => Sum(Square(p * q));
            [Differentiable] public static float DivideOf(Tensor p, Tensor q) => Sum(Square(p / q));

            // Operators with a float on either side, the float differentiated too.
            [Differentiable] public static float AddRight(Tensor p, float s) => Sum(Square(p + s));
            [Differentiable] public static float AddLeft(float s, Tensor p) => Sum(Square(s + p));
            [Differentiable] public static float SubtractRight(Tensor p, float s) => Sum(Square(p - s));
            [Differentiable] public static float SubtractLeft(float s, Tensor p) => Sum(Square(s - p));
            [Differentiable] public static float MultiplyRight(Tensor p, float s) => Sum(Square(p * s));
            [Differentiable] public static float MultiplyLeft(float s, Tensor p) => Sum(Square(s * p));
            [Differentiable] public static float DivideRight(Tensor p, float s) => Sum(Square(p / s));
            [Differentiable] public static float DivideLeft(float s, Tensor p) => Sum(Square(s / p));
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Ops => Program.Type("TensorOps.Ops");

    public static IEnumerable<object[]> Activations()
    {
        // name, low, high (inputs away from the kinks of Relu and LeakyRelu), function, derivative
        yield return new object[] { "TanhOf", -2.0, 2.0 };
        yield return new object[] { "SigmoidOf", -3.0, 3.0 };
        yield return new object[] { "ReluOf", -2.0, 2.0 };
        yield return new object[] { "LeakyReluOf", -2.0, 2.0 };
        yield return new object[] { "SoftplusOf", -3.0, 3.0 };
        yield return new object[] { "ExpOf", -1.0, 1.0 };
        yield return new object[] { "LogOf", 0.2, 3.0 };
        yield return new object[] { "SquareOf", -2.0, 2.0 };
        yield return new object[] { "SqrtOf", 0.2, 3.0 };
    }

    private static (Func<double, double> F, Func<double, double> Derivative) Function(string name) => name switch
    {
        "TanhOf" => (Math.Tanh, v => 1 - Math.Tanh(v) * Math.Tanh(v)),
        "SigmoidOf" => (Reference.Sigmoid, v => Reference.Sigmoid(v) * (1 - Reference.Sigmoid(v))),
        "ReluOf" => (v => Math.Max(v, 0), v => v > 0 ? 1 : 0),
        "LeakyReluOf" => (v => v > 0 ? v : 0.1 * v, v => v > 0 ? 1 : 0.1),
        "SoftplusOf" => (Reference.Softplus, Reference.Sigmoid),
        "ExpOf" => (Math.Exp, Math.Exp),
        "LogOf" => (Math.Log, v => 1 / v),
        "SquareOf" => (v => v * v, v => 2 * v),
        "SqrtOf" => (Math.Sqrt, v => 0.5 / Math.Sqrt(v)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Activations))]
    public void Activation_matches_its_derivative_and_central_differences(string method, double low, double high)
    {
        (Func<double, double> f, Func<double, double> derivative) = Function(method);
        Tensor x = Random(method.Length, low, high, 3, 4);
        Tensor w = Random(7, -1, 1, 3, 4);
        if (method is "ReluOf" or "LeakyReluOf")
        {
            Span<float> values = x.Span;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = MathF.Abs(values[i]) < 0.05f ? 0.5f : values[i];
            }
        }
        double[][] adjoints = Matches(Ops, method + "Gradient", new object[] { x, w },
            v => Reference.Sum(Reference.Zip(Reference.Map(v[0], f), v[1], (p, q) => p * q)));
        float[] xs = x.ToArray(), ws = w.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            double expected = derivative(xs[i]) * ws[i];
            Assert.True(Close(adjoints[0][i], expected, 1e-4), $"{method}: dX[{i}] = {adjoints[0][i]}, analytic {expected}");
        }
    }

    public static IEnumerable<object[]> ForwardModeCases()
    {
        foreach (object[] activation in Activations())
        {
            yield return new object[] { activation[0], false };
        }
        foreach (string op in new[] { "Add", "Subtract", "Multiply", "Divide" })
        {
            yield return new object[] { op + "Of", false };
            yield return new object[] { op + "Right", true };
            yield return new object[] { op + "Left", true };
        }
        yield return new object[] { "Chain", false };
        yield return new object[] { "LeakySlope", true };
    }

    [Theory]
    [MemberData(nameof(ForwardModeCases))]
    public void Forward_mode_derivative_is_the_gradient_along_the_direction(string method, bool withFloat)
    {
        Tensor x = Random(method.Length, 0.5, 1.5, 3, 4);
        Tensor row = Random(method.Length + 1, 0.5, 1.5, 4);
        object[] args = method switch
        {
            "Chain" => new object[] { x },
            "LeakySlope" => new object[] { Random(5, -1, 1, 3, 4), 0.2f },
            _ when method.EndsWith("Left", StringComparison.Ordinal) => new object[] { 0.75f, x },
            _ when withFloat => new object[] { x, 0.75f },
            "AddOf" or "SubtractOf" or "MultiplyOf" or "DivideOf" => new object[] { x, row }, // a row vector broadcast
            _ => new object[] { x, Random(9, -1, 1, 3, 4) },
        };
        DerivativeMatchesGradient(Ops, method + "Gradient", method + "Derivative", args);
    }

    [Fact]
    public void Relu_has_derivative_zero_at_zero_and_leaky_relu_its_slope()
    {
        Tensor x = Tensor.FromArray(new[] { 0f, 1f, -1f }, 3);
        Tensor w = Tensor.FromArray(new[] { 1f, 1f, 1f }, 3);
        Assert.Equal(new double[] { 0, 1, 0 }, Call(Ops, "ReluOfGradient", x, w).Adjoints[0]);
        Assert.Equal(new double[] { 0.1f, 1, 0.1f }, Call(Ops, "LeakyReluOfGradient", x, w).Adjoints[0]);
    }

    [Fact]
    public void Chain_of_activations_in_one_loop()
    {
        Tensor x = Random(3, -1, 1, 2, 5);
        Matches(Ops, "ChainGradient", new object[] { x }, v => Reference.Sum(Reference.Zip(
            Reference.Map(v[0], t => Reference.Softplus(Reference.Sigmoid(Math.Tanh(t) * 2))),
            Reference.Map(v[0], t => Math.Exp(t * t)),
            (p, q) => p + q)));
    }

    [Fact]
    public void Leaky_relu_slope_is_differentiated()
    {
        Tensor x = Tensor.FromArray(new[] { -2f, 0.5f, -0.25f, 3f }, 4);
        double[][] adjoints = Matches(Ops, "LeakySlopeGradient", new object[] { x, 0.2f },
            v => Reference.Sum(Reference.Map(v[0], t => t > 0 ? t : v[1][0] * t)));
        Assert.Equal(-2.25, adjoints[1][0], 5);
    }

    public static IEnumerable<object[]> Broadcasts()
    {
        foreach (string op in new[] { "Add", "Subtract", "Multiply", "Divide" })
        {
            yield return new object[] { op, new[] { 3, 4 }, new[] { 3, 4 } };   // equal shapes
            yield return new object[] { op, new[] { 3, 4 }, new[] { 4 } };      // row vector on the right
            yield return new object[] { op, new[] { 4 }, new[] { 3, 4 } };      // row vector on the left
            yield return new object[] { op, new[] { 2, 3, 4 }, new[] { 4 } };   // over a rank-3 tensor
            yield return new object[] { op, new[] { 5 }, new[] { 5 } };         // vectors
            yield return new object[] { op, new[] { 3, 19 }, new[] { 19 } };   // rows longer than a Vector<float>, with a tail
            yield return new object[] { op, new[] { 37 }, new[] { 37 } };      // a flat loop in vectors, with a tail
        }
    }

    private static Func<double, double, double> Operator(string op) => op switch
    {
        "Add" => (p, q) => p + q,
        "Subtract" => (p, q) => p - q,
        "Multiply" => (p, q) => p * q,
        _ => (p, q) => p / q,
    };

    [Theory]
    [MemberData(nameof(Broadcasts))]
    public void Operator_between_tensors_broadcasts_and_sums_the_row_vectors_adjoint(string op, int[] left, int[] right)
    {
        Tensor p = Random(left.Length * 10 + right.Length, 0.5, 1.5, left);
        Tensor q = Random(right.Length * 7 + left.Length, 0.5, 1.5, right);
        Func<double, double, double> f = Operator(op);
        Matches(Ops, op + "OfGradient", new object[] { p, q }, v => Reference.Sum(Reference.Map(Reference.Zip(v[0], v[1], f), t => t * t)));
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Subtract")]
    [InlineData("Multiply")]
    [InlineData("Divide")]
    public void Operator_with_a_float_on_either_side(string op)
    {
        Func<double, double, double> f = Operator(op);
        Tensor p = Random(op.Length, 0.5, 1.5, 2, 3);
        double[][] right = Matches(Ops, op + "RightGradient", new object[] { p, 0.75f },
            v => Reference.Sum(Reference.Map(v[0], t => f(t, v[1][0]) * f(t, v[1][0]))));
        double[][] left = Matches(Ops, op + "LeftGradient", new object[] { 0.75f, p },
            v => Reference.Sum(Reference.Map(v[1], t => f(v[0][0], t) * f(v[0][0], t))));
        Assert.Single(right[1]);
        Assert.Single(left[0]);
    }

    [Fact]
    public void Operator_on_shapes_that_do_not_broadcast_throws_naming_both()
    {
        Tensor p = Tensor.Zeros(2, 3);
        Tensor q = Tensor.Zeros(2);
        var error = Assert.Throws<ArgumentException>(() => Call(Ops, "AddOfGradient", p, q));
        Assert.Contains("operator +", error.Message);
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("[2]", error.Message);
    }
}
