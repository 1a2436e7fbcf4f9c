using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Checkpoints;

public static partial class SafeTensors
{
    /// <summary>The largest header the reference implementation accepts (100 MB); a larger one means a corrupt file.</summary>
    private const long MaxHeaderLength = 100_000_000;

    /// <summary>Reads every tensor of the file at <paramref name="path"/> into new tensors, with the metadata.</summary>
    /// <exception cref="CheckpointException">The file is truncated, corrupt, not safetensors, or holds an unsupported dtype.</exception>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = OpenRead(path);
        return Load(file, path);
    }

    /// <summary>
    /// Reads every tensor of a safetensors image from <paramref name="source"/> (from its current position to its end)
    /// into new tensors. <paramref name="sourceName"/> names it in error messages. The stream is not disposed.
    /// </summary>
    /// <exception cref="CheckpointException">The content is truncated, corrupt, not safetensors, or holds an unsupported dtype.</exception>
    public static Checkpoint Load(Stream source, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sourceName);
        var (header, data) = ReadValidated(source, sourceName, null, false);
        var tensors = new List<KeyValuePair<string, Tensor>>(header.Entries.Count);
        foreach (TensorEntry entry in header.Entries)
        {
            var tensor = Tensor.Zeros(entry.Shape);
            Decode(entry, data, tensor.Span);
            tensors.Add(new(entry.Name, tensor));
        }
        return new Checkpoint(tensors, header.Metadata);
    }

    /// <summary>
    /// Loads the file at <paramref name="path"/> into the existing <paramref name="targets"/>, matched by name. Everything
    /// is checked first (the header, the offsets and sizes, every target present with the target's exact shape, no tensor
    /// in the file without a target unless <paramref name="allowUnexpected"/>); only then are values written.
    /// </summary>
    /// <returns>The file's metadata strings.</returns>
    /// <exception cref="CheckpointException">
    /// The file is truncated, corrupt or not safetensors, or does not fit the targets; the message names the tensor and the
    /// problem, and no target has been changed.
    /// </exception>
    /// <exception cref="ArgumentException">A target name is empty or repeated, or a target is <c>default</c>.</exception>
    public static IReadOnlyDictionary<string, string> LoadInto(
        string path, IEnumerable<KeyValuePair<string, Tensor>> targets, bool allowUnexpected = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(targets);
        Dictionary<string, Tensor> byName = CollectTargets(targets);
        using var file = OpenRead(path);
        return LoadInto(file, path, byName, allowUnexpected);
    }

    /// <summary>
    /// Loads a safetensors image from <paramref name="source"/> into the existing <paramref name="targets"/>, validating
    /// everything before any value is written (see <see cref="LoadInto(string, IEnumerable{KeyValuePair{string, Tensor}}, bool)"/>).
    /// The stream is not disposed.
    /// </summary>
    /// <returns>The metadata strings.</returns>
    public static IReadOnlyDictionary<string, string> LoadInto(
        Stream source, string sourceName, IEnumerable<KeyValuePair<string, Tensor>> targets, bool allowUnexpected = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(targets);
        return LoadInto(source, sourceName, CollectTargets(targets), allowUnexpected);
    }

    private static IReadOnlyDictionary<string, string> LoadInto(
        Stream source, string sourceName, Dictionary<string, Tensor> targets, bool allowUnexpected)
    {
        var (header, data) = ReadValidated(source, sourceName, targets, allowUnexpected);
        foreach (TensorEntry entry in header.Entries)
        {
            if (targets.TryGetValue(entry.Name, out Tensor target))
            {
                Decode(entry, data, target.Span);
            }
        }
        return header.Metadata;
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);

    private static Dictionary<string, Tensor> CollectTargets(IEnumerable<KeyValuePair<string, Tensor>> targets)
    {
        var byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in targets)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException($"Target {byName.Count} has no name; targets are matched to the checkpoint by name.", nameof(targets));
            }
            if (tensor.IsDefault)
            {
                throw new ArgumentException($"Target '{name}' is default(Tensor), which has no memory to load into.", nameof(targets));
            }
            if (!byName.TryAdd(name, tensor))
            {
                throw new ArgumentException($"The target name '{name}' is given twice.", nameof(targets));
            }
        }
        return byName;
    }

    /// <summary>
    /// Reads the header and the data section and checks them (and, when <paramref name="targets"/> is given, their fit
    /// to the targets) without writing anything anywhere.
    /// </summary>
    private static (SafeTensorsHeader Header, byte[] Data) ReadValidated(
        Stream source, string name, Dictionary<string, Tensor>? targets, bool allowUnexpected)
    {
        if (!source.CanSeek)
        {
            var copy = new MemoryStream();
            source.CopyTo(copy);
            copy.Position = 0;
            source = copy;
        }
        long fileLength = source.Length - source.Position;
        if (fileLength < sizeof(ulong))
        {
            throw new CheckpointException(
                name, null, $"the file is {fileLength} bytes long, shorter than the 8-byte header length a safetensors file starts with; it is truncated or not a safetensors file.");
        }
        Span<byte> prefix = stackalloc byte[sizeof(ulong)];
        source.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        long available = fileLength - sizeof(ulong);
        if (headerLength > MaxHeaderLength)
        {
            throw new CheckpointException(
                name, null, $"the header length {headerLength} is larger than the {MaxHeaderLength} bytes the format allows; the file is corrupt or not a safetensors file.");
        }
        if ((long)headerLength > available)
        {
            throw new CheckpointException(
                name, null, $"the header length {headerLength} is more than the {available} bytes that follow it; the file is truncated or not a safetensors file.");
        }
        var json = new byte[headerLength];
        source.ReadExactly(json);
        long dataLength = available - (long)headerLength;
        var header = SafeTensorsHeader.Parse(json, dataLength, name);
        if (targets is not null)
        {
            CheckTargets(header, targets, allowUnexpected, name);
        }
        if (dataLength > Array.MaxLength)
        {
            throw new CheckpointException(name, null, $"the data section is {dataLength} bytes; files with more than {Array.MaxLength} bytes of data are not supported.");
        }
        var data = new byte[dataLength];
        try
        {
            source.ReadExactly(data);
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointException(name, null, "the file ended while its data was read (it was truncated while being read).", e);
        }
        return (header, data);
    }

    private static void CheckTargets(SafeTensorsHeader header, Dictionary<string, Tensor> targets, bool allowUnexpected, string name)
    {
        var inFile = new Dictionary<string, TensorEntry>(header.Entries.Count, StringComparer.Ordinal);
        foreach (TensorEntry entry in header.Entries)
        {
            inFile.Add(entry.Name, entry);
            if (!targets.ContainsKey(entry.Name) && !allowUnexpected)
            {
                throw new CheckpointException(
                    name, entry.Name,
                    $"the checkpoint holds this tensor but no target has its name (targets: {string.Join(", ", targets.Keys)}); pass allowUnexpected: true to skip tensors without a target.");
            }
        }
        foreach (var (targetName, target) in targets)
        {
            if (!inFile.TryGetValue(targetName, out TensorEntry? entry))
            {
                throw new CheckpointException(
                    name, targetName,
                    $"the checkpoint has no tensor of this name; it holds: {(inFile.Count == 0 ? "no tensors" : string.Join(", ", inFile.Keys))}.");
            }
            if (entry.Shape != target.Shape)
            {
                throw new CheckpointException(
                    name, targetName, $"the checkpoint's tensor has shape {entry.FileShape} but the target has shape {target.Shape}.");
            }
        }
    }

    /// <summary>Converts an entry's little-endian bytes to float32 values in <paramref name="destination"/>.</summary>
    private static void Decode(TensorEntry entry, byte[] data, Span<float> destination)
    {
        ReadOnlySpan<byte> bytes = data.AsSpan((int)entry.Begin, (int)(entry.End - entry.Begin));
        switch (entry.Type)
        {
            case ElementType.F32 when BitConverter.IsLittleEndian:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
                break;
            case ElementType.F32:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4));
                }
                break;
            case ElementType.F16:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.Slice(i * 2));
                }
                break;
            case ElementType.BF16:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * 2)) << 16);
                }
                break;
            default:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(i * 8));
                }
                break;
        }
    }
}
