using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Losses over tensors: the generated gradient against central differences of a double-precision reference of the
/// same loss written here, and against the analytic gradient where one is simple (linear and quadratic losses).
/// </summary>
public sealed class TensorLossTests
{
    internal const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace TensorLosses;

        public static partial class Losses
        {
            [Differentiable(nameof(a), nameof(b), nameof(c), nameof(d))]
            public static float Mlp(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b, Tensor c, Tensor d)
            {
                Tensor h = Tanh(MatMul(x, a) + b);
                Tensor logits = MatMul(h, c) + d;
                return SoftmaxCrossEntropy(logits, y) + 0.001f * Sum(Square(a));
            }

            public static float MlpArraysGradient(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor d, Tensor dA, Tensor dB, Tensor dC, Tensor dD) =>
                MlpGradient(x, y, a, b, c, d, dA, dB, dC, dD);

            public static float MlpArrays(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor d) => Mlp(x, y, a, b, c, d);

            public static float MlpArraysDerivative(Tensor x, int[] y, Tensor a, Tensor b, Tensor c, Tensor d, Tensor dA, Tensor dB, Tensor dC, Tensor dD, out float derivative) =>
                MlpDerivative(x, y, a, b, c, d, dA, dB, dC, dD, out derivative);

            // Every parameter differentiated, the input and the labels' logits too.
            [Differentiable]
            public static float CrossEntropy(Tensor logits, ReadOnlySpan<int> y) => SoftmaxCrossEntropy(logits, y);

            public static float CrossEntropyArraysGradient(Tensor logits, int[] y, Tensor dLogits) => CrossEntropyGradient(logits, y, dLogits);

            public static float CrossEntropyArraysDerivative(Tensor logits, int[] y, Tensor dLogits, out float derivative) => CrossEntropyDerivative(logits, y, dLogits, out derivative);

            [Differentiable]
            public static float Linear(Tensor x, Tensor a) => Sum(MatMul(x, a));

            [Differentiable(nameof(a))]
            public static float Quadratic(Tensor x, Tensor a, Tensor t) => MeanSquaredError(MatMul(x, a), t);

            [Differentiable]
            public static float SquaredError(Tensor p, Tensor t) => MeanSquaredError(p, t);

            [Differentiable]
            public static float MeanOfExp(Tensor x) => Mean(Exp(x));

            [Differentiable]
            public static float Scalars(Tensor a, Tensor b, float scale)
            {
                float norm = MathF.Sqrt(Sum(Square(a)));
                float ratio = Mean(a) / (1f + Sum(b * b));
                return scale * norm + ratio * ratio - 2f * scale;
            }

            [Differentiable]
            public static float Locals(Tensor a, Tensor b)
            {
                Tensor h = a * 2f;
                h = h + b;
                h += a;
                h = Tanh(h);
                Tensor k = h;
                return Sum(k * h) + Mean(MatMul(h, h));
            }

            [Differentiable(nameof(w))]
            public static float Passive(Tensor x, Tensor w, Tensor unused)
            {
                Tensor z = x * 3f;
                Tensor ignored = Exp(unused);
                return Sum(Sigmoid(z * w));
            }
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Losses => Program.Type("TensorLosses.Losses");

    [Fact]
    public void Mlp_loss_with_bias_broadcast_tanh_softmax_cross_entropy_and_weight_decay()
    {
        const int batch = 5, inputs = 4, hidden = 6, classes = 3;
        Tensor x = Random(1, -1, 1, batch, inputs);
        int[] y = { 0, 2, 1, 1, 0 };
        Tensor a = Random(2, -0.8, 0.8, inputs, hidden);
        Tensor b = Random(3, -0.5, 0.5, hidden);
        Tensor c = Random(4, -0.8, 0.8, hidden, classes);
        Tensor d = Random(5, -0.5, 0.5, classes);

        Matches(Losses, "MlpArraysGradient", new object[] { x, y, a, b, c, d }, v =>
        {
            double[] h = Reference.Map(Reference.Zip(Reference.MatMul(v[0], v[2], batch, inputs, hidden), v[3], (p, q) => p + q), Math.Tanh);
            double[] logits = Reference.Zip(Reference.MatMul(h, v[4], batch, hidden, classes), v[5], (p, q) => p + q);
            return Reference.SoftmaxCrossEntropy(logits, v[1], classes) + 0.001 * Reference.Sum(Reference.Map(v[2], t => t * t));
        });
    }

