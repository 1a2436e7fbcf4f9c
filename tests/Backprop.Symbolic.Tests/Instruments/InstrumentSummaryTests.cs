using System;
using System.Globalization;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Xunit;

namespace Backprop.Symbolic.Tests.Instruments;

/// <summary>
/// The epoch summary: the mean over the epoch's steps of each matrix's ‖∂L/∂W‖ / ‖W‖, each reported layer's mean
/// saturated fraction and adjoint norm, and for a state reported at every time step its adjoint norm at the first and
/// last step. The figures are worked out here from the values fed in.
/// </summary>
public sealed class InstrumentSummaryTests
{
    private static string Format(double value) => value.ToString("0.0e+00", CultureInfo.InvariantCulture);

    [Fact]
    public void The_summary_holds_the_epoch_means_and_the_first_and_last_step()
    {
        var set = new ParameterSet();
        Parameter w = set.Add("W", 2, 2);
        set.Add("b", 2); // a vector: not shown
        set.Build();
        w.Value.Span.Fill(1f);                 // ‖W‖ = 2
        var summary = new InstrumentSummary(set, activations: true, maxSteps: 3);

        w.Gradient.Span.Fill(0.5f);            // ‖g‖ = 1, ratio 0.5
        summary.Sink!.Activation("h", ActivationKind.Tanh, Tensor.FromArray(new[] { 0.99f, 0.1f, -0.98f, 0.2f }, 2, 2), InstrumentSteps.None); // half saturated
        summary.Sink.Adjoint("h", Tensor.FromArray(new[] { 3f, 4f, 0f, 0f }, 2, 2), InstrumentSteps.None);                                    // norm 5
        for (int t = 0; t < 3; t++)
        {
            summary.Sink.Activation("state", ActivationKind.None, Tensor.FromArray(new[] { 1f, 2f }, 1, 2), t);
            summary.Sink.Adjoint("state", Tensor.FromArray(new[] { (float)(t + 1), 0f }, 1, 2), t); // norms 1, 2, 3
        }
        summary.Measure();
        w.Gradient.Span.Fill(0.25f);           // ratio 0.25
        summary.Measure();

        string text = summary.EndEpoch();
        Assert.Equal($"‖g‖/‖W‖ W {Format(0.375)}  h sat 0.50 ‖∂L/∂h‖ {Format(5)}  state ‖∂L/∂state‖ t1 {Format(1)} … t3 {Format(3)}", text);
    }

    [Fact]
    public void Without_activations_only_the_ratios_are_shown()
    {
        var set = new ParameterSet();
        Parameter w = set.Add("W", 1, 3);
        set.Build();
        w.Value.Span.Fill(2f);
        w.Gradient.Span.Fill(1f);
        var summary = new InstrumentSummary(set, activations: false);
        Assert.Null(summary.Sink);
        summary.Measure();
        Assert.Equal($"‖g‖/‖W‖ W {Format(0.5)}", summary.EndEpoch());
    }
}
