using System;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Generators.Tests.Tensors;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.CustomTensorGradients;

/// <summary>
/// [CustomGradient] on methods with tensors: a loss whose hand-written gradient overwrites its partials, and a layer
/// with a hand-written pullback (accumulating), tangent and workspace value, called from generated losses, from a
/// generated layer and from a loop over time steps. Every gradient is checked against central differences of a
/// double-precision reference written here, against analytic partials where they are short, and against the same
/// computation written with generated operations; forward mode against the gradient along a direction.
/// </summary>
public sealed class CustomTensorGradientTests
{
    private static readonly CompiledProgram Program = new(CustomTensorSource.Text);

    private static Type Ops => Program.Type("CustomTensors.Ops");

    // ----- double-precision references ---------------------------------------------------------------------------

    private static double LogCosh(double[] p, double[] t) => Reference.Mean(Reference.Zip(p, t, (a, b) => Math.Log(Math.Cosh(a - b))));

    private static double Huber(double[] p, double[] t, double delta) => Reference.Mean(Reference.Zip(p, t, (a, b) =>
    {
        double r = Math.Abs(a - b);
        return r <= delta ? 0.5 * r * r : delta * (r - 0.5 * delta);
    }));

    private static double[] Swish(double[] x, double beta) => Reference.Map(x, v => v * Reference.Sigmoid(beta * v));

    private static double[] Affine(double[] x, double[] w, double[] b, int m, int k, int n) =>
        Reference.Zip(Reference.MatMul(x, w, m, k, n), Enumerable.Range(0, m).SelectMany(_ => b).ToArray(), (p, q) => p + q);

    private static double Recurrent(double[] xs, double[] h0, double[] w, double[] u, double beta, int steps, int batch, int features, int hidden)
    {
        double[] h = h0;
        for (int t = 0; t < steps; t++)
        {
            double[] x = xs.Skip(t * batch * features).Take(batch * features).ToArray();
            h = Swish(Reference.Zip(Reference.MatMul(x, w, batch, features, hidden), Reference.MatMul(h, u, batch, hidden, hidden), (p, q) => p + q), beta);
        }
        return Reference.Sum(Reference.Map(h, v => v * v));
    }

    // ----- arguments ---------------------------------------------------------------------------------------------

    private static object[] RegressionArguments() =>
        new object[] { Random(1, -1, 1, 4, 3), Random(2, -1, 1, 3, 2), Random(3, -0.5, 0.5, 2), Random(4, -1, 1, 4, 2) };

    private static object[] HuberArguments() =>
        new object[] { Random(5, -1, 1, 4, 3), Random(6, -1, 1, 3, 2), Random(7, -1, 1, 4, 2), 0.5f };

    private static object[] SwishNetArguments() =>
        new object[] { Random(8, -1, 1, 4, 3), Random(9, -1, 1, 3, 5), Random(10, -0.5, 0.5, 5), Random(11, -1, 1, 4, 5), 1.3f };

    private static object[] RecurrentArguments() =>
        new object[] { Random(12, -1, 1, 3, 2, 4), Random(13, -0.5, 0.5, 2, 3), Random(14, -0.8, 0.8, 4, 3), Random(15, -0.8, 0.8, 3, 3), 0.9f };

    private static object[] GateArguments() => new object[] { Random(16, -1, 1, 3, 4), Random(17, -1, 1, 4, 2), Random(18, -1, 1, 3, 2) };

    private static object[] NormalizedNetArguments() =>
        new object[] { Random(33, -1, 1, 4, 3), Random(34, -1, 1, 3, 5), Random(35, 0.5, 1.5, 5), Random(36, -0.5, 0.5, 5), Random(37, -1, 1, 4, 5) };

