using System;

namespace Backprop.Symbolic.Training.Schedules;

/// <summary>
/// A learning rate as a function of the step number (0 for the first step). Give one to
/// <see cref="Optimizers.Optimizer.Schedule"/> and the optimizer sets its learning rate from it before every step;
/// or read <see cref="LearningRate"/> in your own loop.
/// </summary>
/// <remarks>Rates are computed in double and returned as float. Evaluating a schedule does not allocate.</remarks>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for step <paramref name="step"/> (0-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public float LearningRate(long step)
    {
        if (step < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "Steps are counted from 0.");
        }
        return (float)Rate(step);
    }

    /// <summary>The learning rate for step <paramref name="step"/> ≥ 0, in double.</summary>
    protected internal abstract double Rate(long step);

    /// <summary>The same rate at every step.</summary>
    public static LearningRateSchedule Constant(double learningRate) =>
        new ConstantSchedule(RequireRate(learningRate, nameof(learningRate)));

    /// <summary>Step decay: <c>learningRate · gamma^⌊step / every⌋</c> (multiplied by <paramref name="gamma"/> every <paramref name="every"/> steps).</summary>
    public static LearningRateSchedule Step(double learningRate, long every, double gamma)
    {
        if (every <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(every), every, "The decay period must be at least one step.");
        }
        return new StepSchedule(RequireRate(learningRate, nameof(learningRate)), every, RequireRate(gamma, nameof(gamma)));
    }

    /// <summary>Exponential decay: <c>learningRate · gamma^step</c>.</summary>
    public static LearningRateSchedule Exponential(double learningRate, double gamma) =>
        new StepSchedule(RequireRate(learningRate, nameof(learningRate)), 1, RequireRate(gamma, nameof(gamma)));

    /// <summary>
    /// Cosine annealing (Loshchilov and Hutter, SGDR, without restarts):
    /// <c>minimum + (learningRate − minimum) · (1 + cos(π · step / totalSteps)) / 2</c> up to
    /// <paramref name="totalSteps"/>, then <paramref name="minimum"/>.
    /// </summary>
    public static LearningRateSchedule Cosine(double learningRate, long totalSteps, double minimum = 0)
    {
        if (totalSteps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "The schedule needs at least one step.");
        }
        RequireRate(minimum, nameof(minimum));
        if (minimum > learningRate)
        {
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"The minimum must not exceed the starting rate {learningRate}.");
        }
        return new CosineSchedule(RequireRate(learningRate, nameof(learningRate)), totalSteps, minimum);
    }

    /// <summary>
    /// Linear warm-up, then <paramref name="then"/>: for step &lt; <paramref name="steps"/> the rate is
    /// <c>then(0) · (step + 1) / steps</c>, so the first step is not taken at rate 0 and step
    /// <c>steps − 1</c> reaches <c>then(0)</c>; from step <paramref name="steps"/> on it is
    /// <c>then(step − steps)</c> (the schedule after warm-up starts from its own step 0).
    /// </summary>
    public static LearningRateSchedule Warmup(long steps, LearningRateSchedule then)
    {
        ArgumentNullException.ThrowIfNull(then);
        if (steps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "The warm-up length must be zero or more steps.");
        }
        return new WarmupSchedule(steps, then);
    }

    private static double RequireRate(double value, string name) =>
        double.IsFinite(value) && value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, "The value must be a finite number, zero or more.");
}

internal sealed class ConstantSchedule(double learningRate) : LearningRateSchedule
{
    protected internal override double Rate(long step) => learningRate;
}

internal sealed class StepSchedule(double learningRate, long every, double gamma) : LearningRateSchedule
{
    protected internal override double Rate(long step) => learningRate * Math.Pow(gamma, step / every);
}

internal sealed class CosineSchedule(double learningRate, long totalSteps, double minimum) : LearningRateSchedule
{
    protected internal override double Rate(long step) =>
        step >= totalSteps
            ? minimum
            : minimum + ((learningRate - minimum) * (1 + Math.Cos(Math.PI * step / totalSteps)) / 2);
}

internal sealed class WarmupSchedule(long steps, LearningRateSchedule then) : LearningRateSchedule
{
    protected internal override double Rate(long step) =>
        step < steps ? then.Rate(0) * (step + 1) / steps : then.Rate(step - steps);
}
