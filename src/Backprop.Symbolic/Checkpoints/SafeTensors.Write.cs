using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Checkpoints;

/// <summary>
/// Checkpoints in the <a href="https://github.com/huggingface/safetensors">safetensors</a> format, readable by
/// PyTorch, JAX and Hugging Face tools: an 8-byte little-endian header length, a JSON header
/// (<c>{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}</c>) padded
/// with spaces to a multiple of 8 bytes, then the tensors' raw little-endian bytes, back to back.
/// </summary>
/// <remarks>
/// <para><see cref="Save"/> is atomic: it writes a temporary file in the target's directory, flushes it to disk
/// and renames it over the target, so a crash leaves either the old checkpoint or the new one, never a torn file.</para>
/// <para><see cref="LoadInto(string, IEnumerable{KeyValuePair{string, Tensor}}, bool)"/> validates the whole file
/// against its targets (header, offsets, sizes, names, shapes) before it writes any value: a corrupt, truncated or
/// mismatched file throws <see cref="CheckpointException"/> naming the tensor and the problem, and leaves the
/// targets untouched.</para>
/// <para>Tensors are written as F32. Reading accepts F32 and converts F16, BF16 and F64; other dtypes are an
/// error. A rank-0 (scalar) tensor is read as shape [1]; ranks above 4 are an error.</para>
/// </remarks>
public static partial class SafeTensors
{
    private const int Alignment = 8;

    /// <summary>
    /// Writes <paramref name="tensors"/> (in the given order) and <paramref name="metadata"/> to <paramref name="path"/>
    /// atomically: a temporary file in the same directory, flushed to disk, then moved over <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The checkpoint file; replaced if it exists.</param>
    /// <param name="tensors">Names and tensors, e.g. a dictionary or a parameter set's named tensors.</param>
    /// <param name="metadata">Strings stored under <c>__metadata__</c> (e.g. the epoch, the model's options); may be null.</param>
    /// <exception cref="ArgumentException">A name is empty, repeated or <c>__metadata__</c>, or a tensor is <c>default</c>.</exception>
    public static void Save(
        string path,
        IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = Collect(tensors);
        byte[] header = BuildHeader(list, metadata);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                WriteContent(file, header, list);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Writes a safetensors image of <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="destination"/>
    /// (not atomic; use <see cref="Save"/> for files). The stream is not flushed or disposed.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or <c>__metadata__</c>, or a tensor is <c>default</c>.</exception>
    public static void Write(
        Stream destination,
        IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = Collect(tensors);
        WriteContent(destination, BuildHeader(list, metadata), list);
    }

    private static List<KeyValuePair<string, Tensor>> Collect(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var list = new List<KeyValuePair<string, Tensor>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in tensors)
        {
            if (string.IsNullOrEmpty(pair.Key))
            {
                throw new ArgumentException($"Tensor {list.Count} has no name; every tensor in a checkpoint needs a unique name.", nameof(tensors));
            }
            if (pair.Key == SafeTensorsHeader.MetadataKey)
            {
                throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved for the metadata; choose another tensor name.", nameof(tensors));
            }
            if (!names.Add(pair.Key))
            {
                throw new ArgumentException($"The name '{pair.Key}' is given twice; tensor names in a checkpoint must be unique.", nameof(tensors));
            }
            if (pair.Value.IsDefault)
            {
                throw new ArgumentException($"Tensor '{pair.Key}' is default(Tensor), which has no memory to save.", nameof(tensors));
            }
            list.Add(pair);
        }
        return list;
    }

    /// <summary>The header JSON (compact, metadata first, tensors in order) padded with spaces to a multiple of 8 bytes.</summary>
    private static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> tensors, IEnumerable<KeyValuePair<string, string>>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                bool any = false;
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var pair in metadata)
                {
                    if (pair.Key is null || pair.Value is null)
                    {
                        throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
                    }
                    if (!keys.Add(pair.Key))
                    {
                        throw new ArgumentException($"The metadata key '{pair.Key}' is given twice.", nameof(metadata));
                    }
                    if (!any)
                    {
                        json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                        any = true;
                    }
                    json.WriteString(pair.Key, pair.Value);
                }
                if (any)
                {
                    json.WriteEndObject();
                }
            }
            long offset = 0;
            Span<int> dims = stackalloc int[TensorShape.MaxRank];
            foreach (var (name, tensor) in tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", SafeTensorsHeader.Name(ElementType.F32));
                json.WriteStartArray("shape");
                tensor.Shape.CopyTo(dims);
                for (int i = 0; i < tensor.Rank; i++)
                {
                    json.WriteNumberValue(dims[i]);
                }
                json.WriteEndArray();
                long end = offset + ((long)tensor.Length * sizeof(float));
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        int padded = (buffer.WrittenCount + Alignment - 1) / Alignment * Alignment;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteContent(Stream destination, byte[] header, List<KeyValuePair<string, Tensor>> tensors)
    {
        Span<byte> length = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        destination.Write(length);
        destination.Write(header);
        byte[]? swapped = null;
        foreach (var (_, tensor) in tensors)
        {
            ReadOnlySpan<float> values = tensor.Span;
            if (BitConverter.IsLittleEndian)
            {
                destination.Write(MemoryMarshal.AsBytes(values));
                continue;
            }
            swapped ??= new byte[4096];
            for (int start = 0; start < values.Length; start += swapped.Length / sizeof(float))
            {
                int count = Math.Min(swapped.Length / sizeof(float), values.Length - start);
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(swapped.AsSpan(i * sizeof(float)), values[start + i]);
                }
                destination.Write(swapped, 0, count * sizeof(float));
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
