using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Symbolic.Tests.Infrastructure;

/// <summary>Where a span starts relative to a 64-byte cache line.</summary>
public static class Alignment
{
    /// <summary>The start's address modulo 64 (0 when the span starts a cache line).</summary>
    public static unsafe int CacheLineOffset<T>(Span<T> span) =>
        (int)((nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span)) % 64);
}
