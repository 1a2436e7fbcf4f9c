using System;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;
using Backprop.Symbolic.Training.Schedules;
using Xunit;

namespace Backprop.Symbolic.Tests.Training;

/// <summary>
/// Each optimizer against its published update rule: first a step or two worked out by hand on one number,
/// then several steps over 11 elements (8 through the vector loop, 3 through the scalar tail) against the rule
/// transcribed in double in the test.
/// </summary>
public sealed class OptimizerTests
{
    private const int Length = 11;
    private const int Steps = 5;

    // ---- steps worked by hand ----

    [Fact]
    public void Sgd_by_hand()
    {
        // θ = 2, g = 0.5, η = 0.1, λ = 0.01: g' = 0.5 + 0.01·2 = 0.52; θ = 2 − 0.1·0.52 = 1.948.
        float[] theta = { 2f };
        new Sgd(0.1f, weightDecay: 0.01f).Step(theta, new[] { 0.5f });
        Assert.Equal(1.948, theta[0], 6);
    }

    [Fact]
    public void Momentum_by_hand()
    {
        // η = 0.1, μ = 0.9, θ = 1. Step 1, g = 0.5: v = 0.5, θ = 1 − 0.05 = 0.95.
        // Step 2, g = 0.25: v = 0.9·0.5 + 0.25 = 0.7, θ = 0.95 − 0.07 = 0.88.
        float[] theta = { 1f };
        var optimizer = new Momentum(0.1f, 0.9f);
        optimizer.Step(theta, new[] { 0.5f });
        Assert.Equal(0.95, theta[0], 6);
        optimizer.Step(theta, new[] { 0.25f });
        Assert.Equal(0.88, theta[0], 6);
    }

    [Fact]
    public void Nesterov_by_hand()
    {
        // η = 0.1, μ = 0.9, θ = 1. Step 1, g = 0.5: v = 0.5, θ = 1 − 0.1·(0.5 + 0.9·0.5) = 0.905.
        // Step 2, g = 0.25: v = 0.45 + 0.25 = 0.7, θ = 0.905 − 0.1·(0.25 + 0.63) = 0.817.
        float[] theta = { 1f };
        var optimizer = new Nesterov(0.1f, 0.9f);
        optimizer.Step(theta, new[] { 0.5f });
        Assert.Equal(0.905, theta[0], 6);
        optimizer.Step(theta, new[] { 0.25f });
        Assert.Equal(0.817, theta[0], 6);
    }

    [Fact]
    public void RmsProp_by_hand()
    {
        // η = 0.01, ρ = 0.9, θ = 1, g = 0.5: s = 0.1·0.25 = 0.025; θ = 1 − 0.01·0.5/√0.025 = 1 − 0.0316227766.
        float[] theta = { 1f };
        new RmsProp(0.01f).Step(theta, new[] { 0.5f });
        Assert.Equal(1 - 0.0316227766, theta[0], 6);
    }

    [Fact]
    public void Adam_by_hand()
    {
        // θ = 1, g = 0.5, defaults. Step 1: m = 0.05, v = 0.00025; m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25;
        // θ = 1 − 0.001·0.5/(0.5 + 1e-8) = 0.999.
        // Step 2, g = −0.5: m = 0.045 − 0.05 = −0.005, v = 0.00024975 + 0.00025 = 0.00049975;
        // m̂ = −0.005/0.19 = −0.0263157895, v̂ = 0.00049975/0.001999 = 0.25; θ = 0.999 + 0.001·0.0263157895/0.5 = 0.9990526316.
        float[] theta = { 1f };
        var adam = new Adam();
        adam.Step(theta, new[] { 0.5f });
        Assert.Equal(0.999, theta[0], 6);
        adam.Step(theta, new[] { -0.5f });
        Assert.Equal(0.9990526316, theta[0], 6);
    }

    [Fact]
    public void AdamW_by_hand()
    {
        // θ = 1, g = 0.5, η = 0.001, λ = 0.01: θ = 1·(1 − 0.001·0.01) − 0.001·0.5/(0.5 + 1e-8) = 0.99999 − 0.001 = 0.99899.
        float[] theta = { 1f };
        new AdamW().Step(theta, new[] { 0.5f });
        Assert.Equal(0.99899, theta[0], 6);
    }

