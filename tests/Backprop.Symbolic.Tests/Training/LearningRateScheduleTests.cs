using System;
using Backprop.Symbolic.Training.Schedules;
using Xunit;

namespace Backprop.Symbolic.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void Constant_is_the_same_at_every_step()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Constant(0.1);
        Assert.Equal(0.1f, schedule.LearningRate(0));
        Assert.Equal(0.1f, schedule.LearningRate(1_000_000));
    }

    [Fact]
    public void Step_decay_multiplies_by_gamma_every_period()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Step(0.1, every: 3, gamma: 0.5);
        // Steps 0-2: 0.1; 3-5: 0.05; 6-8: 0.025; 9: 0.0125.
        Assert.Equal(0.1f, schedule.LearningRate(0));
        Assert.Equal(0.1f, schedule.LearningRate(2));
        Assert.Equal(0.05f, schedule.LearningRate(3));
        Assert.Equal(0.05f, schedule.LearningRate(5));
        Assert.Equal(0.025f, schedule.LearningRate(6));
        Assert.Equal(0.0125f, schedule.LearningRate(9));
    }

    [Fact]
    public void Exponential_decay_multiplies_by_gamma_every_step()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Exponential(2.0, gamma: 0.9);
        Assert.Equal(2.0f, schedule.LearningRate(0));
        Assert.Equal(1.8f, schedule.LearningRate(1));
        Assert.Equal(1.62f, schedule.LearningRate(2), 6);
        Assert.Equal(1.458f, schedule.LearningRate(3), 6);
    }

    [Fact]
    public void Cosine_goes_from_the_rate_to_the_minimum_along_half_a_cosine()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Cosine(1.0, totalSteps: 4, minimum: 0.2);
        // min + (1 − min)·(1 + cos(π·s/4))/2 with 1 − min = 0.8:
        // s = 0: 1; s = 1: 0.2 + 0.4·(1 + 0.70710678) = 0.88284271; s = 2: 0.6; s = 3: 0.2 + 0.4·0.29289322 = 0.31715729; s ≥ 4: 0.2.
        Assert.Equal(1.0f, schedule.LearningRate(0));
        Assert.Equal(0.88284271f, schedule.LearningRate(1), 6);
        Assert.Equal(0.6f, schedule.LearningRate(2), 6);
        Assert.Equal(0.31715729f, schedule.LearningRate(3), 6);
        Assert.Equal(0.2f, schedule.LearningRate(4));
        Assert.Equal(0.2f, schedule.LearningRate(100));
    }

    [Fact]
    public void Warmup_rises_linearly_then_hands_over_from_step_zero_of_the_next_schedule()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Warmup(4, LearningRateSchedule.Step(0.8, every: 2, gamma: 0.5));
        // Warm-up: 0.8·(s + 1)/4 = 0.2, 0.4, 0.6, 0.8; then Step from its own step 0: 0.8, 0.8, 0.4, 0.4, 0.2.
        Assert.Equal(0.2f, schedule.LearningRate(0));
        Assert.Equal(0.4f, schedule.LearningRate(1));
        Assert.Equal(0.6f, schedule.LearningRate(2), 6);
        Assert.Equal(0.8f, schedule.LearningRate(3));
        Assert.Equal(0.8f, schedule.LearningRate(4));
        Assert.Equal(0.8f, schedule.LearningRate(5));
        Assert.Equal(0.4f, schedule.LearningRate(6));
        Assert.Equal(0.2f, schedule.LearningRate(8));
    }

    [Fact]
    public void Warmup_of_zero_steps_is_the_next_schedule()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Warmup(0, LearningRateSchedule.Exponential(1, 0.5));
        Assert.Equal(1f, schedule.LearningRate(0));
        Assert.Equal(0.5f, schedule.LearningRate(1));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(0.1, every: 0, gamma: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Exponential(0.1, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(0.1, totalSteps: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(0.1, totalSteps: 10, minimum: 0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Warmup(-1, LearningRateSchedule.Constant(1)));
        Assert.Throws<ArgumentNullException>(() => LearningRateSchedule.Warmup(1, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant(1).LearningRate(-1));
    }
}
