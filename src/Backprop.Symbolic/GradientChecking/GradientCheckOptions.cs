using System;

namespace Backprop.Symbolic.GradientChecking;

/// <summary>
/// How <see cref="GradientCheck.Check(Backprop.Symbolic.Training.ParameterSet, Func{double}, Action, GradientCheckOptions?)"/>
/// differentiates numerically and what it accepts.
/// </summary>
/// <remarks>
/// <para>
/// Parameters are float32, so each element is stepped by <c>h = RelativeStep · max(1, |x|)</c> and the perturbed
/// value rounded to float; the difference quotient divides by the step that was actually taken,
/// <c>(f(x₊) − f(x₋)) / (x₊ − x₋)</c>, so the rounding of the step costs nothing.
/// </para>
/// <para>
/// The error of an element is <c>|analytic − numeric| / max(|analytic|, |numeric|, Floor)</c>: relative for gradients
/// larger than <see cref="Floor"/>, absolute (scaled by 1/Floor) below it, where a difference quotient is mostly noise.
/// </para>
/// <para>
/// Defaults: the step is ∛(2⁻²³) ≈ 4.9e-3, which balances the O(h²) truncation error against the rounding of a loss
/// computed in float (about 6e-8·|loss| / h); the floor and the tolerance are 1e-2. A loss evaluated in double (the
/// <c>Func&lt;double&gt;</c> widens float parameters exactly) leaves only the truncation error, so
/// <c>RelativeStep = 1e-3, Tolerance = 1e-5</c> make a sharper check. A wrong gradient (a missing factor, a wrong
/// index, a sign) typically shows errors of 0.1 to 2.
/// </para>
/// </remarks>
public sealed record GradientCheckOptions
{
    /// <summary>∛(2⁻²³): the cube root of float's machine epsilon.</summary>
    public const double DefaultRelativeStep = 4.921566601151848e-3;

    private readonly double _relativeStep = DefaultRelativeStep;
    private readonly double _tolerance = 1e-2;
    private readonly double _floor = 1e-2;
    private readonly int _maxElementsPerTensor = int.MaxValue;

    /// <summary>The step relative to <c>max(1, |x|)</c>.</summary>
    public double RelativeStep
    {
        get => _relativeStep;
        init => _relativeStep = Positive(value, nameof(RelativeStep));
    }

    /// <summary>The largest error an element may have for the check to pass.</summary>
    public double Tolerance
    {
        get => _tolerance;
        init => _tolerance = Positive(value, nameof(Tolerance));
    }

    /// <summary>Below this magnitude errors are measured absolutely (see the remarks).</summary>
    public double Floor
    {
        get => _floor;
        init => _floor = Positive(value, nameof(Floor));
    }

    /// <summary>
    /// At most this many elements of each tensor are checked, evenly spaced and always including the first and the last
    /// (each costs two evaluations of the loss). All of them by default.
    /// </summary>
    public int MaxElementsPerTensor
    {
        get => _maxElementsPerTensor;
        init => _maxElementsPerTensor = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxElementsPerTensor), value, "At least one element per tensor must be checked.");
    }

    private static double Positive(double value, string name) =>
        double.IsFinite(value) && value > 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
}
