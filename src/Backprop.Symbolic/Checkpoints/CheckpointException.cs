using System;
using System.IO;

namespace Backprop.Symbolic.Checkpoints;

/// <summary>
/// A checkpoint file that cannot be read or does not fit its targets: truncated, corrupt, not safetensors, an
/// unsupported dtype, inconsistent offsets, or a tensor missing, unexpected or of the wrong shape. The message names
/// the file, the tensor (when one is at fault) and what is wrong. When it is thrown by a load into existing
/// tensors, none of them has been written.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>An error about <paramref name="source"/>, and about the tensor <paramref name="tensorName"/> if given.</summary>
    public CheckpointException(string source, string? tensorName, string problem, Exception? innerException = null)
        : base(tensorName is null ? $"{source}: {problem}" : $"{source}: tensor '{tensorName}': {problem}", innerException)
    {
        SourceName = source;
        TensorName = tensorName;
    }

    /// <summary>The file (or stream name) being read.</summary>
    public string SourceName { get; }

    /// <summary>The tensor at fault, or null when the problem is with the file as a whole.</summary>
    public string? TensorName { get; }
}
