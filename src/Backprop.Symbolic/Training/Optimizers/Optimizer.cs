using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Training.Schedules;

namespace Backprop.Symbolic.Training.Optimizers;

/// <summary>
/// A gradient-descent algorithm over one flat buffer of values and its gradient buffer (a
/// <see cref="ParameterSet"/>, or any pair of spans). Updates are vectorized and, after the first step (which
/// allocates the optimizer's state, e.g. Adam's moments), allocate nothing.
/// </summary>
/// <remarks>
/// An optimizer's state is laid out like the values it first steps, so use one optimizer per parameter set.
/// <see cref="StepCount"/> counts the steps taken; Adam's bias correction uses it. If <see cref="Schedule"/> is set,
/// <see cref="LearningRate"/> is set from it before each step, from the step number <see cref="StepCount"/> (0 for
/// the first step).
/// </remarks>
public abstract class Optimizer
{
    private float _learningRate;
    private int _stateLength = -1;
    private float[][] _state = [];

    /// <summary>An optimizer with the given learning rate.</summary>
    protected Optimizer(float learningRate)
    {
        LearningRate = learningRate;
    }

    /// <summary>The learning rate the next step uses (overwritten before each step when a <see cref="Schedule"/> is set).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = float.IsFinite(value) && value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be a finite number, zero or more.");
    }

    /// <summary>If set, gives <see cref="LearningRate"/> for each step from the step number.</summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>How many steps have been taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>Updates every parameter of <paramref name="parameters"/> from its gradient (and freezes the set).</summary>
    public void Step(ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Step(parameters.Values, parameters.Gradients);
    }

    /// <summary>Updates <paramref name="values"/> from <paramref name="gradients"/> (same length).</summary>
    /// <exception cref="ArgumentException">The lengths differ, or differ from the length this optimizer's state was made for.</exception>
    public void Step(Span<float> values, ReadOnlySpan<float> gradients)
    {
        if (values.Length != gradients.Length)
        {
            throw new ArgumentException(
                $"{GetType().Name}.Step: {values.Length} values but {gradients.Length} gradients; pass buffers of the same layout.", nameof(gradients));
        }
        if (_stateLength < 0)
        {
            _state = new float[StateBufferCount][];
            for (int i = 0; i < _state.Length; i++)
            {
                _state[i] = new float[values.Length];
            }
            _stateLength = values.Length;
        }
        else if (_stateLength != values.Length)
        {
            throw new ArgumentException(
                $"{GetType().Name}.Step: this optimizer's state was made for {_stateLength} values on its first step, but {values.Length} were passed; use one optimizer per parameter set.", nameof(values));
        }
        if (Schedule is not null)
        {
            LearningRate = Schedule.LearningRate(StepCount);
        }
        StepCount++;
        Update(values, gradients, StepCount);
    }

    /// <summary>Forgets the state and the step count, as if no step had been taken (the learning rate is kept).</summary>
    public void Reset()
    {
        StepCount = 0;
        foreach (float[] buffer in _state)
        {
            SpanKernels.Zero(buffer);
        }
    }

    /// <summary>
    /// How many buffers of per-value state the algorithm keeps (momentum's velocity: 1; Adam's moments: 2). They are
    /// allocated on the first step, as long as the values, zeroed, and read with <see cref="State"/>.
    /// </summary>
    protected virtual int StateBufferCount => 0;

    /// <summary>State buffer <paramref name="index"/> (see <see cref="StateBufferCount"/>), one float per value.</summary>
    protected Span<float> State(int index) => _state[index];

    /// <summary>One update; <paramref name="step"/> is 1 for the first step. The lengths already agree.</summary>
    protected abstract void Update(Span<float> values, ReadOnlySpan<float> gradients, long step);

    /// <summary>Throws unless <paramref name="value"/> is finite and in [<paramref name="low"/>, <paramref name="high"/>] (or [low, high) if <paramref name="highExclusive"/>).</summary>
    private protected static float Require(float value, float low, float high, string name, bool highExclusive = false)
    {
        bool ok = float.IsFinite(value) && value >= low && (highExclusive ? value < high : value <= high);
        if (ok)
        {
            return value;
        }
        string range = high == float.MaxValue
            ? $"a finite number, {low} or more"
            : $"a number in [{low}, {high}{(highExclusive ? ")" : "]")}";
        throw new ArgumentOutOfRangeException(name, value, $"{name} must be {range}.");
    }
}
