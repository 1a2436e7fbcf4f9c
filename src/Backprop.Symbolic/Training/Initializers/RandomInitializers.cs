using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Training.Initializers;

/// <summary>How a random initializer scales its spread with the tensor's fans.</summary>
internal enum FanScaling
{
    /// <summary>The spread given by the user.</summary>
    None,

    /// <summary>Glorot and Bengio (2010): variance gain² · 2 / (fan-in + fan-out).</summary>
    Xavier,

    /// <summary>He et al. (2015): variance 2 / fan-in.</summary>
    He,
}

/// <summary>
/// Normal or uniform draws around a center. The spread is the standard deviation of a normal draw and the half-width
/// of a uniform one; under fan scaling it is the scheme's standard deviation σ, and a uniform draw then spans
/// (−√3·σ, √3·σ), which has that variance (Xavier's √(6 / (fan-in + fan-out)), He's √(6 / fan-in)).
/// </summary>
internal sealed class RandomInitializer(bool uniform, double center, double spread, FanScaling scaling, double gain, long seed) : Initializer
{
    private readonly SeededRandom _random = new(seed);

    protected override void FillCore(Span<float> values, TensorShape shape)
    {
        double width = scaling == FanScaling.None ? spread : ScaledDeviation(shape) * (uniform ? Math.Sqrt(3) : 1);
        for (int i = 0; i < values.Length; i++)
        {
            double draw = uniform ? (2 * _random.NextDouble()) - 1 : _random.NextNormal();
            values[i] = (float)(center + (width * draw));
        }
    }

    private double ScaledDeviation(TensorShape shape)
    {
        (int fanIn, int fanOut) = Fans(shape);
        return scaling == FanScaling.Xavier ? gain * Math.Sqrt(2.0 / (fanIn + fanOut)) : Math.Sqrt(2.0 / fanIn);
    }
}

/// <summary>Every element one value.</summary>
internal sealed class ConstantInitializer(float value) : Initializer
{
    protected override void FillCore(Span<float> values, TensorShape shape) => values.Fill(value);
}
