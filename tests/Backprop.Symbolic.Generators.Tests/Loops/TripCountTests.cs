using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// Loops whose trip count is known before they start, counting up or down, with strict and inclusive bounds: each
/// reserves its tape pushes once, with the count written as plainly as the source allows (<c>k − (−1)</c> is
/// <c>k + 1</c>), and differentiates like Horner's rule: ∂p/∂cₖ = xᵏ and p′(x) = Σₖ k cₖ xᵏ⁻¹, checked against
/// those values and central differences.
/// </summary>
public sealed class TripCountTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Loops;

        public static partial class Counts
        {
            [Differentiable]
            public static double DownStrict(ReadOnlySpan<double> c, double x)
            {
                double p = 0.0;
                for (int k = c.Length - 1; k > -1; k--)
                {
                    p = p * x + c[k];
                }
                return p;
            }

            [Differentiable]
            public static double DownInclusive(ReadOnlySpan<double> c, double x)
            {
                double p = 0.0;
                for (int k = c.Length - 1; k >= 0; k--)
                {
                    p = p * x + c[k];
                }
                return p;
            }

            // Σₖ cₖ xᵏ summed upwards with an inclusive bound: the power is carried.
            [Differentiable]
            public static double UpInclusive(ReadOnlySpan<double> c, double x)
            {
                double sum = 0.0;
                double power = 1.0;
                for (int k = 0; k <= c.Length - 1; k++)
                {
                    sum += c[k] * power;
                    power *= x;
                }
                return sum;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    [Theory]
    [InlineData("DownStrict", "record.Reserve(global::System.Math.Max(0, k + 1));")]
    [InlineData("DownInclusive", "record.Reserve(global::System.Math.Max(0, k + 1));")]
    public void A_loop_counting_down_reserves_its_trip_count_written_plainly(string method, string reservation)
    {
        string generated = GeneratorHarness.Run(Source).GeneratedSource("Loops.Counts." + method + ".g.cs");
        Assert.Contains(reservation, generated);
        Assert.Contains("record.PushReserved(", generated);
    }

    [Theory]
    [InlineData("DownStrict", 0.7, 5)]
    [InlineData("DownStrict", -1.3, 1)]
    [InlineData("DownStrict", 0.4, 0)]
    [InlineData("DownInclusive", 1.1, 6)]
    [InlineData("UpInclusive", 0.9, 5)]
    [InlineData("UpInclusive", -0.6, 0)]
    public void Gradients_are_the_powers_of_x_and_the_derivative_of_the_polynomial(string method, double x, int degree)
    {
        var random = new Random(degree * 7 + 1);
        var c = new double[degree];
        for (int k = 0; k < c.Length; k++)
        {
            c[k] = 2 * random.NextDouble() - 1;
        }
        var dC = new double[degree];
        double dX = 0.0;
        for (int k = 0; k < degree; k++)
        {
            dC[k] = Math.Pow(x, k);
            if (k > 0)
            {
                dX += k * c[k] * Math.Pow(x, k - 1);
            }
        }
        ArrayGradientAssert.Matches(Code, "Loops.Counts", method, new object[] { c, x }, dC, new[] { dX });
    }
}
