using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Training.Initializers;

/// <summary>
/// Fills parameters with starting values. The random schemes are seeded: each initializer owns a
/// <see cref="SeededRandom"/> started from its seed, and consecutive fills continue that stream. So the same seed
/// with the same sequence of fills reproduces every number, and two tensors filled by one initializer differ.
/// </summary>
/// <remarks>
/// <para>Fan-in and fan-out come from the shape (<see cref="Fans"/>):</para>
/// <list type="bullet">
/// <item>rank 1 <c>[n]</c>: fan-in = fan-out = n;</item>
/// <item>rank 2 <c>[in, out]</c> (a dense layer's weights as used in <c>x·W</c>): fan-in = in, fan-out = out;</item>
/// <item>rank 3 <c>[out, in, k]</c> and rank 4 <c>[out, in, kh, kw]</c> (convolution kernels, PyTorch's layout):
/// fan-in = in·k (in·kh·kw), fan-out = out·k (out·kh·kw).</item>
/// </list>
/// <para>
/// Draws are made in double and rounded to float. The schemes follow Glorot and Bengio (2010) for Xavier
/// (normal σ = gain·√(2 / (fan-in + fan-out)), uniform limit = gain·√(6 / (fan-in + fan-out))) and He et al. (2015)
/// for He (normal σ = √(2 / fan-in), uniform limit = √(6 / fan-in), the ReLU gain), as PyTorch's
/// <c>torch.nn.init</c> does (untruncated normals).
/// </para>
/// </remarks>
public abstract class Initializer
{
    /// <summary>Fills <paramref name="values"/>, the elements of a tensor of shape <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The span's length is not the shape's element count.</exception>
    public void Fill(Span<float> values, TensorShape shape)
    {
        if (shape.Length == 0)
        {
            throw new ArgumentException("The shape is empty; pass the shape of the tensor being filled.", nameof(shape));
        }
        if (values.Length != shape.ElementCount)
        {
            throw new ArgumentException(
                $"A tensor of shape {shape} has {shape.ElementCount} elements but the span has {values.Length}.", nameof(values));
        }
        FillCore(values, shape);
    }

    /// <summary>Fills <paramref name="tensor"/>.</summary>
    public void Fill(Tensor tensor) => Fill(tensor.Span, tensor.Shape);

    /// <summary>Fills the values of <paramref name="parameter"/> (freezing its set).</summary>
    public void Fill(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        Fill(parameter.Value);
    }

    /// <summary>Fills <paramref name="values"/>; the length already matches <paramref name="shape"/>.</summary>
    protected abstract void FillCore(Span<float> values, TensorShape shape);

    /// <summary>Fan-in and fan-out of a tensor of shape <paramref name="shape"/> (the convention is in the remarks of <see cref="Initializer"/>).</summary>
    public static (int FanIn, int FanOut) Fans(TensorShape shape)
    {
        switch (shape.Length)
        {
            case 1:
                return (shape[0], shape[0]);
            case 2:
                return (shape[0], shape[1]);
            case 3:
            case 4:
                int receptive = shape[2] * (shape.Length == 4 ? shape[3] : 1);
                return (shape[1] * receptive, shape[0] * receptive);
            default:
                throw new ArgumentException("The shape is empty; fans need a shape of rank 1 to 4.", nameof(shape));
        }
    }

    /// <summary>Every element N(<paramref name="mean"/>, <paramref name="standardDeviation"/>²): weights drawn A_ij ~ N(μ, σ).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The mean is not finite, or the standard deviation is negative or not finite.</exception>
    public static Initializer Normal(double mean, double standardDeviation, long seed)
    {
        RequireFinite(mean, nameof(mean));
        RequireScale(standardDeviation, nameof(standardDeviation));
        return new RandomInitializer(uniform: false, mean, standardDeviation, FanScaling.None, 1.0, seed);
    }

    /// <summary>Every element uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="high"/> &lt; <paramref name="low"/>.</exception>
    public static Initializer Uniform(double low, double high, long seed)
    {
        RequireFinite(low, nameof(low));
        RequireFinite(high, nameof(high));
        if (high < low)
        {
            throw new ArgumentOutOfRangeException(nameof(high), high, $"The upper bound must not be below the lower bound {low}.");
        }
        return new RandomInitializer(uniform: true, (low + high) / 2, (high - low) / 2, FanScaling.None, 1.0, seed);
    }

    /// <summary>Glorot/Xavier normal: N(0, σ²) with σ = gain·√(2 / (fan-in + fan-out)).</summary>
    public static Initializer XavierNormal(long seed, double gain = 1.0)
    {
        RequireScale(gain, nameof(gain));
        return new RandomInitializer(uniform: false, 0, 0, FanScaling.Xavier, gain, seed);
    }

    /// <summary>Glorot/Xavier uniform: U(−a, a) with a = gain·√(6 / (fan-in + fan-out)).</summary>
    public static Initializer XavierUniform(long seed, double gain = 1.0)
    {
        RequireScale(gain, nameof(gain));
        return new RandomInitializer(uniform: true, 0, 0, FanScaling.Xavier, gain, seed);
    }

    /// <summary>He/Kaiming normal for ReLU layers: N(0, σ²) with σ = √(2 / fan-in).</summary>
    public static Initializer HeNormal(long seed) => new RandomInitializer(uniform: false, 0, 0, FanScaling.He, 1.0, seed);

    /// <summary>He/Kaiming uniform for ReLU layers: U(−a, a) with a = √(6 / fan-in).</summary>
    public static Initializer HeUniform(long seed) => new RandomInitializer(uniform: true, 0, 0, FanScaling.He, 1.0, seed);

    /// <summary>Every element 0 (biases, usually).</summary>
    public static Initializer Zeros { get; } = new ConstantInitializer(0f);

    /// <summary>Every element <paramref name="value"/>.</summary>
    public static Initializer Constant(float value) => new ConstantInitializer(value);

    private static void RequireFinite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "The value must be a finite number.");
        }
    }

    private static void RequireScale(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "The value must be a finite number, zero or more.");
        }
    }
}
