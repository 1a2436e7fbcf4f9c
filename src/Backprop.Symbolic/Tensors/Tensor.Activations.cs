using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Backprop.Symbolic.Tensors;

public readonly partial struct Tensor
{
    /// <summary>tanh of every element, in a new tensor.</summary>
    public static Tensor Tanh(Tensor x) => Map(x, nameof(Tanh), static (s, d) => TensorPrimitives.Tanh(s, d));

    /// <summary>The logistic sigmoid 1 / (1 + e^−x) of every element, in a new tensor.</summary>
    public static Tensor Sigmoid(Tensor x) => Map(x, nameof(Sigmoid), static (s, d) => TensorPrimitives.Sigmoid(s, d));

    /// <summary>max(x, 0) of every element, in a new tensor.</summary>
    public static Tensor Relu(Tensor x) => Map(x, nameof(Relu), static (s, d) => TensorPrimitives.Max(s, 0f, d));

    /// <summary>x for positive elements and <paramref name="slope"/> · x otherwise, in a new tensor.</summary>
    public static Tensor LeakyRelu(Tensor x, float slope)
    {
        Tensor result = Zeros(RequireMemory(x, nameof(LeakyRelu)));
        ReadOnlySpan<float> source = x.Span;
        Span<float> target = result.Span;
        TensorPrimitives.Multiply(source, slope, target);
        // For slope ≤ 1, slope·x ≤ x exactly when x ≥ 0, so the larger of the two is the leaky value; for slope > 1, the smaller.
        if (slope <= 1f)
        {
            TensorPrimitives.Max(source, target, target);
        }
        else
        {
            TensorPrimitives.Min(source, target, target);
        }
        return result;
    }

    /// <summary>
    /// softplus(x) = log(1 + eˣ) of every element, in a new tensor; computed as max(x, 0) + log(1 + e^−|x|) so it
    /// neither overflows for large x nor loses the small values for very negative x.
    /// </summary>
    public static Tensor Softplus(Tensor x)
    {
        Tensor result = Zeros(RequireMemory(x, nameof(Softplus)));
        ReadOnlySpan<float> source = x.Span;
        Span<float> target = result.Span;
        for (int i = 0; i < source.Length; i++)
        {
            double v = source[i];
            target[i] = (float)(Math.Max(v, 0) + LogOnePlus(Math.Exp(-Math.Abs(v))));
        }
        return result;
    }

    /// <summary>eˣ of every element, in a new tensor.</summary>
    public static Tensor Exp(Tensor x) => Map(x, nameof(Exp), static (s, d) => TensorPrimitives.Exp(s, d));

    /// <summary>The natural logarithm of every element, in a new tensor (NaN for negative elements, −∞ for 0).</summary>
    public static Tensor Log(Tensor x) => Map(x, nameof(Log), static (s, d) => TensorPrimitives.Log(s, d));

    /// <summary>x² of every element, in a new tensor.</summary>
    public static Tensor Square(Tensor x) => Map(x, nameof(Square), static (s, d) => TensorPrimitives.Multiply(s, s, d));

    /// <summary>The square root of every element, in a new tensor (NaN for negative elements).</summary>
    public static Tensor Sqrt(Tensor x) => Map(x, nameof(Sqrt), static (s, d) => TensorPrimitives.Sqrt(s, d));

    private delegate void SpanMap(ReadOnlySpan<float> source, Span<float> destination);

    private static Tensor Map(Tensor x, string operation, SpanMap map)
    {
        Tensor result = Zeros(RequireMemory(x, operation));
        map(x.Span, result.Span);
        return result;
    }

    /// <summary>log(1 + t) for 0 ≤ t ≤ 1, accurate also when 1 + t rounds to 1 (Kahan's correction).</summary>
    private static double LogOnePlus(double t)
    {
        double u = 1 + t;
        return u == 1 ? t : Math.Log(u) * t / (u - 1);
    }
}
