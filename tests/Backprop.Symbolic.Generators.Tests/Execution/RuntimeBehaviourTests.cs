using System;
using System.Linq;
using System.Threading.Tasks;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// How generated gradients behave at run time: they allocate nothing, keep no state between calls (so concurrent calls
/// agree), and recurse as deep as the primal does.
/// </summary>
public sealed class RuntimeBehaviourTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Runtime;

        public static partial class Model
        {
            [Differentiable] public static double Square(double x) => x * x;

            [Differentiable]
            public static double Loss(double w, double b, double x, double t)
            {
                double z = w * x + b;
                double p = z > 0 ? z : 0.01 * z;
                if (p > 10)
                {
                    return Math.Log(p);
                }
                return Square(p - t) + Math.Exp(-w * w);
            }

            [Differentiable] public static float LossF(float w, float x) => MathF.Tanh(w * x) * w;

            [Differentiable] public static double Power(double x, int n) => n == 0 ? 1.0 : x * Power(x, n - 1);

            /// <summary>Bytes allocated on this thread by many gradient calls, after a warm-up.</summary>
            public static long AllocatedBytes(int calls)
            {
                double sink = 0;
                for (int i = 0; i < 10; i++)
                {
                    sink += Run(i);
                }
                // The fewest bytes over up to three rounds: an allocation per call shows in every round, a one-off
                // event of the runtime (tiered compilation promoting a method mid-round) in one at most.
                long allocated = long.MaxValue;
                for (int round = 0; round < 3 && allocated != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < calls; i++)
                    {
                        sink += Run(i);
                    }
                    allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
                }
                return double.IsNaN(sink) ? -1 : allocated;
            }

            private static double Run(int i)
            {
                double v = LossGradient(0.5 + i * 1e-3, -0.25, 1.5, 0.75, out double dW, out double dB, out double dX, out double dT);
                float f = LossFGradient(0.5f, 1.5f, out float fW, out float fX);
                double p = PowerGradient(1.01, 20, out double dP);
                return v + dW + dB + dX + dT + f + fW + fX + p + dP;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    [Fact]
    public void Gradients_allocate_nothing()
    {
        long allocated = (long)Invoke.Call(Code.Type("Runtime.Model"), "AllocatedBytes", 1000)!;
        Assert.True(allocated == 0, $"1000 rounds of gradient calls allocated {allocated} bytes.{Environment.NewLine}{Code.DescribeGeneratedCode()}");
    }

    [Fact]
    public void Concurrent_calls_agree_with_sequential_ones()
    {
        Type model = Code.Type("Runtime.Model");
        double[][] points = Enumerable.Range(0, 64)
            .Select(i => new[] { -1.0 + i * 0.05, 0.3 - i * 0.01, 1.5 - i * 0.03, 0.25 + i * 0.02 })
            .ToArray();
        (double Value, double[] Gradient)[] sequential = points.Select(p => Invoke.Gradient(model, "Loss", p.Cast<object>().ToArray())).ToArray();

        var concurrent = new (double Value, double[] Gradient)[points.Length];
        Parallel.For(0, points.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            int i = k % points.Length;
            concurrent[i] = Invoke.Gradient(model, "Loss", points[i].Cast<object>().ToArray());
        });

        for (int i = 0; i < points.Length; i++)
        {
            Assert.Equal(sequential[i].Value, concurrent[i].Value);
            Assert.Equal(sequential[i].Gradient, concurrent[i].Gradient);
        }
    }

    [Theory]
    [InlineData(1.001, 300, true)]
    [InlineData(1.0001, 5000, false)] // x^5000 curves so fast that central differences are too coarse to compare with.
    public void Deep_recursion(double x, int n, bool finiteDifferences) =>
        GradientAssert.Matches(Code.Type("Runtime.Model"), "Power", [x, n], [n * Math.Pow(x, n - 1)], finiteDifferences, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(0.5, -0.25, 1.5, 0.75)]
    [InlineData(-2.0, 0.5, 1.5, 0.75)]
    [InlineData(8.0, 3.0, 1.5, 0.75)]
    public void Gradient_of_a_small_model_matches_finite_differences(double w, double b, double x, double t) =>
        GradientAssert.MatchesFiniteDifferences(Code.Type("Runtime.Model"), "Loss", w, b, x, t);
}