    [Fact]
    public void Adam_with_L2_weight_decay_adds_it_to_the_gradient_before_the_moments()
    {
        // θ = 2, g = 0.3, λ = 0.1: g' = 0.5; the first Adam step moves by η·g'/|g'| = η whatever g' is,
        // so step twice: step 2 with g = 0.3 again, θ₁ = 1.999, g'₂ = 0.3 + 0.1999 = 0.4999;
        // m = 0.9·0.05 + 0.04999 = 0.09499, v = 0.999·0.00025 + 0.001·0.24990001 = 0.00049965001;
        // m̂ = 0.09499/0.19 = 0.4999473684, v̂ = 0.00049965001/0.001999 = 0.2499499800, √v̂ = 0.4999499775;
        // θ₂ = 1.999 − 0.001·0.4999473684/0.4999499775 = 1.999 − 0.00099999478 = 1.99800000522.
        float[] theta = { 2f };
        var adam = new Adam(weightDecay: 0.1f);
        adam.Step(theta, new[] { 0.3f });
        Assert.Equal(1.999, theta[0], 6);
        adam.Step(theta, new[] { 0.3f });
        Assert.Equal(1.99800000522, theta[0], 6);
    }

    // ---- several steps over both code paths, against the rules in double ----

    [Fact]
    public void Sgd_follows_its_rule_over_several_steps() =>
        AssertFollows(new Sgd(0.05f, weightDecay: 0.02f), (theta, g, state, t) =>
        {
            for (int i = 0; i < theta.Length; i++)
            {
                double gi = g[i] + (0.02 * theta[i]);
                theta[i] -= 0.05 * gi;
            }
        });

    [Fact]
    public void Momentum_follows_its_rule_over_several_steps() =>
        AssertFollows(new Momentum(0.05f, 0.8f, weightDecay: 0.01f), (theta, g, state, t) =>
        {
            for (int i = 0; i < theta.Length; i++)
            {
                double gi = g[i] + (0.01 * theta[i]);
                state[0][i] = (0.8 * state[0][i]) + gi;
                theta[i] -= 0.05 * state[0][i];
            }
        });

    [Fact]
    public void Nesterov_follows_its_rule_over_several_steps() =>
        AssertFollows(new Nesterov(0.05f, 0.8f, weightDecay: 0.01f), (theta, g, state, t) =>
        {
            for (int i = 0; i < theta.Length; i++)
            {
                double gi = g[i] + (0.01 * theta[i]);
                state[0][i] = (0.8 * state[0][i]) + gi;
                theta[i] -= 0.05 * (gi + (0.8 * state[0][i]));
            }
        });

    [Fact]
    public void RmsProp_follows_its_rule_over_several_steps() =>
        AssertFollows(new RmsProp(0.01f, rho: 0.9f, epsilon: 1e-8f), (theta, g, state, t) =>
        {
            for (int i = 0; i < theta.Length; i++)
            {
                state[0][i] = (0.9 * state[0][i]) + (0.1 * g[i] * g[i]);
                theta[i] -= 0.01 * g[i] / (Math.Sqrt(state[0][i]) + 1e-8);
            }
        });

    [Fact]
    public void RmsProp_with_weight_decay_follows_its_rule_over_several_steps() =>
        AssertFollows(new RmsProp(0.01f, rho: 0.8f, epsilon: 1e-6f, weightDecay: 0.05f), (theta, g, state, t) =>
        {
            for (int i = 0; i < theta.Length; i++)
            {
                double gi = g[i] + (0.05 * theta[i]);
                state[0][i] = (0.8 * state[0][i]) + (0.2 * gi * gi);
                theta[i] -= 0.01 * gi / (Math.Sqrt(state[0][i]) + 1e-6);
            }
        });

    [Fact]
    public void RmsProp_weight_decay_by_hand()
    {
        // η = 0.01, ρ = 0.9, λ = 0.1, θ = 1, g = 0.5: g' = 0.6; s = 0.1·0.36 = 0.036; θ = 1 − 0.01·0.6/√0.036.
        float[] theta = { 1f };
        new RmsProp(0.01f, weightDecay: 0.1f).Step(theta, new[] { 0.5f });
        Assert.Equal(1 - (0.006 / Math.Sqrt(0.036)), theta[0], 6);
    }

