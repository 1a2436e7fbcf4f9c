using System;
using System.Reflection;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Loops;

/// <summary>
/// A loop nest whose inner loop records a value per iteration reserves the whole nest's room once, before the outer
/// loop, when the inner trip count does not change in the outer loop (and per outer iteration otherwise). Either way
/// the gradient is the same: checked against central differences and the derivative by hand, and the tape holds one
/// value per inner iteration (read by a [CustomGradient] probe at the end of the forward sweep).
/// </summary>
public sealed class NestReservationTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Taping;

        namespace Loops;

        public static partial class Nests
        {
            /// <summary>The tape's height when the forward sweep ended.</summary>
            public static int Height;

            [CustomGradient(nameof(TapeHeightGradient))]
            public static double TapeHeight(double x) => x;

            public static double TapeHeightGradient(double x, out double dX)
            {
                Height = Tape.Current.ValueCount;
                dX = 1.0;
                return x;
            }

            // Σ_ij tanh(w_ij · x_j): the inner trip count is cols in every row, so the nest reserves rows · cols at once.
            [Differentiable(nameof(w))]
            public static double Rectangle(ReadOnlySpan<double> w, ReadOnlySpan<double> x, int rows, int cols)
            {
                double s = 0.0;
                for (int i = 0; i < rows; i++)
                {
                    for (int j = 0; j < cols; j++)
                    {
                        s += Math.Tanh(w[i * cols + j] * x[j]);
                    }
                }
                return TapeHeight(s);
            }

            // Σ_{j ≤ i} tanh(w_ij · x_j): the inner trip count changes with i, so each row reserves its own.
            [Differentiable(nameof(w))]
            public static double Triangle(ReadOnlySpan<double> w, ReadOnlySpan<double> x, int rows, int cols)
            {
                double s = 0.0;
                for (int i = 0; i < rows; i++)
                {
                    for (int j = 0; j <= i; j++)
                    {
                        s += Math.Tanh(w[i * cols + j] * x[j]);
                    }
                }
                return TapeHeight(s);
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);
    private const string TypeName = "Loops.Nests";

    [Fact]
    public void The_rectangle_reserves_the_whole_nest_before_its_outer_loop()
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        string generated = run.GeneratedSource("Loops.Nests.Rectangle.g.cs");
        Assert.Contains("record.Reserve(rows > 0 ? global::System.Math.Max(0, rows) * global::System.Math.Max(0, cols) : 0);", generated);
        Assert.True(generated.IndexOf("record.Reserve", StringComparison.Ordinal) < generated.IndexOf("for (int i = 0;", StringComparison.Ordinal));
        string triangle = run.GeneratedSource("Loops.Nests.Triangle.g.cs");
        Assert.True(triangle.IndexOf("record.Reserve", StringComparison.Ordinal) > triangle.IndexOf("for (int i = 0;", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Rectangle", 3, 4)]
    [InlineData("Rectangle", 0, 4)]
    [InlineData("Rectangle", 3, 0)]
    [InlineData("Triangle", 4, 4)]
    public void Gradients_match_the_derivative_by_hand_and_the_tape_holds_one_value_per_inner_iteration(string method, int rows, int cols)
    {
        var random = new Random(rows * 10 + cols);
        var w = new double[Math.Max(1, rows * cols)];
        var x = new double[Math.Max(1, cols)];
        for (int k = 0; k < w.Length; k++)
        {
            w[k] = 2 * random.NextDouble() - 1;
        }
        for (int k = 0; k < x.Length; k++)
        {
            x[k] = 2 * random.NextDouble() - 1;
        }
        FieldInfo height = ArrayInvoke.Type(Code, TypeName).GetField("Height")!;
        height.SetValue(null, -1);
        (double value, double[][] adjoints) = ArrayInvoke.Gradient(Code, TypeName, method, w, x, rows, cols);

        double expected = 0;
        var dW = new double[w.Length];
        int pushed = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < (method == "Rectangle" ? cols : i + 1); j++)
            {
                double t = Math.Tanh(w[i * cols + j] * x[j]);
                expected += t;
                dW[i * cols + j] += (1 - t * t) * x[j];
                pushed++;
            }
        }
        Assert.Equal(expected, value, 12);
        for (int k = 0; k < dW.Length; k++)
        {
            Assert.True(Math.Abs(adjoints[0][k] - dW[k]) < 1e-12, $"dW[{k}] = {adjoints[0][k]}, by hand {dW[k]}");
        }
        Assert.Equal(pushed, (int)height.GetValue(null)!);
        if (rows > 0 && cols > 0)
        {
            ArrayGradientAssert.MatchesFiniteDifferences(Code, TypeName, method, w, x, rows, cols);
        }
    }
}
