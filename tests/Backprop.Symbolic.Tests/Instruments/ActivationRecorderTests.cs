using System;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Tests.Instruments;

public sealed class ActivationRecorderTests
{
    private static Tensor Random(int seed, Func<double, double> f, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        Naive.Draw(new Random(seed), t.Length, f, scale: 3).CopyTo(t.Span);
        return t;
    }

    [Fact]
    public void Keeps_the_last_figures_per_name_and_their_means()
    {
        var recorder = new ActivationRecorder();
        Tensor h1 = Random(1, Math.Tanh, 16, 10), h2 = Random(2, Math.Tanh, 16, 10), dH = Random(3, x => x, 16, 10);
        recorder.Activation("h", ActivationKind.Tanh, h1, InstrumentSteps.None);
        recorder.Activation("h", ActivationKind.Tanh, h2, InstrumentSteps.None);
        recorder.Adjoint("h", dH, InstrumentSteps.None);
        recorder.Activation("z", ActivationKind.Relu, Random(4, x => Math.Max(x, 0), 5), InstrumentSteps.None);

        Assert.Equal(2, recorder.Locals.Length);
        RecordedLocal h = recorder.Find("h")!;
        Assert.Same(h, recorder.Locals[0]);
        (double mean, double variance, double saturated) = Naive.Statistics(h2.ToArray(), ActivationKind.Tanh);
        Assert.Equal(ActivationKind.Tanh, h.Kind);
        Assert.Equal(mean, h.Last.Mean, 1e-6);
        Assert.Equal(variance, h.Last.Variance, 1e-6);
        Assert.Equal(saturated, h.Last.SaturatedFraction, 1e-6);
        Assert.Equal(Naive.Norm(dH.Span), h.LastAdjointNorm, 1e-5);
        double first = Naive.Statistics(h1.ToArray(), ActivationKind.Tanh).Saturated;
        Assert.Equal((first + saturated) / 2, h.MeanSaturatedFraction, 1e-6);
        Assert.Equal(2, h.ActivationReports);
        Assert.Equal(1, h.AdjointReports);
        Assert.Equal(0, h.Steps);
        Assert.Equal(ActivationKind.Relu, recorder.Find("z")!.Kind);
        Assert.Null(recorder.Find("missing"));

        recorder.ResetMeans();
        Assert.Equal(0, h.ActivationReports);
        Assert.Equal(0, h.MeanSaturatedFraction);
        Assert.Equal(saturated, h.Last.SaturatedFraction, 1e-6);
    }

    [Fact]
    public void Keeps_per_step_adjoint_norms_and_variances_reported_last_step_first()
    {
        var recorder = new ActivationRecorder(capacity: 4, maxSteps: 10);
        var norms = new double[6];
        for (int t = 0; t < 6; t++)
        {
            recorder.Activation("h", ActivationKind.Tanh, Random(10 + t, Math.Tanh, 4, 3), t);
        }
        for (int t = 5; t >= 0; t--)
        {
            Tensor d = Random(20 + t, x => x * Math.Pow(0.5, 5 - t), 4, 3);
            norms[t] = Naive.Norm(d.Span);
            recorder.Adjoint("h", d, t);
        }
        RecordedLocal h = recorder.Find("h")!;
        Assert.Equal(6, h.Steps);
        for (int t = 0; t < 6; t++)
        {
            Assert.Equal(norms[t], h.StepAdjointNorms[t], 1e-6);
            Assert.Equal(Naive.Statistics(Random(10 + t, Math.Tanh, 4, 3).ToArray(), ActivationKind.Tanh).Variance, h.StepVariances[t], 1e-6);
        }
    }

    [Fact]
    public void Too_many_names_or_steps_are_errors_that_say_what_to_raise()
    {
        var recorder = new ActivationRecorder(capacity: 1, maxSteps: 3);
        Tensor t = Tensor.Zeros(2);
        recorder.Activation("a", ActivationKind.None, t, 2);
        var full = Assert.Throws<InvalidOperationException>(() => recorder.Adjoint("b", t, InstrumentSteps.None));
        Assert.Contains("holds 1 locals and 'b'", full.Message);
        var step = Assert.Throws<ArgumentOutOfRangeException>(() => recorder.Activation("a", ActivationKind.None, t, 3));
        Assert.Contains("time step 3", step.Message);
        Assert.Contains("maxSteps", step.Message);
    }

    [Fact]
    public void A_disabled_recorder_records_nothing()
    {
        var recorder = new ActivationRecorder { Enabled = false };
        recorder.Activation("h", ActivationKind.Tanh, Tensor.Zeros(3), InstrumentSteps.None);
        Assert.Equal(0, recorder.Locals.Length);
    }

    [Fact]
    public void Reports_of_known_names_allocate_nothing()
    {
        var recorder = new ActivationRecorder(maxSteps: 8);
        Tensor h = Random(1, Math.Tanh, 32, 64), d = Random(2, x => x, 32, 64);
        recorder.Activation("h", ActivationKind.Tanh, h, 0);
        recorder.Adjoint("h", d, 0);
        Assert.Equal(0, Allocations.Fewest(() =>
        {
            for (int t = 0; t < 8; t++)
            {
                recorder.Activation("h", ActivationKind.Tanh, h, t);
                recorder.Adjoint("h", d, t);
            }
        }));
    }
}
