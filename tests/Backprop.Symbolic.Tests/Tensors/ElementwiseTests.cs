using System;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>The element-wise operators (every broadcasting case) and activations against double references.</summary>
public sealed class ElementwiseTests
{
    public static TheoryData<char> Operators => new() { '+', '-', '*', '/' };

    private static double Op(char op, double x, double y) => op switch
    {
        '+' => x + y,
        '-' => x - y,
        '*' => x * y,
        _ => x / y,
    };

    private static Tensor Apply(char op, Tensor x, Tensor y) => op switch
    {
        '+' => x + y,
        '-' => x - y,
        '*' => x * y,
        _ => x / y,
    };

    // Divisors stay away from 0 so the quotient's relative error is that of one float operation.
    private static Tensor Operand(int seed, params int[] shape)
    {
        Tensor t = Reference.RandomTensor(seed, shape);
        Span<float> values = t.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = values[i] >= 0 ? values[i] + 0.5f : values[i] - 0.5f;
        }
        return t;
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void Equal_shapes_combine_element_by_element(char op)
    {
        Tensor x = Operand(1, 3, 5);
        Tensor y = Operand(2, 3, 5);
        Tensor z = Apply(op, x, y);
        Assert.Equal(x.Shape, z.Shape);
        var expected = new double[15];
        for (int i = 0; i < 15; i++)
        {
            expected[i] = Op(op, x.Span[i], y.Span[i]);
        }
        Reference.AssertClose(expected, z.Span, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void A_row_vector_on_the_right_broadcasts_over_every_row(char op)
    {
        foreach (int[] shape in new[] { new[] { 4, 7 }, new[] { 2, 3, 7 }, new[] { 1, 7 }, new[] { 2, 1, 2, 7 } })
        {
            Tensor x = Operand(3, shape);
            Tensor row = Operand(4, 7);
            Tensor z = Apply(op, x, row);
            Assert.Equal(x.Shape, z.Shape);
            var expected = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                expected[i] = Op(op, x.Span[i], row.Span[i % 7]);
            }
            Reference.AssertClose(expected, z.Span, 1e-6, $"{x.Shape} {op} [7]");
        }
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void A_row_vector_on_the_left_broadcasts_over_every_row(char op)
    {
        foreach (int[] shape in new[] { new[] { 4, 7 }, new[] { 2, 3, 7 } })
        {
            Tensor row = Operand(5, 7);
            Tensor x = Operand(6, shape);
            Tensor z = Apply(op, row, x);
            Assert.Equal(x.Shape, z.Shape);
            var expected = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                expected[i] = Op(op, row.Span[i % 7], x.Span[i]);
            }
            Reference.AssertClose(expected, z.Span, 1e-6, $"[7] {op} {x.Shape}");
        }
    }

    [Fact]
    public void Scalars_combine_on_either_side()
    {
        Tensor x = Operand(7, 2, 3);
        const float s = 1.75f;
        (Tensor Result, Func<double, double> Expected)[] cases =
        {
            (x + s, v => v + s), (s + x, v => s + v),
            (x - s, v => v - s), (s - x, v => s - v),
            (x * s, v => v * s), (s * x, v => s * v),
            (x / s, v => v / s), (s / x, v => s / v),
        };
        foreach ((Tensor result, Func<double, double> expected) in cases)
        {
            Assert.Equal(x.Shape, result.Shape);
            var reference = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                reference[i] = expected(x.Span[i]);
            }
            Reference.AssertClose(reference, result.Span, 1e-6);
        }
    }

    [Fact]
    public void Operators_leave_their_operands_unchanged()
    {
        Tensor x = Operand(8, 2, 3);
        Tensor row = Operand(9, 3);
        float[] before = x.ToArray();
        float[] rowBefore = row.ToArray();
        _ = x + row;
        _ = row * x;
        _ = 2f - x;
        Assert.Equal(before, x.ToArray());
        Assert.Equal(rowBefore, row.ToArray());
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 3, 2 })]
    [InlineData(new[] { 2, 3 }, new[] { 2 })]
    [InlineData(new[] { 4 }, new[] { 5 })]
    [InlineData(new[] { 2, 3 }, new[] { 2, 3, 1 })]
    public void Mismatched_shapes_name_the_operator_and_both_shapes(int[] left, int[] right)
    {
        Tensor x = Tensor.Zeros(left);
        Tensor y = Tensor.Zeros(right);
        var error = Assert.Throws<ArgumentException>(() => x * y);
        Assert.Contains("operator *", error.Message);
        Assert.Contains(x.Shape.ToString(), error.Message);
        Assert.Contains(y.Shape.ToString(), error.Message);
    }

    [Fact]
    public void A_default_tensor_operand_is_reported()
    {
        var error = Assert.Throws<ArgumentException>(() => default(Tensor) + Tensor.Zeros(2));
        Assert.Contains("default(Tensor)", error.Message);
    }

    public static TheoryData<string> Activations => new() { "Tanh", "Sigmoid", "Relu", "LeakyRelu", "LeakyReluSteep", "Softplus", "Exp", "Log", "Square", "Sqrt" };

    private static (Tensor Result, Func<double, double> Expected) Activate(string name, Tensor x) => name switch
    {
        "Tanh" => (Tensor.Tanh(x), Math.Tanh),
        "Sigmoid" => (Tensor.Sigmoid(x), v => 1 / (1 + Math.Exp(-v))),
        "Relu" => (Tensor.Relu(x), v => v > 0 ? v : 0),
        "LeakyRelu" => (Tensor.LeakyRelu(x, 0.1f), v => v > 0 ? v : 0.1f * v),
        "LeakyReluSteep" => (Tensor.LeakyRelu(x, 3f), v => v > 0 ? v : 3 * v),
        "Softplus" => (Tensor.Softplus(x), v => Math.Log(1 + Math.Exp(v))),
        "Exp" => (Tensor.Exp(x), Math.Exp),
        "Log" => (Tensor.Log(x), Math.Log),
        "Square" => (Tensor.Square(x), v => v * v),
        "Sqrt" => (Tensor.Sqrt(x), Math.Sqrt),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Activations))]
    public void Activations_match_a_double_reference(string name)
    {
        bool positive = name is "Log" or "Sqrt";
        float[] values = Reference.Random(203, 11, positive ? 0.01f : -6f, 6f);
        values[0] = positive ? 1f : 0f;
        Tensor x = Tensor.FromArray(values, 7, 29);
        (Tensor result, Func<double, double> expected) = Activate(name, x);
        Assert.Equal(x.Shape, result.Shape);
        var reference = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            reference[i] = expected(x.Span[i]);
        }
        // A few float ulps: the vectorized transcendental functions are accurate to a few units in the last place.
        Reference.AssertClose(reference, result.Span, 4e-6, name);
    }

    [Fact]
    public void Softplus_keeps_tiny_values_and_does_not_overflow()
    {
        Tensor y = Tensor.Softplus(Tensor.FromArray(new float[] { -40f, -20f, 100f }));
        Assert.Equal(Math.Exp(-40), y[0], Math.Exp(-40) * 1e-6);
        Assert.Equal(Math.Exp(-20), y[1], Math.Exp(-20) * 1e-6); // log(1 + e^-20) = e^-20 − e^-40/2 + …
        Assert.Equal(100f, y[2]);
    }
}
