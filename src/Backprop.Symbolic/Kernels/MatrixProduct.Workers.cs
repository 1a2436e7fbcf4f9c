using System;
using System.Threading;

namespace Backprop.Symbolic.Kernels;

public static partial class MatrixProduct
{
    /// <summary>
    /// The threads large products split their rows across: created once, on the first product that needs them, and
    /// woken per product, so a threaded product allocates nothing (a <c>Parallel.For</c> allocates its loop state and
    /// tasks on every call). One product uses them at a time; a product that finds them busy (another thread's, e.g. a
    /// data-parallel worker's) runs on its own thread.
    /// </summary>
    private static unsafe class RowWorkers
    {
        private static readonly object s_create = new();
        private static Worker[] s_workers = Array.Empty<Worker>();
        private static int s_busy;

        // The product being shared out; written by the caller before it wakes the workers.
        private static RowJob s_job;
        private static CountdownEvent? s_done;
        private static Exception? s_failure;

        /// <summary>
        /// Runs <paramref name="job"/>'s chunks 0 … <paramref name="chunks"/> − 1, chunk 0 on the calling thread and one on
        /// each worker; false (nothing run) when the workers are busy with another product.
        /// </summary>
        public static bool TryRun(in RowJob job, int chunks)
        {
            if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
            {
                return false;
            }
            try
            {
                Worker[] workers = Ensure(chunks - 1);
                s_job = job;
                s_failure = null;
                s_done!.Reset(chunks - 1);
                for (int i = 1; i < chunks; i++)
                {
                    workers[i - 1].Start(i);
                }
                s_job.Execute(0);
                s_done.Wait();
                if (s_failure is { } failure)
                {
                    throw new InvalidOperationException("A matrix-product worker thread failed.", failure);
                }
                return true;
            }
            finally
            {
                Volatile.Write(ref s_busy, 0);
            }
        }

        private static Worker[] Ensure(int count)
        {
            if (s_workers.Length >= count)
            {
                return s_workers;
            }
            lock (s_create)
            {
                var workers = new Worker[count];
                Array.Copy(s_workers, workers, s_workers.Length);
                for (int i = s_workers.Length; i < count; i++)
                {
                    workers[i] = new Worker(i + 1);
                }
                if (s_done is null)
                {
                    // An event allocates its lock the first time a wait on it blocks: block once now (1 ms, unset), so
                    // no product's wait allocates later.
                    var done = new CountdownEvent(1);
                    done.Wait(1);
                    s_done = done;
                }
                s_workers = workers;
                return workers;
            }
        }

        /// <summary>A background thread that runs one chunk each time it is started.</summary>
        private sealed class Worker
        {
            // No spinning: a worker waiting for the next product must not take a core from the thread computing between products.
            private readonly ManualResetEventSlim _start = new(false, spinCount: 0);
            private int _chunk;

            public Worker(int index)
            {
                var thread = new Thread(Loop)
                {
                    IsBackground = true,
                    Name = "Backprop.Symbolic matrix product " + index,
                };
                thread.Start();
            }

            public void Start(int chunk)
            {
                _chunk = chunk;
                _start.Set();
            }

            private void Loop()
            {
                while (true)
                {
                    _start.Wait();
                    _start.Reset();
                    try
                    {
                        s_job.Execute(_chunk);
                    }
                    catch (Exception e)
                    {
                        s_failure = e;
                    }
                    finally
                    {
                        s_done!.Signal();
                    }
                }
            }
        }
    }

    /// <summary>One large product's rows in chunks: chunk i is rows i·RowsPerChunk onward (the spans are pinned by the caller).</summary>
    private readonly unsafe struct RowJob(
        nint a, int lda, nint b, int ldb, nint c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate, int rowsPerChunk, bool wide)
    {
        public void Execute(int chunk)
        {
            int first = chunk * rowsPerChunk;
            int rows = Math.Min(rowsPerChunk, m - first);
            if (rows <= 0)
            {
                return;
            }
            // Row i of op(A) starts at a + i·lda, or at a + i when A is stored transposed (its column i).
            float* aRows = (float*)a + (transposeA ? first : (long)first * lda);
            Blocked.Run(aRows, lda, (float*)b, ldb, (float*)c + ((long)first * n), n, rows, k, n, transposeA, transposeB, accumulate, wide);
        }
    }
}
