using System;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Layers;

/// <summary>
/// Normalization layers. Their derivatives are written by hand (<see cref="CustomGradientAttribute"/>): a
/// [Differentiable] method that calls one uses its pullback in reverse mode and its tangent in forward mode, exactly as
/// it uses a generated layer's, and computes its value into the per-thread workspace, so a steady-state call allocates
/// nothing. Called outside [Differentiable] code, a layer runs eagerly and allocates its result.
/// </summary>
public static class Normalization
{
    /// <summary>The ε added to each row's variance before the square root.</summary>
    public const float Epsilon = 1e-5f;

    /// <summary>
    /// Layer normalization over the last axis: each row of <paramref name="x"/> (its last dimension n) becomes
    /// x̂ = (x − μ) / √(σ² + ε), with μ and σ² the row's mean and (biased) variance and ε = <see cref="Epsilon"/>, then
    /// y = x̂ ⊙ gain + bias, for <paramref name="gain"/> and <paramref name="bias"/> of shape [n].
    /// </summary>
    /// <returns>A new tensor of <paramref name="x"/>'s shape.</returns>
    /// <exception cref="ArgumentException">gain or bias is not a vector of x's last dimension.</exception>
    [CustomGradient(nameof(LayerNormPullback), Tangent = nameof(LayerNormDerivative), Value = nameof(LayerNormValue))]
    public static Tensor LayerNorm(Tensor x, Tensor gain, Tensor bias)
    {
        CheckParameters(x, gain, bias);
        Tensor y = Tensor.Zeros(x.Shape);
        Normalize(x, gain, bias, y);
        return y;
    }

    /// <summary>
    /// <see cref="LayerNorm"/> into the per-thread workspace (<see cref="Tape.RentTensorUninitialized"/>: every element is
    /// written), valid until the caller
    /// releases its tape mark: what generated code calls.
    /// </summary>
    /// <exception cref="ArgumentException">gain or bias is not a vector of x's last dimension.</exception>
    public static Tensor LayerNormValue(Tensor x, Tensor gain, Tensor bias)
    {
        CheckParameters(x, gain, bias);
        Tensor y = Tape.Current.RentTensorUninitialized(x.Shape);
        Normalize(x, gain, bias, y);
        return y;
    }

    /// <summary>
    /// The vector-Jacobian product of <see cref="LayerNorm"/>: adds (+=) to each adjoint given the adjoint of the result
    /// times the derivative of the result with respect to that parameter; a <c>default</c> adjoint is not needed and
    /// is skipped. Per row, with ĝ = dResult ⊙ gain: dX += (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) / √(σ² + ε),
    /// dGain += dResult ⊙ x̂ and dBias += dResult, summed over the rows.
    /// </summary>
    /// <exception cref="ArgumentException">A shape differs from the one it must have; the exception names the argument.</exception>
    public static void LayerNormPullback(Tensor x, Tensor gain, Tensor bias, Tensor dResult, Tensor dX, Tensor dGain, Tensor dBias)
    {
        CheckParameters(x, gain, bias);
        CheckShape(dResult, x.Shape, nameof(dResult), allowDefault: false);
        CheckShape(dX, x.Shape, nameof(dX), allowDefault: true);
        CheckShape(dGain, gain.Shape, nameof(dGain), allowDefault: true);
        CheckShape(dBias, gain.Shape, nameof(dBias), allowDefault: true);
        int n = gain.Length;
        ReadOnlySpan<float> xs = x.Span, g = gain.Span, dy = dResult.Span;
        Span<float> dXs = dX.IsDefault ? default : dX.Span;
        Span<float> dG = dGain.IsDefault ? default : dGain.Span;
        Span<float> dB = dBias.IsDefault ? default : dBias.Span;
        for (int start = 0; start < xs.Length; start += n)
        {
            ReadOnlySpan<float> row = xs.Slice(start, n), dRow = dy.Slice(start, n);
            (float mean, float inverse) = Moments(row);
            float sum = 0, sumNormalized = 0;
            for (int j = 0; j < n; j++)
            {
                float normalized = (row[j] - mean) * inverse;
                float scaled = dRow[j] * g[j];
                sum += scaled;
                sumNormalized += scaled * normalized;
                if (!dGain.IsDefault)
                {
                    dG[j] += dRow[j] * normalized;
                }
                if (!dBias.IsDefault)
                {
                    dB[j] += dRow[j];
                }
            }
            if (dX.IsDefault)
            {
                continue;
            }
            float meanScaled = sum / n, meanProduct = sumNormalized / n;
            Span<float> dXRow = dXs.Slice(start, n);
            for (int j = 0; j < n; j++)
            {
                float normalized = (row[j] - mean) * inverse;
                dXRow[j] += inverse * (dRow[j] * g[j] - meanScaled - normalized * meanProduct);
            }
        }
    }

