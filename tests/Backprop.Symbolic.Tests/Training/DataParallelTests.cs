using System;
using System.Threading;
using Backprop.Symbolic.GradientChecking;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Xunit;

namespace Backprop.Symbolic.Tests.Training;

/// <summary><see cref="DataParallel"/> against one thread, on softmax regression written by hand (<see cref="SoftmaxRegressionModel"/>).</summary>
public sealed class DataParallelTests
{
    private readonly SoftmaxRegressionModel _model = new(features: 5, classes: 3, seed: 3);
    private readonly ParameterSet _set;

    public DataParallelTests()
    {
        _set = _model.Parameters;
    }

    private (Tensor Inputs, int[] Labels) Batch(int rows) => _model.RandomBatch(rows, seed: rows);

    private float SoftmaxRegression(Tensor inputs, ReadOnlySpan<int> labels, GradientBuffer gradients) =>
        _model.Gradient(inputs, labels, gradients);

    [Fact]
    public void The_hand_written_model_gradient_is_right()
    {
        (Tensor inputs, int[] labels) = Batch(20);
        var sharp = new GradientCheckOptions { RelativeStep = 1e-3, Tolerance = 1e-5 };
        GradientCheckReport report = GradientCheck.Check(
            _set, () => _model.Loss(inputs, labels), () => _model.Gradient(inputs, labels, _set.GradientBuffer), sharp);
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [InlineData(2, 37)]
    [InlineData(3, 37)]
    [InlineData(4, 64)]
    public void The_gradient_and_loss_are_those_of_one_thread_up_to_summation_order(int workers, int rows)
    {
        (Tensor inputs, int[] labels) = Batch(rows);
        GradientBuffer single = _set.CreateGradientBuffer();
        float expectedLoss = SoftmaxRegression(inputs, labels, single);
        float[] expected = single.Span.ToArray();

        _set.Gradients.Fill(123f); // overwritten, not added to
        using var parallel = new DataParallel(_set, workers);
        float loss = parallel.ComputeGradients(inputs, labels, SoftmaxRegression);

        Assert.Equal(expectedLoss, loss, 1e-5f);
        float[] actual = _set.Gradients.ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: one thread {expected[i]}, {workers} workers {actual[i]}");
        }
        Assert.Contains(expected, g => Math.Abs(g) > 1e-3); // the check is not of zeros
    }

    [Fact]
    public void Every_row_goes_to_exactly_one_worker_in_slices_as_even_as_possible()
    {
        using var parallel = new DataParallel(_set, 3);
        var seen = new int[10];
        var slices = new int[3];
        int calls = 0;
        parallel.ComputeGradients(10, (start, count, g) =>
        {
            for (int r = start; r < start + count; r++)
            {
                Interlocked.Increment(ref seen[r]);
            }
            slices[Interlocked.Increment(ref calls) - 1] = count;
            return 0f;
        });
        Assert.All(seen, s => Assert.Equal(1, s));
        Array.Sort(slices);
        Assert.Equal(new[] { 3, 3, 4 }, slices);
    }

    [Fact]
    public void Fewer_rows_than_workers_uses_one_worker_per_row()
    {
        using var parallel = new DataParallel(_set, 4);
        int calls = 0;
        float loss = parallel.ComputeGradients(2, (start, count, g) =>
        {
            Interlocked.Increment(ref calls);
            g.Span[0] = start + 1; // row 0 writes 1, row 1 writes 2: the mean is 1.5
            return start + 1;
        });
        Assert.Equal(2, calls);
        Assert.Equal(1.5f, loss);
        Assert.Equal(1.5f, _set.Gradients[0]);
    }

    [Fact]
    public void Each_worker_gets_a_zeroed_buffer_of_its_own()
    {
        using var parallel = new DataParallel(_set, 2);
        for (int round = 0; round < 3; round++)
        {
            parallel.ComputeGradients(4, (start, count, g) =>
            {
                foreach (float value in g.Span)
                {
                    Assert.Equal(0f, value);
                }
                g.Span.Fill(1f);
                return 0f;
            });
            Assert.All(_set.Gradients.ToArray(), v => Assert.Equal(1f, v));
        }
    }

    [Fact]
    public void A_failing_worker_surfaces_as_an_aggregate_exception_and_the_instance_stays_usable()
    {
        using var parallel = new DataParallel(_set, 2);
        var error = Assert.Throws<AggregateException>(() => parallel.ComputeGradients(4, (start, count, g) =>
            start == 0 ? 0f : throw new InvalidOperationException("slice " + start)));
        Assert.Contains("1 of 2 workers", error.Message);
        Assert.Equal("slice 2", Assert.Single(error.InnerExceptions).Message);

        float loss = parallel.ComputeGradients(4, (start, count, g) => 2f);
        Assert.Equal(2f, loss);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        using var parallel = new DataParallel(_set, 2);
        (Tensor inputs, int[] labels) = Batch(6);
        var error = Assert.Throws<ArgumentException>(() => parallel.ComputeGradients(inputs, labels.AsSpan(0, 5), SoftmaxRegression));
        Assert.Contains("[6, 5] has 6 rows but 5 labels", error.Message);
        Assert.Throws<ArgumentException>(() => parallel.ComputeGradients(0, (s, c, g) => 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel(_set, -1));
        parallel.Dispose();
        Assert.Throws<ObjectDisposedException>(() => parallel.ComputeGradients(inputs, labels, SoftmaxRegression));
    }

    [ThreadStatic]
    private static long t_lastAllocated;

    [Fact]
    public void The_steady_state_allocates_nothing_on_any_thread()
    {
        (Tensor inputs, int[] labels) = Batch(40);
        using var parallel = new DataParallel(_set, 2);
        long worst = 0;
        int measuring = 0;
        BatchGradientFunction function = (x, y, g) =>
        {
            // Bytes this thread allocated since its previous call: the worker loop's and the call's own.
            long now = GC.GetAllocatedBytesForCurrentThread();
            long since = now - t_lastAllocated;
            t_lastAllocated = now;
            if (Volatile.Read(ref measuring) == 1)
            {
                long seen;
                while (since > (seen = Interlocked.Read(ref worst)) && Interlocked.CompareExchange(ref worst, since, seen) != seen)
                {
                }
            }
            return SoftmaxRegression(x, y, g);
        };
        for (int i = 0; i < 5; i++)
        {
            parallel.ComputeGradients(inputs, labels, function);
        }
        // The fewest bytes over up to three rounds, on the calling thread and on the workers: an allocation per call
        // shows in every round, a one-off event of the runtime (tiered compilation promoting a method) in one at most.
        long callingThread = long.MaxValue;
        long workers = long.MaxValue;
        for (int round = 0; round < 3 && (callingThread != 0 || workers != 0); round++)
        {
            Interlocked.Exchange(ref worst, 0);
            Volatile.Write(ref measuring, 1);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++)
            {
                parallel.ComputeGradients(inputs, labels, function);
            }
            callingThread = Math.Min(callingThread, GC.GetAllocatedBytesForCurrentThread() - before);
            Volatile.Write(ref measuring, 0);
            workers = Math.Min(workers, Interlocked.Read(ref worst));
        }
        Assert.Equal(0, callingThread);
        Assert.Equal(0, workers);
    }
}
