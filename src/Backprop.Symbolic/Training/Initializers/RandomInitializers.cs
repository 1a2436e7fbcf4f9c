using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Training.Initializers;

/// <summary>How a random initializer scales its spread with the tensor's fans.</summary>
internal enum FanScaling
{
    /// <summary>The spread given by the user.</summary>
    None,

    /// <summary>Glorot and Bengio (2010): variance 2 / (fan-in + fan-out).</summary>
    Xavier,

    /// <summary>He et al. (2015): variance 2 / fan-in.</summary>
    He,
}

/// <summary>Normal draws: N(mean, σ²), σ fixed or from the fans.</summary>
internal sealed class NormalInitializer(double mean, double standardDeviation, FanScaling scaling, double gain, long seed) : Initializer
{
    private readonly SeededRandom _random = new(seed);

    protected override void FillCore(Span<float> values, TensorShape shape)
    {
        (int fanIn, int fanOut) = Fans(shape);
        double sigma = scaling switch
        {
            FanScaling.Xavier => gain * Math.Sqrt(2.0 / (fanIn + fanOut)),
            FanScaling.He => Math.Sqrt(2.0 / fanIn),
            _ => standardDeviation,
        };
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(mean + (sigma * _random.NextNormal()));
        }
    }
}

/// <summary>Uniform draws: U(low, high), or U(−a, a) with a from the fans.</summary>
internal sealed class UniformInitializer(double low, double high, FanScaling scaling, double gain, long seed) : Initializer
{
    private readonly SeededRandom _random = new(seed);

    protected override void FillCore(Span<float> values, TensorShape shape)
    {
        (int fanIn, int fanOut) = Fans(shape);
        double limit = scaling switch
        {
            FanScaling.Xavier => gain * Math.Sqrt(6.0 / (fanIn + fanOut)),
            FanScaling.He => Math.Sqrt(6.0 / fanIn),
            _ => 0,
        };
        double lo = scaling == FanScaling.None ? low : -limit;
        double width = scaling == FanScaling.None ? high - low : 2 * limit;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(lo + (width * _random.NextDouble()));
        }
    }
}

/// <summary>Every element one value.</summary>
internal sealed class ConstantInitializer(float value) : Initializer
{
    protected override void FillCore(Span<float> values, TensorShape shape) => values.Fill(value);
}