    [Fact]
    public void Adam_follows_its_rule_over_several_steps() =>
        AssertFollows(new Adam(0.01f), (theta, g, state, t) => AdamReference(theta, g, state, t, 0.01, l2: 0, decoupled: 0));

    [Fact]
    public void Adam_with_L2_follows_its_rule_over_several_steps() =>
        AssertFollows(new Adam(0.01f, weightDecay: 0.05f), (theta, g, state, t) => AdamReference(theta, g, state, t, 0.01, l2: 0.05, decoupled: 0));

    [Fact]
    public void AdamW_follows_its_rule_over_several_steps() =>
        AssertFollows(new AdamW(0.01f, weightDecay: 0.1f), (theta, g, state, t) => AdamReference(theta, g, state, t, 0.01, l2: 0, decoupled: 0.1));

    private static void AdamReference(double[] theta, double[] g, double[][] state, int t, double eta, double l2, double decoupled)
    {
        const double B1 = 0.9, B2 = 0.999, Eps = 1e-8;
        for (int i = 0; i < theta.Length; i++)
        {
            double gi = g[i] + (l2 * theta[i]);
            state[0][i] = (B1 * state[0][i]) + ((1 - B1) * gi);
            state[1][i] = (B2 * state[1][i]) + ((1 - B2) * gi * gi);
            double mHat = state[0][i] / (1 - Math.Pow(B1, t));
            double vHat = state[1][i] / (1 - Math.Pow(B2, t));
            theta[i] = (theta[i] * (1 - (eta * decoupled))) - (eta * mHat / (Math.Sqrt(vHat) + Eps));
        }
    }

    private delegate void Rule(double[] theta, double[] gradient, double[][] state, int step);

    private static void AssertFollows(Optimizer optimizer, Rule rule)
    {
        var theta = new float[Length];
        var expected = new double[Length];
        double[][] state = { new double[Length], new double[Length] };
        for (int i = 0; i < Length; i++)
        {
            theta[i] = (float)(0.3 * Math.Sin(i + 1) + (i % 3 == 0 ? 1.5 : -0.7));
            expected[i] = theta[i];
        }
        var gradient = new float[Length];
        var gradientDouble = new double[Length];
        for (int t = 1; t <= Steps; t++)
        {
            for (int i = 0; i < Length; i++)
            {
                gradient[i] = (float)(Math.Cos((3 * i) + t) * (1 + (0.25 * i)));
                gradientDouble[i] = gradient[i];
            }
            optimizer.Step(theta, gradient);
            rule(expected, gradientDouble, state, t);
            for (int i = 0; i < Length; i++)
            {
                Assert.True(Math.Abs(theta[i] - expected[i]) <= 2e-6 * Math.Max(1, Math.Abs(expected[i])),
                    $"step {t}, element {i}: {theta[i]} but the rule gives {expected[i]}");
            }
        }
        Assert.Equal(Steps, optimizer.StepCount);
    }

    // ---- contract ----

    public static TheoryData<string> Names => new() { "Sgd", "Momentum", "Nesterov", "RmsProp", "Adam", "AdamW" };

