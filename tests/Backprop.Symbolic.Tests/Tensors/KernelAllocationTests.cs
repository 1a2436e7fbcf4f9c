using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>
/// The kernels generated code calls allocate nothing once warmed up (the matrix product's per-thread packing buffers
/// exist after the first call), so a steady-state gradient call can allocate 0 B.
/// </summary>
public sealed class KernelAllocationTests
{
    [Fact]
    public void Every_tensor_kernel_allocates_nothing_in_steady_state()
    {
        Tensor x = Reference.RandomTensor(81, 32, 40);
        Tensor w = Reference.RandomTensor(82, 40, 24);
        Tensor h = Tensor.Zeros(32, 24);
        Tensor dH = Reference.RandomTensor(83, 32, 24);
        Tensor dX = Tensor.Zeros(32, 40);
        Tensor dW = Tensor.Zeros(40, 24);
        Tensor bias = Tensor.Zeros(24);
        Tensor rowSums = Tensor.Zeros(32);
        Tensor probabilities = Tensor.Zeros(32, 24);
        Tensor joined = Tensor.Zeros(32, 48);
        Tensor dJoinedA = Tensor.Zeros(32, 24);
        Tensor dJoinedB = Tensor.Zeros(32, 24);
        Tensor gathered = Tensor.Zeros(3, 24);
        int[] labels = new int[32];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % 24;
        }
        int[] rows = { 3, 0, 3 };
        float sink = 0;

        void Run()
        {
            TensorKernels.MatMul(x, w, h);
            TensorKernels.MatMulTransposeB(dH, w, dX, accumulate: true);
            TensorKernels.MatMulTransposeA(x, dH, dW, accumulate: true);
            sink += TensorKernels.Sum(h);
            TensorKernels.Sum(h, 1, rowSums);
            TensorKernels.SumRows(dH, bias, accumulate: true);
            TensorKernels.AddBroadcast(rowSums, 1, 0.5f, dH);
            TensorKernels.Softmax(h, probabilities);
            TensorKernels.SoftmaxBackward(probabilities, dH, dJoinedA);
            TensorKernels.LogSoftmax(h, probabilities);
            TensorKernels.LogSoftmaxBackward(probabilities, dH, dJoinedA);
            sink += TensorKernels.SoftmaxCrossEntropy(h, labels, probabilities);
            TensorKernels.SoftmaxCrossEntropyBackward(probabilities, labels, 1f, dJoinedB);
            sink += TensorKernels.MeanSquaredError(h, dH);
            TensorKernels.MeanSquaredErrorBackward(h, dH, 1f, dJoinedA, dJoinedB);
            TensorKernels.Concat(1, h, dH, joined);
            TensorKernels.ConcatBackward(1, joined, dJoinedA, dJoinedB);
            TensorKernels.Gather(w, rows, gathered);
            TensorKernels.GatherBackward(gathered, rows, w);
        }

        Run();
        long allocated = Allocations.Fewest(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                Run();
            }
        });
        Assert.Equal(0, allocated);
        Assert.False(float.IsNaN(sink));
    }
}