    public static TheoryData<string, string> ForwardModeCases() => new()
    {
        { "MlpArrays", "mlp" },
        { "CrossEntropyArrays", "logits" },
        { "Linear", "x a" },
        { "Quadratic", "x a t" },
        { "SquaredError", "p t" },
        { "MeanOfExp", "x" },
        { "Scalars", "a b scale" },
        { "Locals", "a b" },
        { "Passive", "x w unused" },
    };

    private static object[] ArgumentsFor(string method) => method switch
    {
        "MlpArrays" => new object[] { Random(1, -1, 1, 5, 4), new[] { 0, 2, 1, 1, 0 }, Random(2, -1, 1, 4, 6), Random(3, -1, 1, 6), Random(4, -1, 1, 6, 3), Random(5, -1, 1, 3) },
        "CrossEntropyArrays" => new object[] { Random(21, -2, 2, 4, 3), new[] { 2, 0, 1, 2 } },
        "Linear" => new object[] { Random(31, -1, 1, 3, 4), Random(32, -1, 1, 4, 2) },
        "Quadratic" => new object[] { Random(41, -1, 1, 5, 3), Random(42, -1, 1, 3, 2), Random(43, -1, 1, 5, 2) },
        "SquaredError" => new object[] { Random(51, -1, 1, 2, 3), Random(52, -1, 1, 2, 3) },
        "MeanOfExp" => new object[] { Random(61, -1, 1, 7) },
        "Scalars" => new object[] { Random(71, -1, 1, 2, 3), Random(72, -1, 1, 3), 0.75f },
        "Locals" => new object[] { Random(81, -0.5, 0.5, 3, 3), Random(82, -0.5, 0.5, 3) },
        _ => new object[] { Random(91, -1, 1, 2, 2), Random(92, -1, 1, 2), Random(93, -1, 1, 3) },
    };

    [Theory]
    [MemberData(nameof(ForwardModeCases))]
    public void Forward_mode_derivative_is_the_gradient_along_the_direction(string method, string parameters)
    {
        Assert.NotEmpty(parameters);
        DerivativeMatchesGradient(Losses, method + "Gradient", method + "Derivative", ArgumentsFor(method));
    }

    [Fact]
    public void Forward_mode_tangent_of_the_wrong_shape_throws_naming_it()
    {
        var derivative = Losses.GetMethod("LinearDerivative")!;
        var error = Assert.Throws<System.Reflection.TargetInvocationException>(() => derivative.Invoke(null,
            new object?[] { Tensor.Zeros(3, 4), Tensor.Zeros(4, 2), Tensor.Zeros(3, 4), Tensor.Zeros(2, 4), null }));
        var argument = Assert.IsType<ArgumentException>(error.InnerException);
        Assert.Equal("dA", argument.ParamName);
        Assert.StartsWith("The tangent 'dA' must have the shape of 'a' ([4, 2]), but has [2, 4].", argument.Message);
    }

    [Fact]
    public void Mlp_loss_with_layers_wider_than_a_vector()
    {
        // 21 hidden units and 11 classes: the fused loops run in Vector<float>s and finish the rows one by one.
        const int batch = 3, inputs = 5, hidden = 21, classes = 11;
        object[] args = { Random(101, -1, 1, batch, inputs), new[] { 3, 10, 0 }, Random(102, -0.5, 0.5, inputs, hidden), Random(103, -0.5, 0.5, hidden),
            Random(104, -0.5, 0.5, hidden, classes), Random(105, -0.5, 0.5, classes) };
        Matches(Losses, "MlpArraysGradient", args, v =>
        {
            double[] h = Reference.Map(Reference.Zip(Reference.MatMul(v[0], v[2], batch, inputs, hidden), v[3], (p, q) => p + q), Math.Tanh);
            double[] logits = Reference.Zip(Reference.MatMul(h, v[4], batch, hidden, classes), v[5], (p, q) => p + q);
            return Reference.SoftmaxCrossEntropy(logits, v[1], classes) + 0.001 * Reference.Sum(Reference.Map(v[2], t => t * t));
        });
        DerivativeMatchesGradient(Losses, "MlpArraysGradient", "MlpArraysDerivative", args);
    }

