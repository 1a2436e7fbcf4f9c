using System;
using System.Numerics.Tensors;
using System.Threading;
using Tensor = Backprop.Symbolic.Tensors.Tensor;

namespace Backprop.Symbolic.Training;

/// <summary>
/// Computes the mean loss of a slice of a minibatch and writes its gradient (the gradient of that mean) into
/// <paramref name="gradients"/>, which has the parameter set's layout and arrives zeroed.
/// </summary>
/// <param name="inputs">The slice's rows of the batch (a view, no copy).</param>
/// <param name="labels">The slice's labels (empty if the batch was given none).</param>
/// <param name="gradients">This worker's gradient buffer; <c>gradients[parameter]</c> is the tensor to write a parameter's gradient to.</param>
/// <returns>The slice's mean loss.</returns>
public delegate float BatchGradientFunction(Tensor inputs, ReadOnlySpan<int> labels, GradientBuffer gradients);

/// <summary>
/// Computes the mean loss of rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> − 1
/// of a minibatch and writes its gradient into <paramref name="gradients"/> (the set's layout, zeroed).
/// </summary>
/// <returns>The mean loss over those rows.</returns>
public delegate float RangeGradientFunction(int start, int count, GradientBuffer gradients);

/// <summary>
/// Data parallelism on one machine: splits a minibatch's rows across worker threads, each with its own gradient
/// buffer (and, through the per-thread <see cref="Taping.Tape"/>, its own workspace), then sums the workers'
/// gradients into the parameter set's gradient buffer, each weighted by its share of the rows, so the result is the
/// gradient of the whole batch's mean loss — the same as one thread computes, up to float summation order.
/// </summary>
/// <remarks>
/// <para>
/// The worker threads and their buffers are made once, in the constructor; a call hands the slices out, runs the
/// first on the calling thread, waits for the rest and sums. With a gradient function that does not allocate, a call
/// allocates nothing in the steady state. Calls must not overlap (one training loop per instance). Dispose the
/// instance to stop its threads.
/// </para>
/// <para>
/// The function runs on several threads at once: it may read the parameters' values (no one writes them during the
/// call) but must write only to the buffer it is given. Generated gradients qualify.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var parallel = new DataParallel(parameters);
/// BatchGradientFunction gradient = (x, y, g) =&gt; Model.LossGradient(x, y, w1.Value, b1.Value, g[w1], g[b1]);
/// float loss = parallel.ComputeGradients(batch, labels, gradient);
/// optimizer.Step(parameters);
/// </code>
/// </example>
public sealed class DataParallel : IDisposable
{
    private readonly GradientBuffer[] _buffers;
    private readonly ManualResetEventSlim[] _start;
    private readonly ManualResetEventSlim[] _done;
    private readonly Thread[] _threads;
    private readonly int[] _sliceStart;
    private readonly int[] _sliceCount;
    private readonly float[] _losses;
    private readonly Exception?[] _errors;
    private int[] _labels = [];
    private int _labelCount;
    private Tensor _inputs;
    private BatchGradientFunction? _batchFunction;
    private RangeGradientFunction? _rangeFunction;
    private int _busy;
    private volatile bool _disposed;

