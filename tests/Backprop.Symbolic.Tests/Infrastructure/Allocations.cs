using System;

namespace Backprop.Symbolic.Tests.Infrastructure;

/// <summary>Measures what code allocates on the calling thread once it is warm.</summary>
internal static class Allocations
{
    /// <summary>
    /// The fewest bytes <paramref name="round"/> allocates on this thread over up to three runs of it (stopping at the
    /// first that allocates nothing): an allocation the code makes every time shows in every run, while a one-off event
    /// of the runtime (tiered compilation promoting a method mid-run) shows in one at most.
    /// </summary>
    public static long Fewest(Action round)
    {
        long fewest = long.MaxValue;
        for (int run = 0; run < 3 && fewest != 0; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
