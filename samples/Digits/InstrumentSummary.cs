using System.Globalization;
using System.Text;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Training;

namespace Digits;

/// <summary>
/// The compact summary <c>--instruments</c> adds to each epoch's line: per weight matrix the mean over the epoch's steps
/// of ‖∂L/∂W‖ / ‖W‖ (a <see cref="GradientMonitor"/>), and per hidden layer the mean saturated fraction of its tanh units
/// and the mean norm of its adjoint (an <see cref="ActivationRecorder"/> the instrumented gradient reports to).
/// </summary>
public sealed class InstrumentSummary
{
    private readonly GradientMonitor _monitor;
    private readonly ActivationRecorder? _recorder;
    private readonly double[] _ratioSums;
    private int _steps;

    /// <param name="activations">False with data parallelism: the workers' gradients have no sink, so only the ratios are shown.</param>
    public InstrumentSummary(ParameterSet parameters, bool activations)
    {
        _monitor = new GradientMonitor(parameters);
        _recorder = activations ? new ActivationRecorder(capacity: 8) : null;
        _ratioSums = new double[parameters.Count];
    }

    /// <summary>The sink to pass to the instrumented gradient (null with data parallelism).</summary>
    public IInstrumentSink? Sink => _recorder;

    /// <summary>Measures the gradients of the step just computed (before the optimizer uses them).</summary>
    public void Measure()
    {
        _monitor.Measure();
        for (int i = 0; i < _ratioSums.Length; i++)
        {
            _ratioSums[i] += _monitor.Ratios[i];
        }
        _steps++;
    }

    /// <summary>The epoch's summary, e.g. <c>‖g‖/‖W‖ W1 1.2e-03 W2 …  h1 sat 0.03 ‖∂L/∂h1‖ 2.1e-02 …</c>; starts the next epoch's means.</summary>
    public string EndEpoch()
    {
        var text = new StringBuilder("‖g‖/‖W‖");
        for (int i = 0; i < _ratioSums.Length; i++)
        {
            Parameter p = _monitor.Parameters[i];
            if (p.Shape.Length == 2)
            {
                text.Append(' ').Append(p.Name).Append(' ').Append((_ratioSums[i] / _steps).ToString("0.0e+00", CultureInfo.InvariantCulture));
            }
            _ratioSums[i] = 0;
        }
        _steps = 0;
        if (_recorder is not null)
        {
            foreach (RecordedLocal local in _recorder.Locals)
            {
                text.Append("  ").Append(local.Name).Append(" sat ").Append(local.MeanSaturatedFraction.ToString("0.00", CultureInfo.InvariantCulture))
                    .Append(" ‖∂L/∂").Append(local.Name).Append("‖ ").Append(local.MeanAdjointNorm.ToString("0.0e+00", CultureInfo.InvariantCulture));
            }
            _recorder.ResetMeans();
        }
        return text.ToString();
    }
}