    [Fact]
    public void Gradient_returns_what_the_method_returns()
    {
        Tensor x = Random(11, -1, 1, 3, 2);
        int[] y = { 1, 0, 1 };
        Tensor a = Random(12, -1, 1, 2, 4);
        Tensor b = Random(13, -1, 1, 4);
        Tensor c = Random(14, -1, 1, 4, 2);
        Tensor d = Random(15, -1, 1, 2);
        float primal = (float)Losses.GetMethod("MlpArrays")!.Invoke(null, new object[] { x, y, a, b, c, d })!;
        (double value, _) = Call(Losses, "MlpArraysGradient", x, y, a, b, c, d);
        Assert.True(Close(value, primal, 1e-5), $"gradient's value {value}, method's value {primal}");
    }

    [Fact]
    public void Cross_entropy_gradient_is_softmax_minus_one_hot_over_rows()
    {
        Tensor logits = Random(21, -2, 2, 4, 3);
        int[] y = { 2, 0, 1, 2 };
        double[][] adjoints = Matches(Losses, "CrossEntropyArraysGradient", new object[] { logits, y },
            v => Reference.SoftmaxCrossEntropy(v[0], v[1], 3));
        float[] l = logits.ToArray();
        for (int i = 0; i < 4; i++)
        {
            double z = Enumerable.Range(0, 3).Sum(j => Math.Exp(l[i * 3 + j]));
            for (int j = 0; j < 3; j++)
            {
                double expected = (Math.Exp(l[i * 3 + j]) / z - (j == y[i] ? 1 : 0)) / 4;
                Assert.True(Close(adjoints[0][i * 3 + j], expected, 1e-5), $"dLogits[{i}, {j}] = {adjoints[0][i * 3 + j]}, expected {expected}");
            }
        }
    }

    [Fact]
    public void Linear_loss_has_the_analytic_gradient()
    {
        // Σ x·a: ∂/∂a[p, j] = Σ_i x[i, p], ∂/∂x[i, p] = Σ_j a[p, j].
        Tensor x = Random(31, -1, 1, 3, 4);
        Tensor a = Random(32, -1, 1, 4, 2);
        double[][] adjoints = Matches(Losses, "LinearGradient", new object[] { x, a },
            v => Reference.Sum(Reference.MatMul(v[0], v[1], 3, 4, 2)));
        float[] xs = x.ToArray(), As = a.ToArray();
        for (int p = 0; p < 4; p++)
        {
            double column = Enumerable.Range(0, 3).Sum(i => (double)xs[i * 4 + p]);
            double row = Enumerable.Range(0, 2).Sum(j => (double)As[p * 2 + j]);
            for (int j = 0; j < 2; j++)
            {
                Assert.True(Close(adjoints[1][p * 2 + j], column, 1e-5));
            }
            for (int i = 0; i < 3; i++)
            {
                Assert.True(Close(adjoints[0][i * 4 + p], row, 1e-5));
            }
        }
    }

    [Fact]
    public void Quadratic_loss_has_the_analytic_gradient()
    {
        // mean((x·a − t)²): ∂/∂a = 2/N · xᵀ(x·a − t).
        const int m = 5, k = 3, n = 2;
        Tensor x = Random(41, -1, 1, m, k);
        Tensor a = Random(42, -1, 1, k, n);
        Tensor t = Random(43, -1, 1, m, n);
        double[][] adjoints = Matches(Losses, "QuadraticGradient", new object[] { x, a, t },
            v => Reference.MeanSquaredError(Reference.MatMul(v[0], v[1], m, k, n), v[2]));
        double[] xs = x.ToArray().Select(v => (double)v).ToArray();
        double[] residual = Reference.Zip(Reference.MatMul(xs, a.ToArray().Select(v => (double)v).ToArray(), m, k, n),
            t.ToArray().Select(v => (double)v).ToArray(), (p, q) => p - q);
        for (int p = 0; p < k; p++)
        {
            for (int j = 0; j < n; j++)
            {
                double expected = 2.0 / (m * n) * Enumerable.Range(0, m).Sum(i => xs[i * k + p] * residual[i * n + j]);
                Assert.True(Close(adjoints[0][p * n + j], expected, 1e-5), $"dA[{p}, {j}] = {adjoints[0][p * n + j]}, expected {expected}");
            }
        }
    }

