using System;
using System.Linq;
using System.Reflection;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.TensorIndexers;

/// <summary>
/// Custom operations written as loops over tensor elements (<c>x[i, j]</c>): every adjoint against central differences
/// of a double-precision reference written here and, where one is simple, against its analytic value; forward mode
/// against reverse mode; ranks 1 to 4, nested loops, branches, local arrays and a call to a scalar helper.
/// </summary>
public sealed class ElementLoopTests
{
    internal const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace ElementLoops;

        public static partial class Operations
        {
""" + PenaltySource.Method + """

            // Huber loss between two matrices: a branch on each element.
            [Differentiable]
            public static float PairLoss(Tensor a, Tensor b)
            {
                float s = 0f;
                for (int i = 0; i < a.Shape[0]; i++)
                {
                    for (int j = 0; j < a.Shape[1]; j++)
                    {
                        float d = a[i, j] - b[i, j];
                        if (MathF.Abs(d) < 1f)
                        {
                            s += 0.5f * d * d;
                        }
                        else
                        {
                            s += MathF.Abs(d) - 0.5f;
                        }
                    }
                }
                return s / a.Length;
            }

            [Differentiable]
            public static float Smooth(float v) => MathF.Log(1f + MathF.Exp(v));

            // A vector through a scalar [Differentiable] helper, with a weight that is a float parameter.
            [Differentiable]
            public static float Softplus(Tensor v, float scale)
            {
                float s = 0f;
                for (int i = 0; i < v.Length; i++)
                {
                    s += Smooth(scale * v[i]);
                }
                return s;
            }

            // xᵀ A x: reads the same vector twice, the matrix once, in nested loops.
            [Differentiable]
            public static float Bilinear(Tensor x, Tensor a)
            {
                float s = 0f;
                for (int i = 0; i < x.Length; i++)
                {
                    float row = 0f;
                    for (int j = 0; j < x.Length; j++)
                    {
                        row += a[i, j] * x[j];
                    }
                    s += x[i] * row;
                }
                return s;
            }

