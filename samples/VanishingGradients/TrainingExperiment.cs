using System;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Instruments;
using Backprop.Symbolic.Taping;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;
using Backprop.Symbolic.Training.Optimizers;

namespace VanishingGradients;

/// <summary>What training one stack gave.</summary>
/// <param name="EpochLoss">The mean training loss of each epoch (NaN once it diverged).</param>
/// <param name="FirstLayerRatio">‖∂L/∂A_1‖ / ‖A_1‖ averaged over the first epoch's steps: how far a step moves the first layer.</param>
/// <param name="LastLayerRatio">The same for the top layer A_D.</param>
public sealed record TrainingResult(Activation Activation, Draw Draw, int Depth, double[] EpochLoss, double TestAccuracy, double FirstLayerRatio, double LastLayerRatio);

/// <summary>
/// Trains a stack h_l = f(h_{l−1}·A_l) with a softmax readout on the digits by SGD with momentum, the same loop of
/// generated <c>…Value</c> and <c>…Pullback</c> calls as <see cref="DepthExperiment"/>, the gradients landing in a
/// <see cref="ParameterSet"/> watched by a <see cref="GradientMonitor"/>.
/// </summary>
public static class TrainingExperiment
{
    public static TrainingResult Train(Activation activation, Draw draw, int depth, Dataset train, Dataset test, int epochs, float learningRate, int batchSize, long seed)
    {
        int width = train.FeatureCount;
        var parameters = new ParameterSet();
        var weights = new Parameter[depth];
        for (int l = 0; l < depth; l++)
        {
            weights[l] = parameters.Add("A" + (l + 1), draw.Create(seed * 1000 + l), width, width);
        }
        Parameter readout = parameters.Add("W", Initializer.XavierNormal(seed * 1000 + 999), width, train.ClassCount);
        parameters.Build();
        var monitor = new GradientMonitor(parameters);
        var optimizer = new Momentum(learningRate, momentum: 0.9f);
        var batches = new MinibatchIterator(train, batchSize, (int)seed);
        var epochLoss = new double[epochs];
        double firstRatio = 0, lastRatio = 0;
        int firstEpochSteps = 0;
        var h = new Tensor[depth + 1];

        for (int epoch = 0; epoch < epochs; epoch++)
        {
            double sum = 0;
            int rows = 0;
            foreach (Minibatch batch in batches.NextEpoch())
            {
                parameters.ZeroGradients();
                Tape tape = Tape.Current;
                Tape.Mark mark = tape.GetMark();
                float loss;
                try
                {
                    h[0] = batch.Features;
                    for (int l = 0; l < depth; l++)
                    {
                        h[l + 1] = activation.Value(h[l], weights[l].Value);
                    }
                    Tensor dH = tape.RentTensor(h[depth].Shape);
                    loss = Layers.ReadoutGradient(h[depth], batch.Labels, readout.Value, dH, readout.Gradient);
                    for (int l = depth - 1; l >= 0; l--)
                    {
                        Tensor dBelow = l > 0 ? tape.RentTensor(h[l].Shape) : default;
                        activation.Pullback(h[l], weights[l].Value, dH, dBelow, weights[l].Gradient);
                        dH = dBelow;
                    }
                }
                finally
                {
                    tape.Release(mark);
                }
                if (epoch == 0)
                {
                    monitor.Measure();
                    firstRatio += monitor.Ratios[0];
                    lastRatio += monitor.Ratios[depth - 1];
                    firstEpochSteps++;
                }
                optimizer.Step(parameters);
                int n = batch.Features.Shape[0];
                sum += (double)loss * n;
                rows += n;
            }
            epochLoss[epoch] = sum / rows;
        }
        double accuracy = double.IsFinite(epochLoss[^1]) ? Metrics.Accuracy(Logits(activation, weights, readout, test.Features), test.Labels) : double.NaN;
        return new TrainingResult(activation, draw, depth, epochLoss, accuracy, firstRatio / firstEpochSteps, lastRatio / firstEpochSteps);
    }

    private static Tensor Logits(Activation activation, Parameter[] weights, Parameter readout, Tensor x)
    {
        Tape tape = Tape.Current;
        Tape.Mark mark = tape.GetMark();
        try
        {
            Tensor h = x;
            foreach (Parameter a in weights)
            {
                h = activation.Value(h, a.Value);
            }
            return Tensor.MatMul(h, readout.Value); // eager: a new tensor, outside the workspace
        }
        finally
        {
            tape.Release(mark);
        }
    }
}