    [Fact]
    public void Mean_squared_error_differentiates_prediction_and_target()
    {
        Tensor p = Random(51, -1, 1, 2, 3);
        Tensor t = Random(52, -1, 1, 2, 3);
        double[][] adjoints = Matches(Losses, "SquaredErrorGradient", new object[] { p, t }, v => Reference.MeanSquaredError(v[0], v[1]));
        float[] ps = p.ToArray(), ts = t.ToArray();
        for (int i = 0; i < 6; i++)
        {
            Assert.True(Close(adjoints[0][i], 2.0 * (ps[i] - ts[i]) / 6, 1e-5));
            Assert.True(Close(adjoints[1][i], -2.0 * (ps[i] - ts[i]) / 6, 1e-5));
        }
    }

    [Fact]
    public void Mean_of_exp_has_gradient_exp_over_count()
    {
        Tensor x = Random(61, -1, 1, 7);
        double[][] adjoints = Matches(Losses, "MeanOfExpGradient", new object[] { x }, v => Reference.Mean(Reference.Map(v[0], Math.Exp)));
        float[] xs = x.ToArray();
        for (int i = 0; i < 7; i++)
        {
            Assert.True(Close(adjoints[0][i], Math.Exp(xs[i]) / 7, 1e-5));
        }
    }

    [Fact]
    public void Float_arithmetic_on_reductions_and_a_float_parameter()
    {
        Tensor a = Random(71, -1, 1, 2, 3);
        Tensor b = Random(72, -1, 1, 3);
        Matches(Losses, "ScalarsGradient", new object[] { a, b, 0.75f }, v =>
        {
            double norm = Math.Sqrt(Reference.Sum(Reference.Map(v[0], t => t * t)));
            double ratio = Reference.Mean(v[0]) / (1 + Reference.Sum(Reference.Map(v[1], t => t * t)));
            return v[2][0] * norm + ratio * ratio - 2 * v[2][0];
        });
    }

    [Fact]
    public void Reassigned_and_copied_tensor_locals()
    {
        Tensor a = Random(81, -0.5, 0.5, 3, 3);
        Tensor b = Random(82, -0.5, 0.5, 3);
        Matches(Losses, "LocalsGradient", new object[] { a, b }, v =>
        {
            double[] h = Reference.Zip(Reference.Map(v[0], t => 2 * t), v[1], (p, q) => p + q);
            h = Reference.Map(Reference.Zip(h, v[0], (p, q) => p + q), Math.Tanh);
            return Reference.Sum(Reference.Zip(h, h, (p, q) => p * q)) + Reference.Mean(Reference.MatMul(h, h, 3, 3, 3));
        });
    }

    [Fact]
    public void Parameters_left_out_get_no_adjoint_and_unused_values_are_not_computed()
    {
        Tensor x = Random(91, -1, 1, 2, 2);
        Tensor w = Random(92, -1, 1, 2);
        Tensor unused = Random(93, -1, 1, 3);
        var gradient = Losses.GetMethod("PassiveGradient")!;
        Assert.Equal(new[] { "x", "w", "unused", "dW" }, gradient.GetParameters().Select(p => p.Name));
        Matches(Losses, "PassiveGradient", new object[] { x, w, unused },
            v => Reference.Sum(Reference.Map(Reference.Zip(Reference.Map(v[0], t => 3 * t), v[1], (p, q) => p * q), Reference.Sigmoid)));
        Assert.DoesNotContain("unusedValues", GeneratorHarness.Run(Source).GeneratedSource("Losses.Passive.g.cs"));
    }
}
