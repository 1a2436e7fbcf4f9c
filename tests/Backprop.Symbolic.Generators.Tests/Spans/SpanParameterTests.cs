using System;
using System.Linq;
using System.Reflection;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Spans;

/// <summary>
/// <c>ReadOnlySpan&lt;T&gt;</c> and <c>T[]</c> parameters (double and float): each gets a <c>Span&lt;T&gt;</c> adjoint of the
/// same length, after all the original parameters and in parameter order, that the gradient overwrites; elements read
/// with constant and computed indices; spans mixed with scalars; <c>[Differentiable(nameof(...))]</c> restrictions; an
/// adjoint buffer of the wrong length throws before anything is written; forward mode agrees with reverse mode.
/// </summary>
public sealed class SpanParameterTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Spans;

        public static partial class Params
        {
            // Scalars only: the array driver must call these like any other method.
            [Differentiable]
            public static double ScalarOnly(double x, double y) => x * Math.Sin(y) + y * y;

            [Differentiable]
            public static float ScalarOnlyF(float x, int n) => x * x * n;

            [Differentiable]
            public static double SpanElements(ReadOnlySpan<double> x) => x[0] * x[1] + Math.Sin(x[2]);

            [Differentiable]
            public static double ArrayElements(double[] x) => x[0] * x[1] + Math.Sin(x[2]);

            [Differentiable]
            public static float FloatSpanElements(ReadOnlySpan<float> x) => x[0] * x[1] + MathF.Sin(x[2]);

            [Differentiable]
            public static float FloatArrayElements(float[] x) => x[0] * x[1] + MathF.Sin(x[2]);

            [Differentiable]
            public static double SquaredSteps(ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i + 1 < x.Length; i++)
                {
                    double d = x[i + 1] - x[i];
                    s += d * d;
                }
                return s;
            }

            [Differentiable]
            public static double ReversedDot(ReadOnlySpan<double> x, double[] w)
            {
                int n = x.Length;
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    s += w[i] * x[n - 1 - i];
                }
                return s;
            }

            [Differentiable]
            public static double IndexFromParameter(ReadOnlySpan<double> x, int k) => (x[k + 1] - x[k]) * x[x.Length - 1 - k];

            [Differentiable]
            public static double Loss(ReadOnlySpan<double> w, double b)
            {
                double r = 0.5 * w[0] + 1.5 * w[1] + b - 1;
                return r * r;
            }

            [Differentiable]
            public static double Neuron(ReadOnlySpan<double> w, double b, ReadOnlySpan<double> input, double target)
            {
                double z = b;
                for (int i = 0; i < w.Length; i++)
                {
                    z += w[i] * input[i];
                }
                double e = Math.Tanh(z) - target;
                return e * e;
            }

            [Differentiable]
            public static float MixedF(float[] x, float s) => x[0] * s + x[1] * s * s;

            [Differentiable(nameof(w))]
            public static double OnlyWeights(ReadOnlySpan<double> w, ReadOnlySpan<double> x, double b) => w[0] * x[0] + w[1] * x[1] * b;

            [Differentiable(nameof(b))]
            public static double OnlyBias(ReadOnlySpan<double> x, double b) => x[0] * b * b + x[1];

            [Differentiable]
            public static double IntAndBoolArePassive(ReadOnlySpan<double> x, int k, bool square) => square ? x[k] * x[k] : 3 * x[k];

            // A passive span of indices: which weights to read, with repeats.
            [Differentiable]
            public static double Gather(ReadOnlySpan<double> w, ReadOnlySpan<int> index)
            {
                double s = 0;
                for (int i = 0; i < index.Length; i++)
                {
                    double v = w[index[i]];
                    s += v * v;
                }
                return s;
            }
        }
        """;

    private const string TypeName = "Spans.Params";

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string method, object[] args, params double[][] expected)
    {
        ArrayGradientAssert.Matches(Code, TypeName, method, args, expected);
        ArrayGradientAssert.ForwardMatchesReverse(Code, TypeName, method, args);
    }

    private static string Signature(string method)
    {
        MethodInfo info = ArrayInvoke.Type(Code, TypeName).GetMethod(method, BindingFlags.Public | BindingFlags.Static)
            ?? throw new Xunit.Sdk.XunitException($"{TypeName} has no method {method}.{Environment.NewLine}{ArrayInvoke.Describe(Code, TypeName, method[..method.LastIndexOf(method.EndsWith("Gradient", StringComparison.Ordinal) ? "Gradient" : "Derivative", StringComparison.Ordinal)])}");
        return $"{Name(info.ReturnType)} {info.Name}({string.Join(", ", info.GetParameters().Select(p => (p.IsOut ? "out " : "") + Name(p.ParameterType) + " " + p.Name))})";
    }

    private static string Name(Type type)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!);
        }
        if (type.IsGenericType)
        {
            return type.Name[..type.Name.IndexOf('`')] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
        }
        return type.Name;
    }

    [Fact]
    public void Scalar_only_method_works_through_the_array_driver()
    {
        const double x = 1.25, y = -0.75;
        Assert.Equal(x * Math.Sin(y) + y * y, ArrayInvoke.Primal(Code, TypeName, "ScalarOnly", x, y));

        (double value, double[][] adjoints) = ArrayInvoke.Gradient(Code, TypeName, "ScalarOnly", x, y);
        Assert.Equal(x * Math.Sin(y) + y * y, value);
        Assert.Equal(2, adjoints.Length);
        Assert.All(adjoints, a => Assert.Single(a));

        Check("ScalarOnly", [x, y], [Math.Sin(y)], [x * Math.Cos(y) + 2 * y]);
    }

    [Fact]
    public void Float_scalar_method_with_a_passive_int_works_through_the_array_driver() =>
        Check("ScalarOnlyF", [1.5f, 3], [2 * 1.5 * 3]);

    [Fact]
    public void ReadOnlySpan_of_double_elements_get_their_adjoints()
    {
        double[] x = [0.7, -1.3, 0.4];
        Check("SpanElements", [x], [x[1], x[0], Math.Cos(x[2])]);
    }

    [Fact]
    public void Array_of_double_elements_get_their_adjoints()
    {
        double[] x = [0.7, -1.3, 0.4];
        Check("ArrayElements", [x], [x[1], x[0], Math.Cos(x[2])]);
    }

    [Fact]
    public void ReadOnlySpan_of_float_elements_get_their_adjoints()
    {
        float[] x = [0.7f, -1.3f, 0.4f];
        Check("FloatSpanElements", [x], [x[1], x[0], Math.Cos(x[2])]);
    }

    [Fact]
    public void Array_of_float_elements_get_their_adjoints()
    {
        float[] x = [0.7f, -1.3f, 0.4f];
        Check("FloatArrayElements", [x], [x[1], x[0], Math.Cos(x[2])]);
    }

    [Fact]
    public void Span_of_int_indices_is_passive()
    {
        // Σ over the indices of w[index]²: each occurrence adds 2 w[index].
        double[] w = [0.5, -1.25, 2.0];
        int[] index = [2, 0, 2];
        Check("Gather", [w, index], [2 * 0.5, 0.0, 2 * 2 * 2.0]);
        Assert.Equal("Double GatherGradient(ReadOnlySpan<Double> w, ReadOnlySpan<Int32> index, Span<Double> dW)", Signature("GatherGradient"));
    }

    [Fact]
    public void Adjoints_of_a_longer_span_than_the_elements_read_are_zero()
    {
        double[] x = [0.7, -1.3, 0.4, 2.5, -3.0];
        Check("SpanElements", [x], [x[1], x[0], Math.Cos(x[2]), 0, 0]);
    }

    [Theory]
    [InlineData(new[] { 0.5, -1.0, 2.0, 0.25, 1.5 })]
    [InlineData(new[] { 3.0 })]
    [InlineData(new double[0])]
    public void Computed_indices_i_and_i_plus_one(double[] x)
    {
        // s = Σ (x[i+1] − x[i])²: ∂s/∂x[j] = 2(x[j] − x[j−1]) − 2(x[j+1] − x[j]), each term where it exists.
        double[] expected = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            if (j >= 1)
            {
                expected[j] += 2 * (x[j] - x[j - 1]);
            }
            if (j + 1 < x.Length)
            {
                expected[j] -= 2 * (x[j + 1] - x[j]);
            }
        }
        Check("SquaredSteps", [x], expected);
    }

    [Fact]
    public void Computed_index_n_minus_one_minus_i()
    {
        double[] x = [0.5, -1.0, 2.0, 0.25];
        double[] w = [1.5, -0.5, 0.75, 2.0];
        int n = x.Length;
        double[] dX = Enumerable.Range(0, n).Select(j => w[n - 1 - j]).ToArray();
        double[] dW = Enumerable.Range(0, n).Select(i => x[n - 1 - i]).ToArray();
        Check("ReversedDot", [x, w], dX, dW);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Computed_indices_from_an_int_parameter(int k)
    {
        double[] x = [0.5, -1.0, 2.0, 0.25, -0.75];
        int r = x.Length - 1 - k;
        double[] expected = new double[x.Length];
        expected[k + 1] += x[r];
        expected[k] -= x[r];
        expected[r] += x[k + 1] - x[k];
        Check("IndexFromParameter", [x, k], expected);
    }

    [Fact]
    public void Span_and_scalar_parameters_mixed()
    {
        double[] w = [0.3, -0.6, 0.9];
        double b = 0.1, target = 0.25;
        double[] input = [1.5, 0.5, -0.4];
        double z = b + w.Zip(input, (a, c) => a * c).Sum();
        double t = Math.Tanh(z);
        double e = t - target;
        double dZ = 2 * e * (1 - t * t);
        Check("Neuron", [w, b, input, target],
            input.Select(v => dZ * v).ToArray(),
            [dZ],
            w.Select(v => dZ * v).ToArray(),
            [-2 * e]);
    }

    [Fact]
    public void Float_array_and_float_scalar_mixed()
    {
        float[] x = [0.75f, -1.25f];
        float s = 1.5f;
        Check("MixedF", [x, s], [s, (double)s * s], [x[0] + 2.0 * x[1] * s]);
    }

    [Fact]
    public void Loss_has_a_span_adjoint_and_an_out_scalar_adjoint_after_the_parameters()
    {
        double[] w = [0.4, -0.2];
        double b = 0.3;
        double r = 0.5 * w[0] + 1.5 * w[1] + b - 1;
        Check("Loss", [w, b], [r, 3 * r], [2 * r]);
    }

    [Theory]
    [InlineData("LossGradient", "Double LossGradient(ReadOnlySpan<Double> w, Double b, Span<Double> dW, out Double dB)")]
    [InlineData("LossDerivative", "Double LossDerivative(ReadOnlySpan<Double> w, Double b, ReadOnlySpan<Double> dW, Double dB, out Double derivative)")]
    [InlineData("ArrayElementsGradient", "Double ArrayElementsGradient(Double[] x, Span<Double> dX)")]
    [InlineData("ArrayElementsDerivative", "Double ArrayElementsDerivative(Double[] x, ReadOnlySpan<Double> dX, out Double derivative)")]
    [InlineData("FloatSpanElementsGradient", "Single FloatSpanElementsGradient(ReadOnlySpan<Single> x, Span<Single> dX)")]
    [InlineData("NeuronGradient", "Double NeuronGradient(ReadOnlySpan<Double> w, Double b, ReadOnlySpan<Double> input, Double target, Span<Double> dW, out Double dB, Span<Double> dInput, out Double dTarget)")]
    [InlineData("OnlyWeightsGradient", "Double OnlyWeightsGradient(ReadOnlySpan<Double> w, ReadOnlySpan<Double> x, Double b, Span<Double> dW)")]
    [InlineData("OnlyWeightsDerivative", "Double OnlyWeightsDerivative(ReadOnlySpan<Double> w, ReadOnlySpan<Double> x, Double b, ReadOnlySpan<Double> dW, out Double derivative)")]
    [InlineData("OnlyBiasGradient", "Double OnlyBiasGradient(ReadOnlySpan<Double> x, Double b, out Double dB)")]
    [InlineData("IntAndBoolArePassiveGradient", "Double IntAndBoolArePassiveGradient(ReadOnlySpan<Double> x, Int32 k, Boolean square, Span<Double> dX)")]
    public void Generated_methods_have_the_documented_signature(string method, string expected) =>
        Assert.Equal(expected, Signature(method));

    [Fact]
    public void Restricted_to_a_span_leaves_the_other_span_and_the_scalar_passive()
    {
        double[] w = [0.4, -0.2];
        double[] x = [1.5, 2.5];
        double b = -0.5;
        Check("OnlyWeights", [w, x, b], [x[0], x[1] * b]);
    }

    [Fact]
    public void Restricted_to_a_scalar_leaves_the_span_passive()
    {
        double[] x = [1.5, 2.5];
        double b = -0.5;
        Check("OnlyBias", [x, b], [2 * x[0] * b]);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void Int_and_bool_parameters_are_passive(int k, bool square)
    {
        double[] x = [0.5, -1.5, 2.0];
        double[] expected = new double[x.Length];
        expected[k] = square ? 2 * x[k] : 3;
        Check("IntAndBoolArePassive", [x, k, square], expected);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(1e300)]
    [InlineData(-7.0)]
    public void Gradient_overwrites_prefilled_adjoint_buffers(double garbage)
    {
        object[] args = [new[] { 0.3, -0.6, 0.9 }, 0.1, new[] { 1.5, 0.5, -0.4 }, 0.25];
        (double freshValue, double[][] fresh) = ArrayInvoke.Gradient(Code, TypeName, "Neuron", args);

        Array[] buffers = ArrayInvoke.AdjointBuffers(ArrayInvoke.Method(Code, TypeName, "Neuron"), args);
        foreach (double[] buffer in buffers.Cast<double[]>())
        {
            Array.Fill(buffer, garbage);
        }
        double value = ArrayInvoke.GradientInto(Code, TypeName, "Neuron", args, buffers);

        Assert.Equal(freshValue, value);
        for (int j = 0; j < fresh.Length; j++)
        {
            Assert.Equal(fresh[j], (double[])buffers[j]);
        }
    }

    [Fact]
    public void Gradient_of_an_array_parameter_overwrites_its_prefilled_buffer()
    {
        double[] x = [0.7, -1.3, 0.4, 5.0];
        var dX = new double[] { 9, 9, 9, 9 };
        ArrayInvoke.GradientInto(Code, TypeName, "ArrayElements", [x], [dX]);
        Assert.Equal(new[] { x[1], x[0], Math.Cos(x[2]), 0.0 }, dX);
    }

    [Theory]
    [InlineData(0, 2)]  // dW too short
    [InlineData(0, 4)]  // dW too long
    [InlineData(0, 0)]  // dW empty
    [InlineData(2, 1)]  // dInput too short: dW, which comes first and is right, must still be untouched
    [InlineData(2, 5)]  // dInput too long
    public void Adjoint_buffer_of_the_wrong_length_throws_before_writing_anything(int wrongParameter, int wrongLength)
    {
        object[] args = [new[] { 0.3, -0.6, 0.9 }, 0.1, new[] { 1.5, 0.5, -0.4 }, 0.25];
        const double sentinel = 12345.0;
        Array[] buffers =
        [
            Filled(wrongParameter == 0 ? wrongLength : 3, sentinel), // dW
            Filled(1, sentinel),                                     // dB
            Filled(wrongParameter == 2 ? wrongLength : 3, sentinel), // dInput
            Filled(1, sentinel),                                     // dTarget
        ];
        string expectedName = wrongParameter == 0 ? "dW" : "dInput";

        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => ArrayInvoke.GradientInto(Code, TypeName, "Neuron", args, buffers));

        Assert.Equal(expectedName, e.ParamName);
        Assert.All(new[] { (double[])buffers[0], (double[])buffers[2] }, b => Assert.All(b, v => Assert.Equal(sentinel, v)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Adjoint_buffer_of_an_array_parameter_of_the_wrong_length_throws(int length)
    {
        double[] dX = Filled(length, 3.0);
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(
            () => ArrayInvoke.GradientInto(Code, TypeName, "ArrayElements", [new[] { 0.7, -1.3, 0.4 }], [dX]));
        Assert.Equal("dX", e.ParamName);
        Assert.All(dX, v => Assert.Equal(3.0, v));
    }

    [Fact]
    public void Adjoint_buffer_of_a_float_span_of_the_wrong_length_throws()
    {
        var dX = new float[2];
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(
            () => ArrayInvoke.GradientInto(Code, TypeName, "FloatSpanElements", [new[] { 0.7f, -1.3f, 0.4f }], [dX]));
        Assert.Equal("dX", e.ParamName);
    }

    [Fact]
    public void Forward_mode_of_a_restricted_method_takes_tangents_for_the_differentiated_parameters_only()
    {
        double[] w = [0.4, -0.2];
        double[] x = [1.5, 2.5];
        double b = -0.5;
        double[] dW = [0.25, -1.0];
        (double value, double derivative) = ArrayInvoke.Derivative(Code, TypeName, "OnlyWeights", [w, x, b], [dW]);
        Assert.Equal(w[0] * x[0] + w[1] * x[1] * b, value, 14);
        Assert.Equal(x[0] * dW[0] + x[1] * b * dW[1], derivative, 12);
    }

    [Fact]
    public void Forward_mode_along_a_unit_direction_is_one_partial_derivative()
    {
        double[] w = [0.3, -0.6, 0.9];
        double[] input = [1.5, 0.5, -0.4];
        object[] args = [w, 0.1, input, 0.25];
        (_, double[][] gradient) = ArrayInvoke.Gradient(Code, TypeName, "Neuron", args);
        for (int i = 0; i < input.Length; i++)
        {
            double[] unit = new double[input.Length];
            unit[i] = 1;
            (_, double derivative) = ArrayInvoke.Derivative(Code, TypeName, "Neuron", args, [new double[w.Length], 0.0, unit, 0.0]);
            Assert.Equal(gradient[2][i], derivative, 12);
        }
    }

    private static double[] Filled(int length, double value)
    {
        var buffer = new double[length];
        Array.Fill(buffer, value);
        return buffer;
    }
}