    private static object[] Arguments(string method) => method switch
    {
        "LogCoshOf" => new object[] { Random(20, -2, 2, 3, 4), Random(21, -2, 2, 3, 4) },
        "Regression" or "GeneratedRegression" => RegressionArguments(),
        "HuberFit" => HuberArguments(),
        "SwishSum" => new object[] { Random(22, -2, 2, 2, 5), 0.7f },
        "DoubledSquares" => new object[] { Random(23, -1, 1, 2, 3) },
        "SwishNet" or "GeneratedSwishNet" => SwishNetArguments(),
        "SwishPassiveInput" => new object[] { Random(24, -1, 1, 3, 3), Random(25, -1, 1, 3, 3), 0.8f },
        "GateLoss" => GateArguments(),
        "Recurrent" or "GeneratedRecurrent" => RecurrentArguments(),
        "ScaledRecurrent" => new object[] { Random(26, -1, 1, 3, 2, 4), Random(27, -0.5, 0.5, 2, 3), Random(28, -0.8, 0.8, 4, 3), Random(29, -0.8, 0.8, 3, 3) },
        "NormalizedNet" => NormalizedNetArguments(),
        "InstrumentedNet" => new object[] { Random(30, -1, 1, 3, 4), Random(31, -1, 1, 4, 2), Random(32, -1, 1, 3, 2) },
        _ => throw new ArgumentException(method),
    };

    // ----- a custom loss -----------------------------------------------------------------------------------------

    [Fact]
    public void Custom_loss_called_alone_against_central_differences_and_its_analytic_partials()
    {
        object[] args = Arguments("LogCoshOf");
        double[][] adjoints = Matches(Ops, "LogCoshOfGradient", args, v => LogCosh(v[0], v[1]));
        float[] p = ((Tensor)args[0]).ToArray(), t = ((Tensor)args[1]).ToArray();
        for (int i = 0; i < p.Length; i++)
        {
            double expected = Math.Tanh((double)p[i] - t[i]) / p.Length; // ∂/∂p mean log cosh(p − t) = tanh(p − t)/n
            Assert.True(Close(adjoints[0][i], expected, 1e-5), $"dP[{i}] = {adjoints[0][i]}, analytic {expected}");
            Assert.True(Close(adjoints[1][i], -expected, 1e-5), $"dT[{i}] = {adjoints[1][i]}, analytic {-expected}");
        }
    }

    [Fact]
    public void Custom_loss_after_a_dense_layer_against_central_differences_and_the_generated_formula()
    {
        object[] args = RegressionArguments();
        double[][] custom = Matches(Ops, "RegressionGradient", args, v => LogCosh(Affine(v[0], v[1], v[2], 4, 3, 2), v[3]));
        // log cosh d = softplus(2d) − d − ln 2, written with generated operations only.
        (double value, double[][] generated) = Call(Ops, "GeneratedRegressionGradient", args);
        Assert.True(Close(Call(Ops, "RegressionGradient", args).Value, value, 1e-5));
        for (int a = 0; a < custom.Length; a++)
        {
            for (int k = 0; k < custom[a].Length; k++)
            {
                Assert.True(Close(custom[a][k], generated[a][k], 1e-5), $"adjoint {a}[{k}]: custom {custom[a][k]}, generated {generated[a][k]}");
            }
        }
    }

    [Fact]
    public void Custom_loss_with_a_float_parameter_and_an_input_read_twice()
    {
        object[] args = HuberArguments();
        double[][] adjoints = Matches(Ops, "HuberFitGradient", args, v =>
            Huber(Reference.MatMul(v[0], v[1], 4, 3, 2), v[2], v[3][0]) + Reference.Mean(Reference.Map(v[2], y => y * y)));
        // ∂/∂δ of the mean Huber loss: the mean of |r| − δ over the residuals outside ±δ.
        double[] r = Reference.Zip(Reference.MatMul(ToDoubles((Tensor)args[0]), ToDoubles((Tensor)args[1]), 4, 3, 2), ToDoubles((Tensor)args[2]), (p, q) => p - q);
        double expected = Reference.Mean(Reference.Map(r, v => Math.Abs(v) > 0.5 ? Math.Abs(v) - 0.5 : 0));
        Assert.True(expected > 0, "Some residuals must lie outside ±δ for the check to mean anything.");
        Assert.True(Close(adjoints[3][0], expected, 1e-5), $"dDelta = {adjoints[3][0]}, analytic {expected}");
    }

