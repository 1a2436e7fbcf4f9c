using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;

namespace Backprop.Symbolic.Instruments;

/// <summary>
/// An <see cref="IInstrumentSink"/> that keeps, per reported local, the statistics of its last activation, the norm of
/// its last adjoint, their means since <see cref="ResetMeans"/>, and per time step of a recurrent loop the adjoint's norm
/// and the activation's variance. Fixed buffers: a local is given its slot (and its per-step arrays) the first time its
/// name is reported; after that a report allocates nothing.
/// </summary>
/// <example>
/// <code>
/// var recorder = new ActivationRecorder();
/// Network.LossGradient(x, y, w1, w2, dW1, dW2, recorder);   // from [Differentiable(Instrumented = true)]
/// foreach (RecordedLocal local in recorder.Locals)
///     Console.WriteLine($"{local.Name}: saturated {local.Last.SaturatedFraction:P0}, ‖∂L/∂{local.Name}‖ {local.LastAdjointNorm:E2}");
/// </code>
/// </example>
public sealed class ActivationRecorder : IInstrumentSink
{
    private readonly RecordedLocal[] _locals;
    private readonly int _maxSteps;
    private int _count;

    /// <summary>A recorder of up to <paramref name="capacity"/> locals and, per local, up to <paramref name="maxSteps"/> time steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is below 1 or <paramref name="maxSteps"/> below 0.</exception>
    public ActivationRecorder(int capacity = 32, int maxSteps = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSteps);
        _locals = new RecordedLocal[capacity];
        _maxSteps = maxSteps;
    }

    /// <summary>When false, reports return at once and change nothing (true at first).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The locals reported so far, in the order they were first reported.</summary>
    public ReadOnlySpan<RecordedLocal> Locals => _locals.AsSpan(0, _count);

    /// <summary>The local reported under <paramref name="name"/>, or null.</summary>
    public RecordedLocal? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int index = IndexOf(name);
        return index < 0 ? null : _locals[index];
    }

    /// <summary>Restarts the means (e.g. at the start of an epoch); the last values and per-step arrays stay.</summary>
    public void ResetMeans()
    {
        for (int i = 0; i < _count; i++)
        {
            _locals[i].ResetMeans();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is at or past the recorder's <c>maxSteps</c>.</exception>
    /// <exception cref="InvalidOperationException">A new name arrives when every slot is taken.</exception>
    public void Activation(string name, ActivationKind kind, Tensor value, int step)
    {
        if (!Enabled)
        {
            return;
        }
        RecordedLocal local = Slot(name, step);
        local.AddActivation(kind, ActivationStatistics.Compute(value.Span, kind), step);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is at or past the recorder's <c>maxSteps</c>.</exception>
    /// <exception cref="InvalidOperationException">A new name arrives when every slot is taken.</exception>
    public void Adjoint(string name, Tensor adjoint, int step)
    {
        if (!Enabled)
        {
            return;
        }
        RecordedLocal local = Slot(name, step);
        local.AddAdjoint(GradientClipping.GlobalNorm(adjoint.Span), step);
    }

    private RecordedLocal Slot(string name, int step)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (step != InstrumentSteps.None && (step < 0 || step >= _maxSteps))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step,
                $"'{name}' was reported at time step {step}, but the recorder keeps steps 0 to {_maxSteps - 1}; create it with maxSteps above the longest sequence.");
        }
        int index = IndexOf(name);
        if (index >= 0)
        {
            return _locals[index];
        }
        if (_count == _locals.Length)
        {
            throw new InvalidOperationException(
                $"The recorder holds {_locals.Length} locals and '{name}' would be one more; create it with a larger capacity.");
        }
        var local = new RecordedLocal(name, _maxSteps);
        _locals[_count++] = local;
        return local;
    }

    private int IndexOf(string name)
    {
        for (int i = 0; i < _count; i++)
        {
            if (ReferenceEquals(_locals[i].Name, name))
            {
                return i;
            }
        }
        for (int i = 0; i < _count; i++)
        {
            if (string.Equals(_locals[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }
}

/// <summary>What an <see cref="ActivationRecorder"/> keeps of one reported local.</summary>
public sealed class RecordedLocal
{
    private readonly double[] _stepAdjointNorms;
    private readonly double[] _stepVariances;
    private double _saturatedSum, _varianceSum, _adjointNormSum;

    internal RecordedLocal(string name, int maxSteps)
    {
        Name = name;
        _stepAdjointNorms = new double[maxSteps];
        _stepVariances = new double[maxSteps];
    }

    /// <summary>The source's name of the local.</summary>
    public string Name { get; }

    /// <summary>The activation that produced it, as last reported.</summary>
    public ActivationKind Kind { get; private set; }

    /// <summary>The statistics of the last activation reported.</summary>
    public ActivationStatistics Last { get; private set; }

    /// <summary>The Euclidean norm of the last adjoint reported.</summary>
    public double LastAdjointNorm { get; private set; }

    /// <summary>Activations reported since the means were reset.</summary>
    public int ActivationReports { get; private set; }

    /// <summary>Adjoints reported since the means were reset.</summary>
    public int AdjointReports { get; private set; }

    /// <summary>The mean saturated fraction over the activations reported since the means were reset (0 if none).</summary>
    public double MeanSaturatedFraction => ActivationReports == 0 ? 0 : _saturatedSum / ActivationReports;

    /// <summary>The mean variance over the activations reported since the means were reset (0 if none).</summary>
    public double MeanVariance => ActivationReports == 0 ? 0 : _varianceSum / ActivationReports;

    /// <summary>The mean adjoint norm over the adjoints reported since the means were reset (0 if none).</summary>
    public double MeanAdjointNorm => AdjointReports == 0 ? 0 : _adjointNormSum / AdjointReports;

    /// <summary>One past the highest time step reported (0 when every report was outside a loop).</summary>
    public int Steps { get; private set; }

    /// <summary>The adjoint's norm at each time step 0 … <see cref="Steps"/> − 1, as last reported.</summary>
    public ReadOnlySpan<double> StepAdjointNorms => _stepAdjointNorms.AsSpan(0, Steps);

    /// <summary>The activation's variance at each time step 0 … <see cref="Steps"/> − 1, as last reported.</summary>
    public ReadOnlySpan<double> StepVariances => _stepVariances.AsSpan(0, Steps);

    internal void AddActivation(ActivationKind kind, ActivationStatistics statistics, int step)
    {
        Kind = kind;
        Last = statistics;
        ActivationReports++;
        _saturatedSum += statistics.SaturatedFraction;
        _varianceSum += statistics.Variance;
        if (step >= 0)
        {
            _stepVariances[step] = statistics.Variance;
            Steps = Math.Max(Steps, step + 1);
        }
    }

    internal void AddAdjoint(double norm, int step)
    {
        LastAdjointNorm = norm;
        AdjointReports++;
        _adjointNormSum += norm;
        if (step >= 0)
        {
            _stepAdjointNorms[step] = norm;
            Steps = Math.Max(Steps, step + 1);
        }
    }

    internal void ResetMeans()
    {
        ActivationReports = AdjointReports = 0;
        _saturatedSum = _varianceSum = _adjointNormSum = 0;
    }

    /// <summary>The name, the kind and the last figures.</summary>
    public override string ToString() =>
        $"{Name} ({Kind}): mean {Last.Mean:G4}, variance {Last.Variance:G4}, saturated {Last.SaturatedFraction:P1}, adjoint norm {LastAdjointNorm:G4}";
}
