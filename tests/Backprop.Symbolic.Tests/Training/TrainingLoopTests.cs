using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Optimizers;
using Backprop.Symbolic.Training.Schedules;
using Xunit;

namespace Backprop.Symbolic.Tests.Training;

/// <summary>The pieces together, as a user's loop uses them: a model learns to separate three clusters.</summary>
public sealed class TrainingLoopTests
{
    private static (Tensor Inputs, int[] Labels) Clusters(int perClass, long seed)
    {
        double[,] centers = { { -2, 0 }, { 2, 0 }, { 0, 2.5 } };
        var random = new SeededRandom(seed);
        var inputs = Tensor.Zeros(3 * perClass, 2);
        var labels = new int[3 * perClass];
        for (int i = 0; i < labels.Length; i++)
        {
            int c = i % 3;
            labels[i] = c;
            inputs[i, 0] = (float)(centers[c, 0] + (0.6 * random.NextNormal()));
            inputs[i, 1] = (float)(centers[c, 1] + (0.6 * random.NextNormal()));
        }
        return (inputs, labels);
    }

    [Fact]
    public void Adam_with_warm_up_cosine_clipping_and_two_workers_separates_three_clusters()
    {
        var model = new SoftmaxRegressionModel(features: 2, classes: 3, seed: 1);
        (Tensor inputs, int[] labels) = Clusters(perClass: 100, seed: 2);
        const int Steps = 120;
        var adam = new Adam(learningRate: 0.1f)
        {
            Schedule = LearningRateSchedule.Warmup(10, LearningRateSchedule.Cosine(0.1, Steps - 10, minimum: 0.001)),
        };
        using var parallel = new DataParallel(model.Parameters, workerCount: 2);
        BatchGradientFunction gradient = model.Gradient;

        float first = 0, last = 0;
        for (int step = 0; step < Steps; step++)
        {
            last = parallel.ComputeGradients(inputs, labels, gradient);
            first = step == 0 ? last : first;
            GradientClipping.ClipByGlobalNorm(model.Parameters, maxNorm: 5f);
            adam.Step(model.Parameters);
        }

        var z = new double[labels.Length * 3];
        model.Logits(inputs, z);
        var scores = Tensor.Zeros(labels.Length, 3);
        for (int i = 0; i < z.Length; i++)
        {
            scores.Span[i] = (float)z[i];
        }
        double accuracy = Metrics.Accuracy(scores, labels);
        var confusion = new ConfusionMatrix(3);
        confusion.Add(scores, labels);

        Assert.True(first > 0.5f, $"the untrained loss should be large, was {first}");
        Assert.True(last < 0.2f, $"the loss after {Steps} steps should be small, was {last}");
        Assert.True(accuracy >= 0.95, $"accuracy {accuracy}{Environment.NewLine}{confusion}");
        Assert.Equal(accuracy, confusion.Accuracy, 12);
        // The last step (119) is step 109 of the 110-step cosine: 0.001 + 0.099·(1 + cos(π·109/110))/2.
        Assert.Equal(0.001 + (0.099 * (1 + Math.Cos(Math.PI * 109 / 110)) / 2), adam.LearningRate, 1e-7);
    }
}