    /// <summary>
    /// <see cref="LayerNorm"/> and its Jacobian-vector product (forward mode) along the direction (dX, dGain, dBias);
    /// a <c>default</c> tangent is the zero direction. Per row: dx̂ = (dX − mean(dX) − x̂ · mean(x̂ ⊙ dX)) / √(σ² + ε) and
    /// derivative = dx̂ ⊙ gain + x̂ ⊙ dGain + dBias. The value and the derivative are in the per-thread workspace, like
    /// <see cref="LayerNormValue"/>'s.
    /// </summary>
    /// <exception cref="ArgumentException">A shape differs from the one it must have; the exception names the argument.</exception>
    public static Tensor LayerNormDerivative(Tensor x, Tensor gain, Tensor bias, Tensor dX, Tensor dGain, Tensor dBias, out Tensor derivative)
    {
        CheckParameters(x, gain, bias);
        CheckShape(dX, x.Shape, nameof(dX), allowDefault: true);
        CheckShape(dGain, gain.Shape, nameof(dGain), allowDefault: true);
        CheckShape(dBias, gain.Shape, nameof(dBias), allowDefault: true);
        Tape tape = Tape.Current;
        Tensor y = tape.RentTensorUninitialized(x.Shape); // Normalize writes every element
        derivative = tape.RentTensor(x.Shape);             // the terms below add into it
        Normalize(x, gain, bias, y);
        int n = gain.Length;
        ReadOnlySpan<float> xs = x.Span, g = gain.Span;
        Span<float> tangent = derivative.Span;
        for (int start = 0; start < xs.Length; start += n)
        {
            ReadOnlySpan<float> row = xs.Slice(start, n);
            Span<float> tRow = tangent.Slice(start, n);
            (float mean, float inverse) = Moments(row);
            if (!dX.IsDefault)
            {
                ReadOnlySpan<float> dRow = dX.Span.Slice(start, n);
                float sum = 0, sumNormalized = 0;
                for (int j = 0; j < n; j++)
                {
                    sum += dRow[j];
                    sumNormalized += dRow[j] * (row[j] - mean) * inverse;
                }
                float meanTangent = sum / n, meanProduct = sumNormalized / n;
                for (int j = 0; j < n; j++)
                {
                    float normalized = (row[j] - mean) * inverse;
                    tRow[j] = inverse * (dRow[j] - meanTangent - normalized * meanProduct) * g[j];
                }
            }
            if (!dGain.IsDefault)
            {
                ReadOnlySpan<float> dG = dGain.Span;
                for (int j = 0; j < n; j++)
                {
                    tRow[j] += (row[j] - mean) * inverse * dG[j];
                }
            }
            if (!dBias.IsDefault)
            {
                ReadOnlySpan<float> dB = dBias.Span;
                for (int j = 0; j < n; j++)
                {
                    tRow[j] += dB[j];
                }
            }
        }
        return y;
    }

    /// <summary>y = x̂ ⊙ gain + bias, row by row.</summary>
    private static void Normalize(Tensor x, Tensor gain, Tensor bias, Tensor y)
    {
        int n = gain.Length;
        ReadOnlySpan<float> xs = x.Span, g = gain.Span, b = bias.Span;
        Span<float> ys = y.Span;
        for (int start = 0; start < xs.Length; start += n)
        {
            ReadOnlySpan<float> row = xs.Slice(start, n);
            (float mean, float inverse) = Moments(row);
            Span<float> yRow = ys.Slice(start, n);
            for (int j = 0; j < n; j++)
            {
                yRow[j] = (row[j] - mean) * inverse * g[j] + b[j];
            }
        }
    }

    /// <summary>The row's mean and 1/√(variance + ε), the variance taken around the mean (two passes, no cancellation).</summary>
    private static (float Mean, float Inverse) Moments(ReadOnlySpan<float> row)
    {
        float mean = System.Numerics.Tensors.TensorPrimitives.Sum(row) / row.Length;
        float squares = 0;
        for (int j = 0; j < row.Length; j++)
        {
            float centered = row[j] - mean;
            squares += centered * centered;
        }
        return (mean, 1f / MathF.Sqrt(squares / row.Length + Epsilon));
    }

    private static void CheckParameters(Tensor x, Tensor gain, Tensor bias)
    {
        if (x.IsDefault)
        {
            throw new ArgumentException("LayerNorm needs a tensor x; it is default.", nameof(x));
        }
        int n = x.Shape.Last;
        if (gain.IsDefault || gain.Rank != 1 || gain.Length != n)
        {
            throw new ArgumentException("LayerNorm's gain must have the shape [" + n + "] (the last dimension of x, " + x.Shape + "), but has "
                + (gain.IsDefault ? "none" : gain.Shape.ToString()) + ".", nameof(gain));
        }
        if (bias.IsDefault || bias.Rank != 1 || bias.Length != n)
        {
            throw new ArgumentException("LayerNorm's bias must have the shape [" + n + "] (the last dimension of x, " + x.Shape + "), but has "
                + (bias.IsDefault ? "none" : bias.Shape.ToString()) + ".", nameof(bias));
        }
    }

    private static void CheckShape(Tensor t, TensorShape shape, string name, bool allowDefault)
    {
        if (t.IsDefault ? !allowDefault : t.Shape != shape)
        {
            throw new ArgumentException("The tensor '" + name + "' must have the shape " + shape + ", but has "
                + (t.IsDefault ? "none" : t.Shape.ToString()) + ".", name);
        }
    }
}