    /// <summary>Workers for <paramref name="parameters"/> (freezing the set).</summary>
    /// <param name="parameters">The parameters whose gradient buffer receives the sum.</param>
    /// <param name="workerCount">How many threads share a batch, the calling thread included; 0 for one per core (<see cref="Environment.ProcessorCount"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workerCount"/> is negative.</exception>
    public DataParallel(ParameterSet parameters, int workerCount = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (workerCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(workerCount), workerCount, "The worker count must be positive, or 0 for one worker per core.");
        }
        Parameters = parameters;
        WorkerCount = workerCount == 0 ? Environment.ProcessorCount : workerCount;
        _buffers = new GradientBuffer[WorkerCount];
        _buffers[0] = parameters.GradientBuffer;
        _start = new ManualResetEventSlim[WorkerCount];
        _done = new ManualResetEventSlim[WorkerCount];
        _threads = new Thread[WorkerCount];
        _sliceStart = new int[WorkerCount];
        _sliceCount = new int[WorkerCount];
        _losses = new float[WorkerCount];
        _errors = new Exception?[WorkerCount];
        for (int k = 1; k < WorkerCount; k++)
        {
            _buffers[k] = parameters.CreateGradientBuffer();
            _start[k] = new ManualResetEventSlim(false);
            _done[k] = new ManualResetEventSlim(false);
            // An event allocates its lock the first time a wait on it blocks; block once now (1 ms, unset), so no
            // later wait of the calling thread allocates.
            _done[k].Wait(1);
            _threads[k] = new Thread(WorkerLoop) { IsBackground = true, Name = $"DataParallel worker {k}" };
            _threads[k].Start(k);
        }
    }

    /// <summary>The parameters whose gradients are computed.</summary>
    public ParameterSet Parameters { get; }

    /// <summary>How many threads share a batch, the calling thread included.</summary>
    public int WorkerCount { get; }

    /// <summary>
    /// Splits the rows of <paramref name="inputs"/> (axis 0) and <paramref name="labels"/> across the workers, runs
    /// <paramref name="function"/> on each slice, and writes the gradient of the whole batch's mean loss into the
    /// parameters' gradients (overwriting them). Returns the batch's mean loss.
    /// </summary>
    /// <exception cref="ArgumentException">The batch has no rows, or the labels are neither one per row nor none.</exception>
    /// <exception cref="InvalidOperationException">Another call on this instance is running.</exception>
    /// <exception cref="ObjectDisposedException">The instance is disposed.</exception>
    /// <exception cref="AggregateException">The function threw on one or more workers (the gradients are then undefined).</exception>
    public float ComputeGradients(Tensor inputs, ReadOnlySpan<int> labels, BatchGradientFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (inputs.IsDefault)
        {
            throw new ArgumentException("The inputs are default(Tensor); pass the batch, rows along axis 0.", nameof(inputs));
        }
        int rows = inputs.Shape[0];
        if (labels.Length != rows && labels.Length != 0)
        {
            throw new ArgumentException(
                $"The batch {inputs.Shape} has {rows} rows but {labels.Length} labels were given; pass one label per row, or none.", nameof(labels));
        }
        Enter();
        try
        {
            if (_labels.Length < labels.Length)
            {
                _labels = new int[labels.Length];
            }
            labels.CopyTo(_labels);
            _labelCount = labels.Length;
            _inputs = inputs;
            _batchFunction = function;
            return Run(rows);
        }
        finally
        {
            _inputs = default;
            _batchFunction = null;
            Exit();
        }
    }

    /// <summary>
    /// Splits rows 0 to <paramref name="rows"/> − 1 across the workers as ranges, runs <paramref name="function"/> on
    /// each, and writes the gradient of the mean loss over all rows into the parameters' gradients (overwriting them).
    /// Use this form when a batch is more than one tensor and labels (slice them by the range yourself).
    /// </summary>
    /// <inheritdoc cref="ComputeGradients(Tensor, ReadOnlySpan{int}, BatchGradientFunction)" path="/exception"/>
    public float ComputeGradients(int rows, RangeGradientFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        Enter();
        try
        {
            _rangeFunction = function;
            return Run(rows);
        }
        finally
        {
            _rangeFunction = null;
            Exit();
        }
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        for (int k = 1; k < WorkerCount; k++)
        {
            _start[k].Set();
        }
        for (int k = 1; k < WorkerCount; k++)
        {
            _threads[k].Join();
            _start[k].Dispose();
            _done[k].Dispose();
        }
    }

    private float Run(int rows)
    {
        if (rows <= 0)
        {
            throw new ArgumentException($"The batch has {rows} rows; a gradient needs at least one.", nameof(rows));
        }
        int workers = Math.Min(WorkerCount, rows);
        int share = rows / workers;
        int extra = rows % workers;
        int start = 0;
        for (int k = 0; k < workers; k++)
        {
            _sliceStart[k] = start;
            _sliceCount[k] = share + (k < extra ? 1 : 0);
            start += _sliceCount[k];
            _errors[k] = null;
        }

        for (int k = 1; k < workers; k++)
        {
            _done[k].Reset();
            _start[k].Set();
        }
        RunSlice(0);
        for (int k = 1; k < workers; k++)
        {
            _done[k].Wait();
        }
        ThrowIfAnyFailed(workers);

        // Each worker's gradient is that of its slice's mean loss; weighting by the slice's share of the rows makes
        // the sum the gradient of the batch's mean loss. Worker 0 wrote into the set's own buffer.
        Span<float> total = _buffers[0].Span;
        double loss = (double)_losses[0] * _sliceCount[0] / rows;
        if (workers > 1)
        {
            TensorPrimitives.Multiply(total, (float)_sliceCount[0] / rows, total);
        }
        for (int k = 1; k < workers; k++)
        {
            float weight = (float)_sliceCount[k] / rows;
            TensorPrimitives.MultiplyAdd(_buffers[k].Span, weight, total, total);
            loss += (double)_losses[k] * _sliceCount[k] / rows;
        }
        return (float)loss;
    }

    private void RunSlice(int k)
    {
        // The cores are already shared out among the slices: products inside one run on its thread alone.
        bool outer = Kernels.MatrixProduct.EnterParallelWork(WorkerCount > 1);
        try
        {
            GradientBuffer buffer = _buffers[k];
            buffer.Clear();
            int start = _sliceStart[k];
            int count = _sliceCount[k];
            if (_batchFunction is not null)
            {
                ReadOnlySpan<int> labels = _labelCount == 0 ? default : new ReadOnlySpan<int>(_labels, start, count);
                _losses[k] = _batchFunction(_inputs.Slice(0, start, count), labels, buffer);
            }
            else
            {
                _losses[k] = _rangeFunction!(start, count, buffer);
            }
        }
        catch (Exception error)
        {
            _errors[k] = error;
        }
        finally
        {
            Kernels.MatrixProduct.EnterParallelWork(outer);
        }
    }

    private void WorkerLoop(object? state)
    {
        int k = (int)state!;
        while (true)
        {
            _start[k].Wait();
            _start[k].Reset();
            if (_disposed)
            {
                return;
            }
            RunSlice(k);
            _done[k].Set();
        }
    }

    private void ThrowIfAnyFailed(int workers)
    {
        int failures = 0;
        for (int k = 0; k < workers; k++)
        {
            failures += _errors[k] is null ? 0 : 1;
        }
        if (failures == 0)
        {
            return;
        }
        var errors = new Exception[failures];
        int next = 0;
        for (int k = 0; k < workers; k++)
        {
            if (_errors[k] is Exception error)
            {
                errors[next++] = error;
                _errors[k] = null;
            }
        }
        throw new AggregateException($"The gradient function threw on {failures} of {workers} workers; the gradients are incomplete.", errors);
    }

    private void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("DataParallel.ComputeGradients is already running on this instance; calls must not overlap (use one instance per training loop).");
        }
    }

    private void Exit() => Volatile.Write(ref _busy, 0);
}