            // Rank 3: a softmax over the last axis of every row, its maxima kept in a local array, Rank read as an int.
            [Differentiable]
            public static float LogSumExps(Tensor x)
            {
                int n = x.Shape[0], m = x.Shape[1], k = x.Shape[x.Rank - 1];
                float[] maxima = new float[n * m];
                float total = 0f;
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < m; j++)
                    {
                        float best = x[i, j, 0];
                        for (int c = 1; c < k; c++)
                        {
                            best = MathF.Max(best, x[i, j, c]);
                        }
                        maxima[i * m + j] = best;
                        float sum = 0f;
                        for (int c = 0; c < k; c++)
                        {
                            sum += MathF.Exp(x[i, j, c] - best);
                        }
                        total += best + MathF.Log(sum);
                    }
                }
                return total / (n * m) + 0.1f * maxima[0];
            }

            // Rank 4 with rank 2: Σ tanh(x_nchw · k_hw), only the kernel differentiated.
            [Differentiable(nameof(k))]
            public static float Filtered(Tensor x, Tensor k)
            {
                float s = 0f;
                for (int n = 0; n < x.Shape[0]; n++)
                    for (int c = 0; c < x.Shape[1]; c++)
                        for (int h = 0; h < x.Shape[2]; h++)
                            for (int w = 0; w < x.Shape[3]; w++)
                                s += MathF.Tanh(x[n, c, h, w] * k[h, w]);
                return s;
            }

            // Other methods of element loops called with tensor parameters, one in a branch, beside a loop of its own.
            [Differentiable]
            public static float Composite(Tensor a, Tensor b, float t)
            {
                float s = t * Penalty(a);
                if (t > 0f)
                {
                    s += PairLoss(a, b);
                }
                for (int i = 0; i < a.Shape[0]; i++)
                {
                    s += a[i, 0] * b[i, 1];
                }
                return s;
            }

            // A while loop counting the rows down, a conditional expression, and the last axis through Shape.Length.
            [Differentiable]
            public static float Rectified(Tensor x)
            {
                float s = 0f;
                int row = x.Shape[0];
                while (row-- > 0)
                {
                    for (int j = 0; j < x.Shape[x.Shape.Length - 1]; j++)
                    {
                        float v = x[row, j];
                        s += v > 0f ? v * v : 0.1f * v;
                    }
                }
                return s;
            }

            [Differentiable]
            public static float SumOfTanh(Tensor a) => Sum(Tanh(a));

            // A loss of tensor operations called from element loops: its gradient, taken the same way.
            [Differentiable]
            public static float WithOperations(Tensor a)
            {
                float s = SumOfTanh(a);
                for (int i = 0; i < a.Shape[0]; i++)
                {
                    s += a[i, 0] * a[i, 0];
                }
                return s;
            }

            // Reads w[i, j + shift]: with a shift of 1 or -1 an index leaves its axis, and the indexer throws.
            [Differentiable]
            public static float Shifted(Tensor w, int shift)
            {
                float s = 0f;
                for (int i = 0; i < w.Shape[0]; i++)
                {
                    for (int j = 0; j < w.Shape[1]; j++)
                    {
                        s += w[i, j + shift] * w[i, j];
                    }
                }
                return s;
            }

            // A read that may throw comes before a loop whose bound may throw (w.Shape[1] of a rank-1 tensor): the
            // gradient and the derivative must throw what the method throws first, whatever they compute up front.
            [Differentiable]
            public static float FirstThrowWins(Tensor w, Tensor v)
            {
                float s = v[3] * 2f;
                for (int j = 0; j < w.Shape[1]; j++)
                {
                    s += MathF.Sin(w[0, j]) * s;
                }
                return s;
            }

            // A double result: the variance of the elements, summed in double.
            [Differentiable]
            public static double Variance(Tensor x)
            {
                double mean = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    mean += x[i];
                }
                mean /= x.Length;
                double v = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    double d = x[i] - mean;
                    v += d * d;
                }
                return v / x.Length;
            }

            public static long PenaltyAllocations(Tensor w, int calls)
            {
                Tensor dW = Zeros(w.Shape);
                long fewest = long.MaxValue;
                for (int round = -1; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < (round < 0 ? 20 : calls); i++)
                    {
                        PenaltyGradient(w, dW);
                        PenaltyDerivative(w, dW, out _);
                    }
                    if (round >= 0)
                    {
                        fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                    }
                }
                return fewest;
            }

            public static long CompositeAllocations(Tensor a, Tensor b, int calls)
            {
                Tensor dA = Zeros(a.Shape), dB = Zeros(b.Shape);
                long fewest = long.MaxValue;
                for (int round = -1; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < (round < 0 ? 20 : calls); i++)
                    {
                        CompositeGradient(a, b, 0.5f, dA, dB, out _);
                        CompositeDerivative(a, b, 0.5f, dA, dB, 1f, out _);
                    }
                    if (round >= 0)
                    {
                        fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                    }
                }
                return fewest;
            }

            public static long LogSumExpsAllocations(Tensor x, int calls)
            {
                Tensor dX = Zeros(x.Shape);
                long fewest = long.MaxValue;
                for (int round = -1; round < 3 && fewest != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < (round < 0 ? 20 : calls); i++)
                    {
                        LogSumExpsGradient(x, dX);
                        LogSumExpsDerivative(x, dX, out _);
                    }
                    if (round >= 0)
                    {
                        fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                    }
                }
                return fewest;
            }
        }
        """;

    private static readonly CompiledProgram Program = new(Source);

    private static Type Operations => Program.Type("ElementLoops.Operations");

    [Fact]
    public void Penalty_gradient_is_w_over_its_smoothed_magnitude()
    {
        Tensor w = Random(1, -1, 1, 3, 4);
        double[][] adjoints = Matches(Operations, "PenaltyGradient", new object[] { w },
            v => v[0].Sum(t => Math.Sqrt(t * t + 1e-6)));
        float[] values = w.ToArray();
        for (int k = 0; k < values.Length; k++)
        {
            double analytic = values[k] / Math.Sqrt((double)values[k] * values[k] + 1e-6);
            Assert.True(Close(adjoints[0][k], analytic, 1e-5), $"dW[{k}] = {adjoints[0][k]}, analytic {analytic}");
        }
    }

    [Fact]
    public void Pair_loss_takes_both_branches_and_differentiates_both_tensors()
    {
        Tensor a = Random(2, -2, 2, 4, 3);
        Tensor b = Random(3, -2, 2, 4, 3);
        float[] av = a.ToArray(), bv = b.ToArray();
        Assert.Contains(Enumerable.Range(0, av.Length), k => Math.Abs(av[k] - bv[k]) < 1);
        Assert.Contains(Enumerable.Range(0, av.Length), k => Math.Abs(av[k] - bv[k]) > 1);
        double[][] adjoints = Matches(Operations, "PairLossGradient", new object[] { a, b }, v => Huber(v[0], v[1]));
        for (int k = 0; k < av.Length; k++)
        {
            double d = (double)av[k] - bv[k];
            double analytic = (Math.Abs(d) < 1 ? d : Math.Sign(d)) / av.Length;
            Assert.True(Close(adjoints[0][k], analytic, 1e-5), $"dA[{k}] = {adjoints[0][k]}, analytic {analytic}");
            Assert.True(Close(adjoints[1][k], -analytic, 1e-5), $"dB[{k}] = {adjoints[1][k]}, analytic {-analytic}");
        }
    }

    private static double Huber(double[] a, double[] b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double d = a[k] - b[k];
            s += Math.Abs(d) < 1 ? 0.5 * d * d : Math.Abs(d) - 0.5;
        }
        return s / a.Length;
    }

    [Fact]
    public void Rank_one_through_a_scalar_helper_with_a_float_parameter()
    {
        Tensor v = Random(4, -2, 2, 7);
        const float scale = 0.75f;
        double[][] adjoints = Matches(Operations, "SoftplusGradient", new object[] { v, scale },
            x => x[0].Sum(t => Math.Log(1 + Math.Exp(x[1][0] * t))));
        float[] values = v.ToArray();
        for (int k = 0; k < values.Length; k++)
        {
            double analytic = scale / (1 + Math.Exp(-scale * values[k]));
            Assert.True(Close(adjoints[0][k], analytic, 1e-5), $"dV[{k}] = {adjoints[0][k]}, analytic {analytic}");
        }
        double dScale = values.Sum(t => t / (1 + Math.Exp(-scale * t)));
        Assert.True(Close(adjoints[1][0], dScale, 1e-5), $"dScale = {adjoints[1][0]}, analytic {dScale}");
    }

    [Fact]
    public void Bilinear_form_gradients_are_a_plus_a_transpose_times_x_and_x_x_transpose()
    {
        const int n = 5;
        Tensor x = Random(5, -1, 1, n);
        Tensor a = Random(6, -1, 1, n, n);
        double[][] adjoints = Matches(Operations, "BilinearGradient", new object[] { x, a }, v =>
        {
            double s = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    s += v[0][i] * v[1][i * n + j] * v[0][j];
                }
            }
            return s;
        });
        float[] xv = x.ToArray(), av = a.ToArray();
        for (int i = 0; i < n; i++)
        {
            double dx = 0;
            for (int j = 0; j < n; j++)
            {
                dx += ((double)av[i * n + j] + av[j * n + i]) * xv[j];
                double dA = (double)xv[i] * xv[j];
                Assert.True(Close(adjoints[1][i * n + j], dA, 1e-5), $"dA[{i}, {j}] = {adjoints[1][i * n + j]}, analytic {dA}");
            }
            Assert.True(Close(adjoints[0][i], dx, 1e-5), $"dX[{i}] = {adjoints[0][i]}, analytic {dx}");
        }
    }

    [Fact]
    public void Rank_three_log_sum_exp_with_a_local_array_is_softmax_over_rows()
    {
        const int n = 2, m = 3, k = 4;
        Tensor x = Random(7, -2, 2, n, m, k);
        double[][] adjoints = Matches(Operations, "LogSumExpsGradient", new object[] { x }, v =>
        {
            double total = 0, first = 0;
            for (int row = 0; row < n * m; row++)
            {
                double best = v[0].Skip(row * k).Take(k).Max();
                total += best + Math.Log(v[0].Skip(row * k).Take(k).Sum(t => Math.Exp(t - best)));
                if (row == 0)
                {
                    first = best;
                }
            }
            return total / (n * m) + 0.1 * first;
        });
        float[] values = x.ToArray();
        for (int row = 0; row < n * m; row++)
        {
            double z = values.Skip(row * k).Take(k).Sum(t => Math.Exp(t));
            int argmax = Enumerable.Range(0, k).OrderByDescending(c => values[row * k + c]).First();
            for (int c = 0; c < k; c++)
            {
                double analytic = Math.Exp(values[row * k + c]) / z / (n * m) + (row == 0 && c == argmax ? 0.1 : 0);
                Assert.True(Close(adjoints[0][row * k + c], analytic, 1e-5), $"dX[{row * k + c}] = {adjoints[0][row * k + c]}, analytic {analytic}");
            }
        }
    }

    [Fact]
    public void Rank_four_with_rank_two_differentiates_only_the_named_tensor()
    {
        Tensor x = Random(8, -1, 1, 2, 3, 2, 3);
        Tensor k = Random(9, -1, 1, 2, 3);
        MethodInfo gradient = Operations.GetMethod("FilteredGradient")!;
        Assert.Equal(new[] { "x", "k", "dK" }, gradient.GetParameters().Select(p => p.Name));
        double[][] adjoints = Matches(Operations, "FilteredGradient", new object[] { x, k }, v =>
            Enumerable.Range(0, v[0].Length).Sum(e => Math.Tanh(v[0][e] * v[1][e % 6])));
        float[] xv = x.ToArray(), kv = k.ToArray();
        for (int hw = 0; hw < 6; hw++)
        {
            double analytic = Enumerable.Range(0, xv.Length).Where(e => e % 6 == hw)
                .Sum(e => xv[e] * (1 - Math.Pow(Math.Tanh((double)xv[e] * kv[hw]), 2)));
            Assert.True(Close(adjoints[0][hw], analytic, 1e-5), $"dK[{hw}] = {adjoints[0][hw]}, analytic {analytic}");
        }
    }

    [Fact]
    public void Variance_in_double_has_gradient_two_deviations_over_n()
    {
        Tensor x = Random(10, -1, 1, 9);
        double[][] adjoints = Matches(Operations, "VarianceGradient", new object[] { x }, v =>
        {
            double mean = v[0].Average();
            return v[0].Sum(t => (t - mean) * (t - mean)) / v[0].Length;
        });
        float[] values = x.ToArray();
        double average = values.Average(t => (double)t);
        for (int k = 0; k < values.Length; k++)
        {
            double analytic = 2 * (values[k] - average) / values.Length;
            Assert.True(Close(adjoints[0][k], analytic, 1e-5), $"dX[{k}] = {adjoints[0][k]}, analytic {analytic}");
        }
        Assert.Equal(typeof(double), Operations.GetMethod("VarianceGradient")!.ReturnType);
    }

    [Theory]
    [InlineData(0.7f)]
    [InlineData(-0.7f)]
    public void Calls_of_other_element_methods_with_tensor_parameters(float t)
    {
        Tensor a = Random(30, -2, 2, 3, 2), b = Random(31, -2, 2, 3, 2);
        Matches(Operations, "CompositeGradient", new object[] { a, b, t }, v =>
        {
            double s = v[2][0] * v[0].Sum(q => Math.Sqrt(q * q + 1e-6));
            if (v[2][0] > 0)
            {
                s += Huber(v[0], v[1]);
            }
            for (int i = 0; i < 3; i++)
            {
                s += v[0][i * 2] * v[1][i * 2 + 1];
            }
            return s;
        });
        DerivativeMatchesGradient(Operations, "CompositeGradient", "CompositeDerivative", new object[] { a, b, t });
    }

    [Fact]
    public void While_loop_and_conditional_expression()
    {
        Tensor x = Random(35, -1, 1, 4, 3);
        double[][] adjoints = Matches(Operations, "RectifiedGradient", new object[] { x }, v => v[0].Sum(q => q > 0 ? q * q : 0.1 * q));
        float[] values = x.ToArray();
        Assert.Contains(values, q => q > 0);
        Assert.Contains(values, q => q < 0);
        for (int k = 0; k < values.Length; k++)
        {
            double analytic = values[k] > 0 ? 2.0 * values[k] : 0.1;
            Assert.True(Close(adjoints[0][k], analytic, 1e-5), $"dX[{k}] = {adjoints[0][k]}, analytic {analytic}");
        }
    }

    [Fact]
    public void A_loss_of_tensor_operations_called_from_element_loops()
    {
        Tensor a = Random(33, -1, 1, 3, 2);
        double[][] adjoints = Matches(Operations, "WithOperationsGradient", new object[] { a }, v =>
            v[0].Sum(Math.Tanh) + v[0][0] * v[0][0] + v[0][2] * v[0][2] + v[0][4] * v[0][4]);
        float[] values = a.ToArray();
        for (int k = 0; k < values.Length; k++)
        {
            double tanh = Math.Tanh(values[k]);
            double analytic = 1 - tanh * tanh + (k % 2 == 0 ? 2.0 * values[k] : 0);
            Assert.True(Close(adjoints[0][k], analytic, 1e-5), $"dA[{k}] = {adjoints[0][k]}, analytic {analytic}");
        }
    }

    public static TheoryData<string> ForwardModeCases() => new() { "Penalty", "PairLoss", "Softplus", "Bilinear", "LogSumExps", "Filtered", "Variance", "Composite", "WithOperations", "Rectified" };

    private static object[] ArgumentsFor(string method) => method switch
    {
        "Penalty" => new object[] { Random(11, -1, 1, 3, 4) },
        "PairLoss" => new object[] { Random(12, -2, 2, 4, 3), Random(13, -2, 2, 4, 3) },
        "Softplus" => new object[] { Random(14, -2, 2, 7), 0.75f },
        "Bilinear" => new object[] { Random(15, -1, 1, 5), Random(16, -1, 1, 5, 5) },
        "LogSumExps" => new object[] { Random(17, -2, 2, 2, 3, 4) },
        "Variance" => new object[] { Random(20, -1, 1, 9) },
        "Composite" => new object[] { Random(27, -2, 2, 3, 2), Random(28, -2, 2, 3, 2), 0.5f },
        "WithOperations" => new object[] { Random(34, -1, 1, 3, 2) },
        "Rectified" => new object[] { Random(36, -1, 1, 4, 3) },
        _ => new object[] { Random(18, -1, 1, 2, 3, 2, 3), Random(19, -1, 1, 2, 3) },
    };

    [Theory]
    [MemberData(nameof(ForwardModeCases))]
    public void Forward_mode_derivative_is_the_gradient_along_the_direction(string method) =>
        DerivativeMatchesGradient(Operations, method + "Gradient", method + "Derivative", ArgumentsFor(method));

    [Theory]
    [MemberData(nameof(ForwardModeCases))]
    public void Gradient_returns_what_the_method_returns(string method)
    {
        object[] args = ArgumentsFor(method);
        double primal = Convert.ToDouble(Operations.GetMethod(method)!.Invoke(null, args), System.Globalization.CultureInfo.InvariantCulture);
        (double value, _) = Call(Operations, method + "Gradient", args);
        Assert.Equal(primal, value);
    }

    [Fact]
    public void Adjoint_of_the_wrong_shape_throws_naming_both_shapes_before_anything_is_written()
    {
        Tensor a = Random(21, -1, 1, 2, 3), b = Random(22, -1, 1, 2, 3);
        Tensor dA = Tensor.Zeros(2, 3), dB = Tensor.Zeros(3, 2);
        dA.Fill(7f);
        var error = Assert.Throws<TargetInvocationException>(() => Operations.GetMethod("PairLossGradient")!.Invoke(null, new object[] { a, b, dA, dB }));
        var argument = Assert.IsType<ArgumentException>(error.InnerException);
        Assert.Equal("dB", argument.ParamName);
        Assert.StartsWith("The adjoint 'dB' must have the shape of 'b' ([2, 3]), but has [3, 2].", argument.Message);
        Assert.All(dA.ToArray(), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void Tangent_of_the_wrong_shape_throws_naming_it()
    {
        Tensor w = Random(23, -1, 1, 2, 3);
        var error = Assert.Throws<TargetInvocationException>(() => Operations.GetMethod("PenaltyDerivative")!.Invoke(null, new object?[] { w, Tensor.Zeros(6), null }));
        var argument = Assert.IsType<ArgumentException>(error.InnerException);
        Assert.Equal("dW", argument.ParamName);
        Assert.StartsWith("The tangent 'dW' must have the shape of 'w' ([2, 3]), but has [6].", argument.Message);
    }

    [Fact]
    public void A_tensor_of_another_rank_throws_at_run_time_as_the_eager_indexer_does()
    {
        // Penalty indexes w[i, j]: a rank-3 tensor fails in the generated code exactly as in the method itself.
        Tensor w = Random(24, -1, 1, 2, 2, 2);
        var eager = Assert.Throws<TargetInvocationException>(() => Operations.GetMethod("Penalty")!.Invoke(null, new object[] { w }));
        var generated = Assert.Throws<TargetInvocationException>(() => Operations.GetMethod("PenaltyGradient")!.Invoke(null, new object[] { w, Tensor.Zeros(2, 2, 2) }));
        Assert.IsType<ArgumentException>(eager.InnerException);
        Assert.IsType<ArgumentException>(generated.InnerException);
        Assert.Equal(eager.InnerException!.Message, generated.InnerException!.Message);
        Assert.Contains("An indexer with 2 indices was used on a tensor of shape [2, 2, 2] (rank 3)", generated.InnerException.Message);
    }

    [Theory]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 3 })]
    [InlineData(new[] { 0, 4 })]
    [InlineData(new[] { 3, 0 })]
    [InlineData(new[] { 0, 2, 2 })]
    [InlineData(new[] { 2, 0, 5 })]
    [InlineData(new[] { 2, 2, 2 })]
    [InlineData(new[] { 2, 3, 1, 1 })]
    public void A_tensor_of_any_shape_fails_or_not_exactly_as_the_method_does(int[] shape)
    {
        // Penalty reads w.Shape[0], then w.Shape[1] only if there is a row, then w[i, j] only if there is a column: a
        // rank-1 tensor with no element and any tensor with an empty axis give 0; [3] fails at w.Shape[1]
        // (IndexOutOfRangeException); a rank-3 or rank-4 tensor with elements fails at w[0, 0] (ArgumentException).
        Tensor w = Tensor.Zeros(shape);
        SameOutcome(() => Operations.GetMethod("Penalty")!.Invoke(null, new object[] { w }),
            () => Operations.GetMethod("PenaltyGradient")!.Invoke(null, new object[] { w, Tensor.Zeros(shape) }));
        SameOutcome(() => Operations.GetMethod("Penalty")!.Invoke(null, new object[] { w }),
            () => Operations.GetMethod("PenaltyDerivative")!.Invoke(null, new object?[] { w, Tensor.Zeros(shape), null }));
    }

    [Theory]
    [InlineData(1, "Index 3 is outside axis 1 of shape [2, 3].")]
    [InlineData(-1, "Index -1 is outside axis 1 of shape [2, 3].")]
    public void An_index_outside_its_axis_throws_as_the_eager_indexer_does(int shift, string message)
    {
        Tensor w = Random(27, -1, 1, 2, 3);
        var eager = Assert.Throws<TargetInvocationException>(() => Operations.GetMethod("Shifted")!.Invoke(null, new object[] { w, shift }));
        var generated = Assert.Throws<TargetInvocationException>(() => Operations.GetMethod("ShiftedGradient")!.Invoke(null, new object[] { w, shift, Tensor.Zeros(2, 3) }));
        var derivative = Assert.Throws<TargetInvocationException>(() => Operations.GetMethod("ShiftedDerivative")!.Invoke(null, new object?[] { w, shift, Tensor.Zeros(2, 3), null }));
        foreach (var error in new[] { eager, generated, derivative })
        {
            Assert.IsType<IndexOutOfRangeException>(error.InnerException);
            Assert.Equal(message, error.InnerException!.Message);
        }
    }

    [Fact]
    public void The_first_exception_the_method_throws_is_the_one_its_gradient_throws()
    {
        Tensor w = Random(28, -1, 1, 4);   // rank 1: w.Shape[1] throws
        Tensor v = Random(29, -1, 1, 2);   // two elements: v[3] throws first
        var eager = Assert.Throws<TargetInvocationException>(() => Operations.GetMethod("FirstThrowWins")!.Invoke(null, new object[] { w, v }));
        var generated = Assert.Throws<TargetInvocationException>(() => Operations.GetMethod("FirstThrowWinsGradient")!.Invoke(null, new object[] { w, v, Tensor.Zeros(4), Tensor.Zeros(2) }));
        var derivative = Assert.Throws<TargetInvocationException>(() => Operations.GetMethod("FirstThrowWinsDerivative")!.Invoke(null, new object?[] { w, v, Tensor.Zeros(4), Tensor.Zeros(2), null }));
        foreach (var error in new[] { eager, generated, derivative })
        {
            Assert.IsType<IndexOutOfRangeException>(error.InnerException);
            Assert.Equal(eager.InnerException!.Message, error.InnerException!.Message);
        }
    }

    [Fact]
    public void First_throw_wins_differentiates_where_nothing_throws()
    {
        Tensor w = Random(30, -1, 1, 2, 3);
        Tensor v = Random(31, -1, 1, 5);
        Matches(Operations, "FirstThrowWinsGradient", new object[] { w, v }, x =>
        {
            double s = x[1][3] * 2.0;
            for (int j = 0; j < 3; j++)
            {
                s += Math.Sin(x[0][j]) * s;
            }
            return s;
        });
    }

    [Fact]
    public void Shifted_by_zero_has_gradient_two_w()
    {
        Tensor w = Random(28, -1, 1, 2, 3);
        double[][] adjoints = Matches(Operations, "ShiftedGradient", new object[] { w, 0 }, v => v[0].Sum(t => t * t));
        float[] values = w.ToArray();
        for (int k = 0; k < values.Length; k++)
        {
            Assert.True(Close(adjoints[0][k], 2.0 * values[k], 1e-5), $"dW[{k}] = {adjoints[0][k]}, analytic {2.0 * values[k]}");
        }
    }

    /// <summary>Both return the same value, or both throw the same exception with the same message.</summary>
    private static void SameOutcome(Func<object?> method, Func<object?> generated)
    {
        Exception? expected = null, actual = null;
        object? expectedValue = null, actualValue = null;
        try
        {
            expectedValue = method();
        }
        catch (TargetInvocationException e)
        {
            expected = e.InnerException;
        }
        try
        {
            actualValue = generated();
        }
        catch (TargetInvocationException e)
        {
            actual = e.InnerException;
        }
        Assert.Equal(expected?.GetType(), actual?.GetType());
        Assert.Equal(expected?.Message, actual?.Message);
        Assert.Equal(expectedValue, actualValue);
    }

    [Fact]
    public void Steady_state_calls_allocate_nothing()
    {
        Assert.Equal(0L, (long)Operations.GetMethod("PenaltyAllocations")!.Invoke(null, new object[] { Random(25, -1, 1, 8, 8), 50 })!);
        Assert.Equal(0L, (long)Operations.GetMethod("LogSumExpsAllocations")!.Invoke(null, new object[] { Random(26, -1, 1, 3, 4, 5), 50 })!);
        Assert.Equal(0L, (long)Operations.GetMethod("CompositeAllocations")!.Invoke(null, new object[] { Random(29, -1, 1, 6, 4), Random(32, -1, 1, 6, 4), 50 })!);
    }
}