    // ----- a custom layer ----------------------------------------------------------------------------------------

    [Fact]
    public void Custom_layer_called_alone_against_central_differences_and_its_analytic_derivative()
    {
        object[] args = Arguments("SwishSum");
        double[][] adjoints = Matches(Ops, "SwishSumGradient", args, v => Reference.Sum(Swish(v[0], v[1][0])));
        double beta = 0.7f;
        double[] x = ToDoubles((Tensor)args[0]);
        double dBeta = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double s = Reference.Sigmoid(beta * x[i]);
            double expected = s + beta * x[i] * s * (1 - s); // d/dx x·σ(βx)
            Assert.True(Close(adjoints[0][i], expected, 1e-5), $"dX[{i}] = {adjoints[0][i]}, analytic {expected}");
            dBeta += x[i] * x[i] * s * (1 - s);
        }
        Assert.True(Close(adjoints[1][0], dBeta, 1e-5), $"dBeta = {adjoints[1][0]}, analytic {dBeta}");
    }

    [Fact]
    public void Custom_layer_without_a_value_method_is_computed_by_the_method_itself()
    {
        object[] args = Arguments("DoubledSquares");
        double[][] adjoints = Matches(Ops, "DoubledSquaresGradient", args, v => Reference.Sum(Reference.Map(v[0], x => 4 * x * x)));
        float[] x = ((Tensor)args[0]).ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Close(adjoints[0][i], 8.0 * x[i], 1e-5), $"dX[{i}] = {adjoints[0][i]}, analytic {8.0 * x[i]}");
        }
    }

    [Fact]
    public void Custom_layer_in_a_network_against_central_differences_and_the_generated_layer()
    {
        object[] args = SwishNetArguments();
        double[][] custom = Matches(Ops, "SwishNetGradient", args, v => Reference.MeanSquaredError(Swish(Affine(v[0], v[1], v[2], 4, 3, 5), v[4][0]), v[3]));
        AssertSame(Ops, "SwishNetGradient", "GeneratedSwishNetGradient", args, custom);
    }

    [Fact]
    public void Custom_layer_whose_input_is_not_differentiated_gets_a_default_adjoint()
    {
        Matches(Ops, "SwishPassiveInputGradient", Arguments("SwishPassiveInput"), v =>
            Reference.Sum(Reference.Zip(Swish(v[0], v[2][0] * v[2][0]), v[1], (p, q) => p * q)));
    }

    [Fact]
    public void Custom_loss_and_custom_layer_inside_a_generated_layer()
    {
        Matches(Ops, "GateLossGradient", GateArguments(), v =>
        {
            double[] a = Reference.MatMul(v[0], v[1], 3, 4, 2);
            double scale = LogCosh(a, v[2]);
            return Reference.Sum(Reference.Map(Swish(a, 1.5), s => s * scale * s * scale));
        });
    }

    [Fact]
    public void Custom_layer_in_a_loop_over_time_steps_against_central_differences_and_the_generated_layer()
    {
        object[] args = RecurrentArguments();
        double[][] custom = Matches(Ops, "RecurrentGradient", args, v => Recurrent(v[0], v[1], v[2], v[3], v[4][0], 3, 2, 4, 3));
        AssertSame(Ops, "RecurrentGradient", "GeneratedRecurrentGradient", args, custom);
    }

    [Fact]
    public void Custom_loss_in_a_loop_over_time_steps_against_central_differences()
    {
        Matches(Ops, "ScaledRecurrentGradient", Arguments("ScaledRecurrent"), v =>
        {
            double[] h = v[1];
            for (int t = 0; t < 3; t++)
            {
                double[] x = v[0].Skip(t * 8).Take(8).ToArray();
                double scale = LogCosh(h, v[1]);
                h = Reference.Map(Reference.Zip(Reference.MatMul(x, v[2], 2, 4, 3), Reference.MatMul(h, v[3], 2, 3, 3), (p, q) => p + q * scale), Math.Tanh);
            }
            return Reference.Sum(Reference.Map(h, y => y * y));
        });
    }

    [Fact]
    public void Instrumented_caller_of_a_custom_layer_and_loss()
    {
        Matches(Ops, "InstrumentedNetLoggedGradient", Arguments("InstrumentedNet"), v => LogCosh(Swish(Reference.MatMul(v[0], v[1], 3, 4, 2), 1), v[2]));
        object log = Ops.GetProperty("LastLog")!.GetValue(null)!;
        Assert.Equal(new[] { "value h", "adjoint h" }, (System.Collections.Generic.List<string>)log.GetType().GetProperty("Names")!.GetValue(log)!);
    }

    [Fact]
    public void Runtime_layer_norm_with_hand_written_derivatives_in_a_network()
    {
        Matches(Ops, "NormalizedNetGradient", NormalizedNetArguments(), v =>
            Reference.MeanSquaredError(Reference.Map(Backprop.Symbolic.Tests.Layers.NormalizationReference.LayerNorm(Reference.MatMul(v[0], v[1], 4, 3, 5), v[2], v[3]), Math.Tanh), v[4]));
    }

    // ----- forward mode ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("LogCoshOf")]
    [InlineData("Regression")]
    [InlineData("HuberFit")]
    [InlineData("SwishSum")]
    [InlineData("DoubledSquares")]
    [InlineData("SwishNet")]
    [InlineData("SwishPassiveInput")]
    [InlineData("GateLoss")]
    [InlineData("Recurrent")]
    [InlineData("ScaledRecurrent")]
    [InlineData("NormalizedNet")]
    public void Forward_mode_is_the_gradient_along_a_direction(string method)
    {
        DerivativeMatchesGradient(Ops, method + "Gradient", method + "Derivative", Arguments(method));
    }

    // ----- allocation --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("SwishNetAllocations")]
    [InlineData("SwishNetDerivativeAllocations")]
    [InlineData("RegressionAllocations")]
    [InlineData("RecurrentAllocations")]
    [InlineData("NormalizedNetAllocations")]
    public void Steady_state_calls_allocate_nothing(string driver)
    {
        object[] args = driver switch
        {
            "RegressionAllocations" => RegressionArguments(),
            "RecurrentAllocations" => RecurrentArguments(),
            "NormalizedNetAllocations" => NormalizedNetArguments(),
            _ => SwishNetArguments(),
        };
        Assert.Equal(0L, (long)Ops.GetMethod(driver)!.Invoke(null, args.Append(100).ToArray())!);
    }

    // ----- helpers -----------------------------------------------------------------------------------------------

    private static double[] ToDoubles(Tensor t) => t.ToArray().Select(v => (double)v).ToArray();

    /// <summary>Asserts that two gradients of the same loss agree: the value and every adjoint element.</summary>
    private static void AssertSame(Type type, string custom, string generated, object[] args, double[][] customAdjoints)
    {
        (double customValue, _) = Call(type, custom, args);
        (double value, double[][] adjoints) = Call(type, generated, args);
        Assert.True(Close(customValue, value, 1e-5), $"{custom} returns {customValue}, {generated} {value}");
        for (int a = 0; a < adjoints.Length; a++)
        {
            for (int k = 0; k < adjoints[a].Length; k++)
            {
                Assert.True(Close(customAdjoints[a][k], adjoints[a][k], 1e-4), $"adjoint {a}[{k}]: {custom} {customAdjoints[a][k]}, {generated} {adjoints[a][k]}");
            }
        }
    }
}
