using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Backprop.Symbolic.Checkpoints;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Tests.Checkpoints;

/// <summary>
/// <see cref="SafeTensors"/> against the format itself: files whose bytes are derived by hand from the specification
/// (8-byte little-endian header length, compact JSON header padded with spaces to 8 bytes, raw little-endian data),
/// round trips of every rank, empty tensors and metadata, the other float dtypes, and atomic saving.
/// </summary>
public sealed class SafeTensorsFormatTests
{
    private static KeyValuePair<string, Tensor> Named(string name, Tensor tensor) => new(name, tensor);

    private static byte[] WriteToBytes(IEnumerable<KeyValuePair<string, Tensor>> tensors, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>A file image: the 8-byte little-endian length of <paramref name="json"/>, the JSON, then <paramref name="data"/>.</summary>
    internal static byte[] Image(string json, params byte[] data)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        return BitConverter.GetBytes((ulong)header.Length).Concat(header).Concat(data).ToArray();
    }

    // ---------------------------------------------------------------- bytes derived by hand

    [Fact]
    public void A_single_vector_is_written_byte_for_byte_as_the_format_specifies()
    {
        // {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} is 54 bytes; padded with 2 spaces to 56 = 0x38.
        const string Json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        Assert.Equal(54, Json.Length);
        byte[] expected =
        [
            0x38, 0, 0, 0, 0, 0, 0, 0,
            .. Encoding.ASCII.GetBytes(Json), (byte)' ', (byte)' ',
            0x00, 0x00, 0x80, 0x3F, // 1.0f
            0x00, 0x00, 0x00, 0xC0, // -2.0f
        ];

        byte[] actual = WriteToBytes([Named("a", Tensor.FromArray([1f, -2f]))]);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Metadata_comes_first_tensors_keep_their_order_and_an_empty_tensor_takes_no_bytes()
    {
        const string Json =
            "{\"__metadata__\":{\"epoch\":\"3\"}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}";
        Assert.Equal(138, Json.Length); // padded with 6 spaces to 144 = 0x90
        byte[] expected =
        [
            0x90, 0, 0, 0, 0, 0, 0, 0,
            .. Encoding.ASCII.GetBytes(Json), .. Encoding.ASCII.GetBytes("      "),
            0x00, 0x00, 0x00, 0x3F, // 0.5f
        ];

        byte[] actual = WriteToBytes(
            [Named("b", Tensor.FromArray([0.5f], 1, 1)), Named("a", Tensor.Zeros(0))],
            new Dictionary<string, string> { ["epoch"] = "3" });

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_file_written_by_hand_is_read()
    {
        // Tensors listed out of data order, header not padded, extra whitespace: all allowed by the format.
        byte[] file = Image(
            "{ \"w\": {\"data_offsets\": [8, 16], \"shape\": [2], \"dtype\": \"F32\"}, \"v\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]} }",
            0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40, // v = 1, 2
            0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x80, 0x40); // w = 3, 4

        Checkpoint checkpoint = SafeTensors.Load(new MemoryStream(file), "hand.safetensors");

        Assert.Equal(["w", "v"], checkpoint.Tensors.Select(t => t.Key));
        Assert.Equal([3f, 4f], checkpoint["w"].ToArray());
        Assert.Equal([1f, 2f], checkpoint["v"].ToArray());
        Assert.Empty(checkpoint.Metadata);
    }

    [Fact]
    public void F16_BF16_and_F64_are_converted_to_float32()
    {
        byte[] file = Image(
            "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
            "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}",
            0x00, 0x3E, 0x00, 0xC0, // F16 1.5, -2
            0xC0, 0x3F, 0x80, 0x3E, // BF16 1.5, 0.25
            0, 0, 0, 0, 0, 0, 0xF8, 0xBF); // F64 -1.5

        Checkpoint checkpoint = SafeTensors.Load(new MemoryStream(file), "mixed");

        Assert.Equal([1.5f, -2f], checkpoint["h"].ToArray());
        Assert.Equal([1.5f, 0.25f], checkpoint["b"].ToArray());
        Assert.Equal([-1.5f], checkpoint["d"].ToArray());
    }

    [Fact]
    public void A_rank_0_scalar_is_read_as_a_vector_of_one()
    {
        byte[] file = Image("{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", 0x00, 0x00, 0x20, 0x41); // 10f
        Checkpoint checkpoint = SafeTensors.Load(new MemoryStream(file), "scalar");
        Assert.Equal(TensorShape.Of(1), checkpoint["s"].Shape);
        Assert.Equal(10f, checkpoint["s"][0]);
    }

    // ---------------------------------------------------------------- round trips

    private static Tensor Filled(int seed, params int[] shape)
    {
        var tensor = Tensor.Zeros(shape);
        var random = new Random(seed);
        Span<float> values = tensor.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 4 - 2);
        }
        return tensor;
    }

