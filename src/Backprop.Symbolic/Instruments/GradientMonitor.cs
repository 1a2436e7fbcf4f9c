using System;
using Backprop.Symbolic.Training;

namespace Backprop.Symbolic.Instruments;

/// <summary>
/// Per-parameter gradient norms ‖∂L/∂p‖, value norms ‖p‖ and their ratio ‖∂L/∂p‖ / ‖p‖ (the relative size of a plain
/// gradient step) for a <see cref="ParameterSet"/>. The buffers are sized once, in the constructor, so
/// <see cref="Measure(GradientBuffer)"/> allocates nothing: cheap enough to call every step.
/// </summary>
/// <example>
/// <code>
/// var monitor = new GradientMonitor(model.Parameters);
/// model.LossGradient(x, labels);
/// monitor.Measure();                       // the set's own gradients
/// Console.WriteLine($"{monitor.Parameters[0].Name}: {monitor.Ratios[0]:E2}");
/// </code>
/// </example>
public sealed class GradientMonitor
{
    private readonly double[] _gradientNorms;
    private readonly double[] _valueNorms;
    private readonly double[] _ratios;

    /// <summary>A monitor of every parameter of <paramref name="parameters"/> (freezes the set).</summary>
    public GradientMonitor(ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Build();
        Parameters = parameters;
        _gradientNorms = new double[parameters.Count];
        _valueNorms = new double[parameters.Count];
        _ratios = new double[parameters.Count];
    }

    /// <summary>The monitored set; index i of every span below is its parameter i.</summary>
    public ParameterSet Parameters { get; }

    /// <summary>‖∂L/∂p‖ (Euclidean) per parameter, from the last <see cref="Measure(GradientBuffer)"/>.</summary>
    public ReadOnlySpan<double> GradientNorms => _gradientNorms;

    /// <summary>‖p‖ per parameter, from the last <see cref="Measure(GradientBuffer)"/>.</summary>
    public ReadOnlySpan<double> ValueNorms => _valueNorms;

    /// <summary>‖∂L/∂p‖ / ‖p‖ per parameter (infinity for a zero parameter with a non-zero gradient, 0 when both are zero).</summary>
    public ReadOnlySpan<double> Ratios => _ratios;

    /// <summary>The norm of all gradients together (what global-norm clipping compares).</summary>
    public double GlobalGradientNorm { get; private set; }

    /// <summary>Measures the set's own gradients (<see cref="ParameterSet.GradientBuffer"/>).</summary>
    public void Measure() => Measure(Parameters.GradientBuffer);

    /// <summary>Measures the gradients in <paramref name="gradients"/>, a buffer with the set's layout.</summary>
    /// <exception cref="ArgumentException">The buffer belongs to another parameter set.</exception>
    public void Measure(GradientBuffer gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (!ReferenceEquals(gradients.Parameters, Parameters))
        {
            throw new ArgumentException("The gradient buffer has the layout of another parameter set than the monitor's.", nameof(gradients));
        }
        ReadOnlySpan<float> values = Parameters.Values;
        ReadOnlySpan<float> all = gradients.Span;
        double total = 0;
        for (int i = 0; i < _ratios.Length; i++)
        {
            Parameter p = Parameters[i];
            double g = GradientClipping.GlobalNorm(all.Slice(p.Offset, p.Length));
            double v = GradientClipping.GlobalNorm(values.Slice(p.Offset, p.Length));
            _gradientNorms[i] = g;
            _valueNorms[i] = v;
            _ratios[i] = g == 0 ? 0 : g / v;
            total += g * g;
        }
        GlobalGradientNorm = Math.Sqrt(total);
    }
}