    private static Optimizer Create(string name) => name switch
    {
        "Sgd" => new Sgd(),
        "Momentum" => new Momentum(),
        "Nesterov" => new Nesterov(),
        "RmsProp" => new RmsProp(),
        "Adam" => new Adam(),
        _ => new AdamW(),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void A_step_allocates_nothing_after_the_first(string name)
    {
        var set = new ParameterSet();
        set.Add("W", 31, 17);
        set.Add("b", 17);
        set.Build();
        for (int i = 0; i < set.ElementCount; i++)
        {
            set.Values[i] = 0.01f * (i % 13);
            set.Gradients[i] = 0.02f * ((i % 7) - 3);
        }
        Optimizer optimizer = Create(name);
        optimizer.Schedule = LearningRateSchedule.Cosine(0.01, 1000);
        optimizer.Step(set);
        optimizer.Step(set);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            optimizer.Step(set);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(102, optimizer.StepCount);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Step_on_a_parameter_set_updates_its_values_from_its_gradients(string name)
    {
        var set = new ParameterSet();
        set.Add("W", 3, 3);
        set.Values.Fill(1f);
        set.Gradients.Fill(0.5f);
        Create(name).Step(set);
        Assert.All(set.Values.ToArray(), v => Assert.True(v < 1f, $"{name} should move against a positive gradient, got {v}"));
        Assert.All(set.Gradients.ToArray(), g => Assert.Equal(0.5f, g));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_vector_loop_and_the_scalar_tail_give_the_same_bits(string name)
    {
        // 19 elements: two vectors of 8 and a tail of 3, against each element stepped alone (the scalar loop only).
        const int N = 19;
        var theta = new float[N];
        var gradient = new float[N];
        Optimizer together = Create(name);
        var alone = new Optimizer[N];
        var thetaAlone = new float[N][];
        for (int i = 0; i < N; i++)
        {
            theta[i] = 0.1f * (i - 9);
            alone[i] = Create(name);
            thetaAlone[i] = new[] { theta[i] };
        }
        for (int t = 1; t <= 4; t++)
        {
            for (int i = 0; i < N; i++)
            {
                gradient[i] = (float)Math.Sin((i * 0.7) + t);
                alone[i].Step(thetaAlone[i], new[] { gradient[i] });
            }
            together.Step(theta, gradient);
            for (int i = 0; i < N; i++)
            {
                Assert.Equal(thetaAlone[i][0], theta[i]);
            }
        }
    }

    [Fact]
    public void The_schedule_sets_the_learning_rate_before_each_step()
    {
        var optimizer = new Sgd(1f) { Schedule = LearningRateSchedule.Step(0.5, every: 2, gamma: 0.1) };
        float[] theta = { 0f };
        float[] gradient = { 1f };
        // Steps 0, 1 at 0.5; steps 2, 3 at 0.05: θ = −(0.5 + 0.5 + 0.05 + 0.05) = −1.1.
        for (int i = 0; i < 4; i++)
        {
            optimizer.Step(theta, gradient);
        }
        Assert.Equal(-1.1, theta[0], 6);
        Assert.Equal(0.05f, optimizer.LearningRate);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected_with_both_lengths()
    {
        var optimizer = new Adam();
        var error = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[4], new float[3]));
        Assert.Contains("4 values but 3 gradients", error.Message);

        optimizer.Step(new float[4], new float[4]);
        error = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[5], new float[5]));
        Assert.Contains("made for 4 values on its first step, but 5 were passed", error.Message);
    }

    [Fact]
    public void Reset_forgets_the_moments_and_the_step_count()
    {
        var adam = new Adam();
        float[] first = { 1f };
        adam.Step(first, new[] { 0.5f });
        adam.Step(first, new[] { 0.2f });
        adam.Reset();
        Assert.Equal(0, adam.StepCount);
        float[] again = { 1f };
        adam.Step(again, new[] { 0.5f });
        Assert.Equal(0.999, again[0], 6);
    }

    [Fact]
    public void Bad_hyper_parameters_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(-0.1f));
        Assert.Contains("momentum must be a number in [0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum(momentum: 1f)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(epsilon: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(weightDecay: -0.1f));
        Assert.Contains("weightDecay must be a finite number, 0 or more", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: -1f)).Message);
        var sgd = new Sgd();
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = float.PositiveInfinity);
    }

    [Fact]
    public void Defaults_are_the_usual_ones()
    {
        var adam = new Adam();
        Assert.Equal((0.001f, 0.9f, 0.999f, 1e-8f, 0f), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.L2WeightDecay));
        var adamW = new AdamW();
        Assert.Equal((0.001f, 0.01f, 0f), (adamW.LearningRate, adamW.DecoupledWeightDecay, adamW.L2WeightDecay));
        var rms = new RmsProp();
        Assert.Equal((0.001f, 0.9f, 1e-8f), (rms.LearningRate, rms.Rho, rms.Epsilon));
        var momentum = new Momentum();
        Assert.Equal((0.01f, 0.9f, false), (momentum.LearningRate, momentum.MomentumFactor, momentum.IsNesterov));
        Assert.True(new Nesterov().IsNesterov);
    }
}
