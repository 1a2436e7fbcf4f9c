using System;
using System.Globalization;
using System.Text;
using Backprop.Symbolic.Training;

namespace Backprop.Symbolic.Instruments;

/// <summary>
/// A compact instrument summary for each epoch's progress line (such as the note of an epoch in Backprop.Symbolic.Reporting): per weight matrix the
/// mean over the epoch's steps of ‖∂L/∂W‖ / ‖W‖ (a <see cref="GradientMonitor"/>); per reported layer the mean saturated
/// fraction of its units and the mean norm of its adjoint (an <see cref="ActivationRecorder"/> an instrumented gradient
/// reports to); and for a state reported at every time step of a loop, its adjoint's norm at the first and the last step,
/// which shows how much of the gradient reaches back through time.
/// </summary>
/// <example>
/// <code>
/// var instruments = new InstrumentSummary(parameters, activations: true);
/// foreach (Minibatch batch in batches.NextEpoch())
/// {
///     Network.LossGradient(…, instruments.Sink);   // the overload [Differentiable(Instrumented = true)] adds
///     instruments.Measure();
///     optimizer.Step(parameters);
/// }
/// progress.Report(new EpochMetrics(…) { Note = instruments.EndEpoch() });
/// </code>
/// </example>
public sealed class InstrumentSummary
{
    private readonly GradientMonitor _monitor;
    private readonly ActivationRecorder? _recorder;
    private readonly double[] _ratioSums;
    private int _steps;

    /// <param name="parameters">The parameters whose gradient-norm ratios are shown (the matrices among them).</param>
    /// <param name="activations">False when no gradient reports to <see cref="Sink"/> (with data parallelism, say): only the ratios are shown.</param>
    /// <param name="maxSteps">The most time steps a reported loop runs (0 without loops).</param>
    public InstrumentSummary(ParameterSet parameters, bool activations, int maxSteps = 0)
    {
        _monitor = new GradientMonitor(parameters);
        _recorder = activations ? new ActivationRecorder(capacity: 8, maxSteps: maxSteps) : null;
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
                text.Append("  ").Append(local.Name);
                if (local.Kind != ActivationKind.None)
                {
                    text.Append(" sat ").Append(local.MeanSaturatedFraction.ToString("0.00", CultureInfo.InvariantCulture));
                }
                text.Append(" ‖∂L/∂").Append(local.Name).Append("‖ ");
                if (local.Steps > 1)
                {
                    // The last step's figures: how much of the gradient reaches the first step.
                    ReadOnlySpan<double> norms = local.StepAdjointNorms;
                    text.Append("t1 ").Append(norms[0].ToString("0.0e+00", CultureInfo.InvariantCulture))
                        .Append(" … t").Append(local.Steps.ToString(CultureInfo.InvariantCulture)).Append(' ')
                        .Append(norms[^1].ToString("0.0e+00", CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append(local.MeanAdjointNorm.ToString("0.0e+00", CultureInfo.InvariantCulture));
                }
            }
            _recorder.ResetMeans();
        }
        return text.ToString();
    }
}
