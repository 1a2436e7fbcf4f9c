using System;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Tests.Infrastructure;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;
using Xunit;

namespace Backprop.Symbolic.Tests.Instruments;

public sealed class GradientMonitorTests
{
    private static ParameterSet Set()
    {
        var set = new ParameterSet();
        set.Add("W1", Initializer.XavierNormal(1), 13, 7);
        set.Add("b1", 7);                                   // zero: its ratio has no value norm to divide by
        set.Add("W2", Initializer.Normal(0.5, 2, 2), 7, 3);
        set.Build();
        var random = new Random(5);
        Span<float> g = set.Gradients;
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = (float)((random.NextDouble() - 0.5) * 1e-3);
        }
        return set;
    }

    [Fact]
    public void Norms_and_ratios_equal_the_element_by_element_figures()
    {
        ParameterSet set = Set();
        var monitor = new GradientMonitor(set);
        monitor.Measure();
        double total = 0;
        for (int i = 0; i < set.Count; i++)
        {
            double g = Naive.Norm(set[i].Gradient.Span);
            double v = Naive.Norm(set[i].Value.Span);
            Assert.Equal(g, monitor.GradientNorms[i], 1e-6 * g);
            Assert.Equal(v, monitor.ValueNorms[i], 1e-6 * Math.Max(v, 1e-30));
            if (v == 0)
            {
                Assert.Equal(double.PositiveInfinity, monitor.Ratios[i]);
            }
            else
            {
                Assert.Equal(g / v, monitor.Ratios[i], 1e-5 * (g / v));
            }
            total += g * g;
        }
        Assert.Equal(Math.Sqrt(total), monitor.GlobalGradientNorm, 1e-6 * Math.Sqrt(total));
    }

    [Fact]
    public void Measures_another_buffer_of_the_set_and_rejects_a_foreign_one()
    {
        ParameterSet set = Set();
        GradientBuffer worker = set.CreateGradientBuffer();
        worker.Span.Fill(2f);
        var monitor = new GradientMonitor(set);
        monitor.Measure(worker);
        Assert.Equal(2 * Math.Sqrt(7), monitor.GradientNorms[1], 1e-5);
        var e = Assert.Throws<ArgumentException>(() => monitor.Measure(Set().GradientBuffer));
        Assert.Contains("another parameter set", e.Message);
    }

    [Fact]
    public void A_measurement_allocates_nothing()
    {
        ParameterSet set = Set();
        var monitor = new GradientMonitor(set);
        monitor.Measure();
        Assert.Equal(0, Allocations.Fewest(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                monitor.Measure();
            }
        }));
    }
}