    [Fact]
    public void Every_rank_empty_tensors_special_values_and_metadata_round_trip_exactly()
    {
        using var temp = new TempDirectory();
        string path = temp.File("model.safetensors");
        var special = Tensor.FromArray([float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue, 1e-40f]);
        KeyValuePair<string, Tensor>[] tensors =
        [
            Named("layer.0.weight", Filled(1, 3, 4)),
            Named("layer.0.bias", Filled(2, 4)),
            Named("conv", Filled(3, 2, 3, 4)),
            Named("conv4", Filled(4, 2, 1, 3, 2)),
            Named("empty", Tensor.Zeros(0)),
            Named("empty2d", Tensor.Zeros(2, 0, 3)),
            Named("special", special),
            Named("ünïcode name", Filled(5, 2)),
        ];
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "12", ["note"] = "quotes \" and \\ and\nnewline" };

        SafeTensors.Save(path, tensors, metadata);
        Checkpoint checkpoint = SafeTensors.Load(path);

        Assert.Equal(tensors.Select(t => t.Key), checkpoint.Tensors.Select(t => t.Key));
        foreach (var (name, expected) in tensors)
        {
            Tensor actual = checkpoint[name];
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(
                expected.ToArray().Select(BitConverter.SingleToInt32Bits),
                actual.ToArray().Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal(metadata.OrderBy(p => p.Key), checkpoint.Metadata.OrderBy(p => p.Key));
        Assert.Equal(0, (new FileInfo(path).Length - 8 - 4 * tensors.Sum(t => t.Value.Length)) % 8);
    }

    [Fact]
    public void Loading_into_views_of_one_buffer_restores_every_value()
    {
        using var temp = new TempDirectory();
        string path = temp.File("params.safetensors");
        var buffer = new float[12 + 4 + 4];
        var weights = new Tensor(buffer, 0, TensorShape.Of(3, 4));
        var bias = new Tensor(buffer, 12, TensorShape.Of(4));
        var scale = new Tensor(buffer, 16, TensorShape.Of(2, 2));
        Filled(7, 3, 4).CopyTo(weights);
        Filled(8, 4).CopyTo(bias);
        Filled(9, 2, 2).CopyTo(scale);
        float[] saved = (float[])buffer.Clone();
        KeyValuePair<string, Tensor>[] named = [Named("w", weights), Named("b", bias), Named("s", scale)];

        SafeTensors.Save(path, named, new Dictionary<string, string> { ["step"] = "100" });
        Array.Clear(buffer);
        IReadOnlyDictionary<string, string> metadata = SafeTensors.LoadInto(path, named.Reverse());

        Assert.Equal(saved, buffer);
        Assert.Equal("100", metadata["step"]);
    }

    [Fact]
    public void Save_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var temp = new TempDirectory();
        string path = temp.File("ckpt.safetensors");
        SafeTensors.Save(path, [Named("x", Tensor.FromArray([1f, 2f, 3f]))]);
        SafeTensors.Save(path, [Named("y", Tensor.FromArray([4f]))]);

        Checkpoint checkpoint = SafeTensors.Load(path);
        Assert.Equal(["y"], checkpoint.Tensors.Select(t => t.Key));
        Assert.Equal([4f], checkpoint["y"].ToArray());
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void A_save_that_is_refused_leaves_the_existing_file_as_it_was()
    {
        using var temp = new TempDirectory();
        string path = temp.File("ckpt.safetensors");
        SafeTensors.Save(path, [Named("x", Tensor.FromArray([1f, 2f, 3f]))]);
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Named("x", Tensor.FromArray([1f])), Named("x", Tensor.FromArray([2f]))]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Named("__metadata__", Tensor.FromArray([1f]))]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Named("", Tensor.FromArray([1f]))]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Named("d", default)]));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Save_into_a_missing_directory_fails_without_leaving_anything()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "no-such-dir", "ckpt.safetensors");
        Assert.ThrowsAny<IOException>(() => SafeTensors.Save(path, [Named("x", Tensor.FromArray([1f]))]));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }
}
