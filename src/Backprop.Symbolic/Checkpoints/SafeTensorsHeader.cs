using System;
using System.Collections.Generic;
using System.Text.Json;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Checkpoints;

/// <summary>The element types this library reads; <see cref="F32"/> is the one it writes.</summary>
internal enum ElementType
{
    F32,
    F16,
    BF16,
    F64,
}

/// <summary>One tensor's header entry, checked for consistency on its own (dtype known, shape and byte size agree).</summary>
internal sealed record TensorEntry(string Name, ElementType Type, TensorShape Shape, string FileShape, long Begin, long End);

/// <summary>
/// The parsed and validated JSON header of a safetensors file: the tensor entries in header order and the
/// <c>__metadata__</c> strings. <see cref="Parse"/> checks the JSON and every entry on its own; <see cref="CheckOffsets"/>
/// checks the entries together against the data section's length (contiguous, non-overlapping, covering it).
/// </summary>
internal sealed class SafeTensorsHeader
{
    internal const string MetadataKey = "__metadata__";

    private SafeTensorsHeader(List<TensorEntry> entries, Dictionary<string, string> metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The tensors, in the order the header lists them.</summary>
    internal List<TensorEntry> Entries { get; }

    /// <summary>The metadata strings.</summary>
    internal Dictionary<string, string> Metadata { get; }

    /// <summary>The name safetensors gives an element type in the header.</summary>
    internal static string Name(ElementType type) => type switch
    {
        ElementType.F32 => "F32",
        ElementType.F16 => "F16",
        ElementType.BF16 => "BF16",
        _ => "F64",
    };

    /// <summary>Bytes per element.</summary>
    internal static int Size(ElementType type) => type switch
    {
        ElementType.F16 or ElementType.BF16 => 2,
        ElementType.F32 => 4,
        _ => 8,
    };

    /// <summary>Parses and checks the header JSON; <paramref name="dataLength"/> is the number of bytes after the header.</summary>
    internal static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string source)
    {
        var entries = new List<TensorEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new CheckpointException(source, null, "the header is not a JSON object; the file is corrupt or not a safetensors file.");
            }
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                string name = reader.GetString()!;
                if (name == MetadataKey)
                {
                    if (sawMetadata)
                    {
                        throw new CheckpointException(source, null, $"the header has '{MetadataKey}' twice.");
                    }
                    sawMetadata = true;
                    ReadMetadata(ref reader, metadata, source);
                    continue;
                }
                if (!names.Add(name))
                {
                    throw new CheckpointException(source, name, "the header lists this name twice; tensor names must be unique.");
                }
                entries.Add(ReadEntry(ref reader, name, source));
            }
            if (reader.Read())
            {
                throw new CheckpointException(source, null, "the header has content after its JSON object.");
            }
        }
        catch (JsonException e)
        {
            throw new CheckpointException(
                source, null, $"the header is not valid JSON ({e.Message}); the file is corrupt or not a safetensors file.", e);
        }
        CheckOffsets(entries, dataLength, source);
        return new SafeTensorsHeader(entries, metadata);
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("The JSON ends before the object is closed.");
        }
        return reader.TokenType;
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string source)
    {
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            throw new CheckpointException(source, null, $"'{MetadataKey}' is not an object of strings.");
        }
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            if (Next(ref reader) != JsonTokenType.String)
            {
                throw new CheckpointException(source, null, $"'{MetadataKey}' entry '{key}' is a {reader.TokenType}, not a string; metadata maps strings to strings.");
            }
            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw new CheckpointException(source, null, $"'{MetadataKey}' has the key '{key}' twice.");
            }
        }
    }

    private static TensorEntry ReadEntry(ref Utf8JsonReader reader, string name, string source)
    {
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            throw new CheckpointException(source, name, $"the header entry is a {reader.TokenType}, not an object with dtype, shape and data_offsets.");
        }
        string? dtype = null;
        List<long>? shape = null;
        List<long>? offsets = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype":
                    if (dtype is not null)
                    {
                        throw Duplicate(source, name, field);
                    }
                    if (Next(ref reader) != JsonTokenType.String)
                    {
                        throw new CheckpointException(source, name, $"'dtype' is a {reader.TokenType}, not a string such as \"F32\".");
                    }
                    dtype = reader.GetString()!;
                    break;
                case "shape":
                    shape = shape is null ? ReadIntegers(ref reader, name, field, source) : throw Duplicate(source, name, field);
                    break;
                case "data_offsets":
                    offsets = offsets is null ? ReadIntegers(ref reader, name, field, source) : throw Duplicate(source, name, field);
                    break;
                default:
                    reader.Read();
                    reader.Skip();
                    break;
            }
        }
        if (dtype is null || shape is null || offsets is null)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw new CheckpointException(source, name, $"the header entry has no '{missing}'; each tensor needs dtype, shape and data_offsets.");
        }
        return MakeEntry(name, dtype, shape, offsets, source);
    }

    private static CheckpointException Duplicate(string source, string name, string field) =>
        new(source, name, $"the header entry has '{field}' twice.");

    private static List<long> ReadIntegers(ref Utf8JsonReader reader, string name, string field, string source)
    {
        if (Next(ref reader) != JsonTokenType.StartArray)
        {
            throw new CheckpointException(source, name, $"'{field}' is a {reader.TokenType}, not an array of whole numbers.");
        }
        var values = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
            {
                string text = reader.TokenType == JsonTokenType.Number
                    ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan)
                    : reader.TokenType.ToString();
                throw new CheckpointException(source, name, $"'{field}' holds {text}, which is not a whole number ≥ 0.");
            }
            values.Add(value);
        }
        return values;
    }

    private static TensorEntry MakeEntry(string name, string dtype, List<long> shape, List<long> offsets, string source)
    {
        ElementType type = dtype switch
        {
            "F32" => ElementType.F32,
            "F16" => ElementType.F16,
            "BF16" => ElementType.BF16,
            "F64" => ElementType.F64,
            _ => throw new CheckpointException(
                source, name, $"unsupported dtype '{dtype}'; this library reads F32 (and converts F16, BF16 and F64 to float32)."),
        };
        string fileShape = "[" + string.Join(", ", shape) + "]";
        if (shape.Count > TensorShape.MaxRank)
        {
            throw new CheckpointException(
                source, name, $"shape {fileShape} has rank {shape.Count}; a Tensor has at most {TensorShape.MaxRank} dimensions.");
        }
        if (offsets.Count != 2)
        {
            throw new CheckpointException(
                source, name, $"'data_offsets' holds {offsets.Count} numbers; it must be [begin, end].");
        }
        long elements = 1;
        foreach (long dimension in shape)
        {
            elements = dimension == 0 ? 0 : elements <= int.MaxValue / dimension ? elements * dimension : long.MaxValue;
        }
        if (elements > int.MaxValue)
        {
            throw new CheckpointException(source, name, $"shape {fileShape} has more than {int.MaxValue} elements.");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin)
        {
            throw new CheckpointException(source, name, $"data_offsets [{begin}, {end}] end before they begin.");
        }
        long expected = elements * Size(type);
        if (end - begin != expected)
        {
            throw new CheckpointException(
                source, name,
                $"data_offsets [{begin}, {end}] hold {end - begin} bytes but shape {fileShape} of {dtype} needs {elements} × {Size(type)} = {expected} bytes.");
        }
        // A rank-0 tensor (a scalar) is read as a vector of one element.
        Span<int> dims = stackalloc int[Math.Max(1, shape.Count)];
        dims[0] = 1;
        for (int i = 0; i < shape.Count; i++)
        {
            dims[i] = (int)shape[i];
        }
        return new TensorEntry(name, type, new TensorShape(dims), fileShape, begin, end);
    }

    /// <summary>
    /// Checks that the entries' byte ranges lie inside the data section, do not overlap, leave no hole, and cover it
    /// to its last byte, as the format requires.
    /// </summary>
    private static void CheckOffsets(List<TensorEntry> entries, long dataLength, string source)
    {
        foreach (TensorEntry entry in entries)
        {
            if (entry.End > dataLength)
            {
                throw new CheckpointException(
                    source, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] reach beyond the {dataLength} data bytes after the header; the file is truncated.");
            }
        }
        var sorted = new List<TensorEntry>(entries);
        sorted.Sort(static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long covered = 0;
        TensorEntry? previous = null;
        foreach (TensorEntry entry in sorted)
        {
            if (entry.Begin < covered)
            {
                throw new CheckpointException(
                    source, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] overlap those of tensor '{previous!.Name}' [{previous.Begin}, {previous.End}].");
            }
            if (entry.Begin > covered)
            {
                throw new CheckpointException(
                    source, entry.Name,
                    previous is null
                        ? $"data_offsets [{entry.Begin}, {entry.End}] leave bytes 0..{entry.Begin - 1} of the data unused; the data must be contiguous from offset 0."
                        : $"data_offsets [{entry.Begin}, {entry.End}] leave a hole after tensor '{previous.Name}' (which ends at {previous.End}); the data must be contiguous.");
            }
            covered = entry.End;
            previous = entry;
        }
        if (covered != dataLength)
        {
            throw new CheckpointException(
                source, null,
                $"the file has {dataLength} data bytes after the header but the tensors cover {covered}; {dataLength - covered} bytes at the end belong to no tensor (corrupt file).");
        }
    }
}
