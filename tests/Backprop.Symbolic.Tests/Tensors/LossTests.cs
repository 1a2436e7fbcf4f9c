using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>Softmax cross-entropy and mean squared error, their backward kernels, and their input errors.</summary>
public sealed class LossTests
{
    private static readonly int[] Labels = { 2, 0, 4, 4, 1 };

    [Fact]
    public void SoftmaxCrossEntropy_matches_double_and_fills_the_probabilities()
    {
        Tensor logits = Reference.RandomTensor(41, 5, 5);
        double[] xd = Reference.ToDouble(logits.Span);
        Reference.AssertClose(Reference.SoftmaxCrossEntropy(xd, 5, Labels), Tensor.SoftmaxCrossEntropy(logits, Labels), 2e-6);
        Tensor probabilities = Tensor.Zeros(5, 5);
        float loss = TensorKernels.SoftmaxCrossEntropy(logits, Labels, probabilities);
        Reference.AssertClose(Reference.SoftmaxCrossEntropy(xd, 5, Labels), loss, 2e-6);
        Reference.AssertClose(Reference.Softmax(xd, 5), probabilities.Span, 2e-6);
    }

    [Fact]
    public void SoftmaxCrossEntropy_is_stable_for_large_logits()
    {
        Tensor logits = Tensor.FromArray(new float[] { 500f, -500f, 0f, 200f, 201f, 199f }, 2, 3);
        int[] labels = { 1, 2 };
        double expected = Reference.SoftmaxCrossEntropy(Reference.ToDouble(logits.Span), 3, labels);
        Reference.AssertClose(expected, Tensor.SoftmaxCrossEntropy(logits, labels), 1e-6);
    }

    [Fact]
    public void SoftmaxCrossEntropyBackward_matches_finite_differences_and_the_formula()
    {
        const float dLoss = 1.7f;
        Tensor logits = Reference.RandomTensor(42, 5, 5);
        double[] xd = Reference.ToDouble(logits.Span);
        double[] fd = Reference.FiniteDifferences(v => dLoss * Reference.SoftmaxCrossEntropy(v, 5, Labels), xd);
        double[] p = Reference.Softmax(xd, 5);
        var analytic = new double[25];
        for (int i = 0; i < 25; i++)
        {
            analytic[i] = dLoss * (p[i] - (Labels[i / 5] == i % 5 ? 1 : 0)) / 5;
        }
        Reference.AssertClose(fd, analytic, 1e-7, "formula against finite differences");

        Tensor probabilities = Tensor.Zeros(5, 5);
        TensorKernels.SoftmaxCrossEntropy(logits, Labels, probabilities);
        Tensor dLogits = Tensor.FromArray(Reference.Random(25, 43), 5, 5);
        double[] before = Reference.ToDouble(dLogits.Span);
        TensorKernels.SoftmaxCrossEntropyBackward(probabilities, Labels, dLoss, dLogits);
        Reference.AssertClose(SoftmaxTests.Add(before, fd), dLogits.Span, 1e-5, "kernel (accumulated)");
    }

    [Fact]
    public void A_label_count_other_than_the_row_count_is_reported()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.SoftmaxCrossEntropy(Tensor.Zeros(3, 4), new[] { 0, 1 }));
        Assert.Contains("[3, 4]", error.Message);
        Assert.Contains("3 rows", error.Message);
        Assert.Contains("2 labels", error.Message);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void A_label_outside_the_classes_names_its_position_and_value(int bad)
    {
        int[] labels = { 0, 3, bad };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.SoftmaxCrossEntropy(Tensor.Zeros(3, 4), labels));
        Assert.Contains($"labels[2] = {bad}", error.Message);
        Assert.Equal(bad, error.ActualValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorKernels.SoftmaxCrossEntropyBackward(Tensor.Zeros(3, 4), labels, 1f, Tensor.Zeros(3, 4)));
    }

    [Fact]
    public void MeanSquaredError_matches_double()
    {
        Tensor p = Reference.RandomTensor(44, 7, 91);
        Tensor t = Reference.RandomTensor(45, 7, 91);
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double d = (double)p.Span[i] - t.Span[i];
            sum += d * d;
        }
        Reference.AssertClose(sum / p.Length, Tensor.MeanSquaredError(p, t), 2e-6);
    }

    [Fact]
    public void MeanSquaredErrorBackward_matches_finite_differences_and_the_formula_for_both_inputs()
    {
        const float dLoss = 0.6f;
        Tensor p = Reference.RandomTensor(46, 3, 101);
        Tensor t = Reference.RandomTensor(47, 3, 101);
        double[] pd = Reference.ToDouble(p.Span);
        double[] td = Reference.ToDouble(t.Span);
        double Loss(double[] a, double[] b)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++)
            {
                s += (a[i] - b[i]) * (a[i] - b[i]);
            }
            return dLoss * s / a.Length;
        }
        double[] fdP = Reference.FiniteDifferences(v => Loss(v, td), pd);
        double[] fdT = Reference.FiniteDifferences(v => Loss(pd, v), td);
        var analyticP = new double[pd.Length];
        for (int i = 0; i < pd.Length; i++)
        {
            analyticP[i] = 2 * (pd[i] - td[i]) / pd.Length * dLoss;
        }
        Reference.AssertClose(fdP, analyticP, 1e-7, "formula against finite differences");

        Tensor dP = Tensor.FromArray(Reference.Random(p.Length, 48), 3, 101);
        Tensor dT = Tensor.FromArray(Reference.Random(p.Length, 49), 3, 101);
        double[] beforeP = Reference.ToDouble(dP.Span);
        double[] beforeT = Reference.ToDouble(dT.Span);
        TensorKernels.MeanSquaredErrorBackward(p, t, dLoss, dP, dT);
        Reference.AssertClose(SoftmaxTests.Add(beforeP, fdP), dP.Span, 1e-5, "dPrediction");
        Reference.AssertClose(SoftmaxTests.Add(beforeT, fdT), dT.Span, 1e-5, "dTarget");

        Tensor onlyP = Tensor.Zeros(3, 101);
        TensorKernels.MeanSquaredErrorBackward(p, t, dLoss, onlyP, default);
        Reference.AssertClose(fdP, onlyP.Span, 1e-5, "dPrediction alone");
    }

    [Fact]
    public void MeanSquaredError_names_both_shapes_and_rejects_empty_tensors()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.MeanSquaredError(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("MeanSquaredError", error.Message);
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("[3, 2]", error.Message);
        Assert.Throws<ArgumentException>(() => Tensor.MeanSquaredError(Tensor.Zeros(0), Tensor.Zeros(0)));
        Assert.Throws<ArgumentException>(() => TensorKernels.MeanSquaredErrorBackward(Tensor.Zeros(2), Tensor.Zeros(2), 1f, Tensor.Zeros(3), default));
    }
}
