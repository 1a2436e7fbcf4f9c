using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// [CustomGradient]: a hand-written gradient used wherever a [Differentiable] method calls the method,
/// in reverse and in forward mode, including one the generator could not differentiate itself.
/// </summary>
public sealed class CustomGradientTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Custom
        {
            public static class Stable
            {
                // log(1 + e^x) without overflow; its gradient is the logistic function.
                [CustomGradient(nameof(SoftplusGradient))]
                public static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

                public static double SoftplusGradient(double x, out double dX)
                {
                    dX = 1 / (1 + Math.Exp(-x));
                    return Softplus(x);
                }

                // A body the generator cannot differentiate (a loop): the hand-written gradient stands in.
                [CustomGradient(nameof(SumOfPowersGradient))]
                public static double SumOfPowers(double x, int n)
                {
                    double sum = 0;
                    for (int k = 1; k <= n; k++)
                    {
                        sum += Math.Pow(x, k);
                    }
                    return sum;
                }

                public static double SumOfPowersGradient(double x, int n, out double dX)
                {
                    dX = 0;
                    for (int k = 1; k <= n; k++)
                    {
                        dX += k * Math.Pow(x, k - 1);
                    }
                    return SumOfPowers(x, n);
                }

                [CustomGradient(nameof(ScaledGradient))]
                public static float Scaled(float a, float b) => a * b * 3f;

                public static float ScaledGradient(float a, float b, out float dA, out float dB)
                {
                    dA = 3f * b;
                    dB = 3f * a;
                    return Scaled(a, b);
                }
            }

            public static partial class Models
            {
                [Differentiable]
                public static double Loss(double w, double x) => Stable.Softplus(w * x) * w;

                [Differentiable]
                public static double Polynomial(double x, int n) => Stable.SumOfPowers(x * x, n);

                [Differentiable]
                public static float Product(float a, float b) => Stable.Scaled(a, b) + a;

                [Differentiable]
                public static double Passive(double x, int n) => x * Stable.Softplus(n);
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static Type Models => Code.Type("Custom.Models");

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    private static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    [Theory]
    [InlineData(0.5, 1.5)]
    [InlineData(-2.0, 0.25)]
    [InlineData(3.0, -1.0)]
    public void Reverse_mode_uses_the_custom_gradient(double w, double x)
    {
        double z = w * x;
        GradientAssert.Matches(Models, "Loss", new object[] { w, x },
            Logistic(z) * x * w + Softplus(z),
            Logistic(z) * w * w);
    }

    [Fact]
    public void A_custom_gradient_stands_in_for_a_body_the_generator_cannot_differentiate()
    {
        // d/dx (x² + x⁴ + x⁶) = 2x + 4x³ + 6x⁵
        double x = 0.7;
        GradientAssert.Matches(Models, "Polynomial", new object[] { x, 3 }, 2 * x + 4 * Math.Pow(x, 3) + 6 * Math.Pow(x, 5));
    }

    [Fact]
    public void Float_custom_gradients_work()
    {
        GradientAssert.Matches(Models, "Product", new object[] { 1.5f, -2f }, 3 * -2.0 + 1, 3 * 1.5);
    }

    [Fact]
    public void A_call_with_passive_arguments_does_not_need_the_gradient()
    {
        GradientAssert.Matches(Models, "Passive", new object[] { 2.0, 3 }, Softplus(3));
    }

    [Theory]
    [InlineData(0.5, 1.5, 0.3, -0.7)]
    [InlineData(-1.0, 2.0, 1.0, 0.5)]
    public void Forward_mode_uses_the_custom_gradient(double w, double x, double dW, double dX)
    {
        (double value, double[] gradient) = Invoke.Gradient(Models, "Loss", w, x);
        object[] args = { w, x, dW, dX, null! };
        double forwardValue = (double)Models.GetMethod("LossDerivative")!.Invoke(null, args)!;
        Assert.Equal(value, forwardValue);
        Assert.Equal(gradient[0] * dW + gradient[1] * dX, (double)args[4], 12);
    }
}
