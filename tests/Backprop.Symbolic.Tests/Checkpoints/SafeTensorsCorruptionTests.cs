using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Backprop.Symbolic.Checkpoints;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Tests.Checkpoints.SafeTensorsFormatTests;

namespace Backprop.Symbolic.Tests.Checkpoints;

/// <summary>
/// Every kind of bad checkpoint — truncated, corrupt header, inconsistent offsets and sizes, unsupported dtype, and
/// files that do not fit their targets — throws <see cref="CheckpointException"/> whose message names the tensor (or
/// the file) and the problem, and leaves the target tensors exactly as they were.
/// </summary>
public sealed class SafeTensorsCorruptionTests
{
    private const float Sentinel = 42.5f;

    /// <summary>Targets "w" [2, 2] and "b" [2], filled with <see cref="Sentinel"/>.</summary>
    private static KeyValuePair<string, Tensor>[] Targets()
    {
        var w = Tensor.Zeros(2, 2);
        var b = Tensor.Zeros(2);
        w.Fill(Sentinel);
        b.Fill(Sentinel);
        return [new("w", w), new("b", b)];
    }

    private const string GoodJson =
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";

    private static byte[] Data(int bytes) => Enumerable.Range(0, bytes).Select(i => (byte)(i * 37)).ToArray();

    /// <summary>
    /// Loads <paramref name="file"/> into fresh targets and as a dictionary; both must fail. Returns the load-into
    /// exception after checking that the targets kept their values.
    /// </summary>
    private static CheckpointException LoadFails(byte[] file, KeyValuePair<string, Tensor>[]? targets = null, bool allowUnexpected = false)
    {
        targets ??= Targets();
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.LoadInto(new MemoryStream(file), "bad.safetensors", targets, allowUnexpected));
        Assert.StartsWith("bad.safetensors: ", e.Message);
        foreach (var (name, tensor) in targets)
        {
            Assert.True(tensor.ToArray().All(v => v == Sentinel), $"Target '{name}' was changed by a failed load: {tensor}.");
        }
        return e;
    }

    private static void AssertNames(CheckpointException e, string? tensor, params string[] fragments)
    {
        Assert.Equal(tensor, e.TensorName);
        if (tensor is not null)
        {
            Assert.Contains($"tensor '{tensor}': ", e.Message);
        }
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, e.Message);
        }
    }

    private static CheckpointException LoadAsDictionaryFails(byte[] file) =>
        Assert.Throws<CheckpointException>(() => SafeTensors.Load(new MemoryStream(file), "bad.safetensors"));

    [Fact]
    public void The_good_file_these_tests_corrupt_loads()
    {
        var targets = Targets();
        SafeTensors.LoadInto(new MemoryStream(Image(GoodJson, Data(24))), "good", targets);
        Assert.False(targets[0].Value.ToArray().Contains(Sentinel));
    }

    // ---------------------------------------------------------------- the length prefix and the header

    [Fact]
    public void A_file_shorter_than_the_length_prefix()
    {
        var e = LoadFails([0x38, 0, 0]);
        AssertNames(e, null, "3 bytes long", "truncated");
        LoadAsDictionaryFails([]);
    }

    [Fact]
    public void A_header_length_beyond_the_end_of_the_file()
    {
        byte[] file = Image(GoodJson, Data(24));
        BitConverter.GetBytes((ulong)file.Length).CopyTo(file, 0);
        var e = LoadFails(file);
        AssertNames(e, null, $"header length {file.Length} is more than the {file.Length - 8} bytes", "truncated");
    }

    [Fact]
    public void An_absurd_header_length()
    {
        byte[] file = Image(GoodJson, Data(24));
        BitConverter.GetBytes(ulong.MaxValue - 3).CopyTo(file, 0);
        AssertNames(LoadFails(file), null, "larger than the 100000000 bytes the format allows");
    }

    [Fact]
    public void A_header_cut_short()
    {
        // The JSON stops in the middle; the length prefix agrees with the cut.
        byte[] file = Image(GoodJson.Substring(0, 40));
        AssertNames(LoadFails(file), null, "not valid JSON");
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",,}}")]
    [InlineData("{\"w\" {}}")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}} trailing")]
    public void Invalid_json(string json)
    {
        AssertNames(LoadFails(Image(json, Data(16))), null, "not valid JSON");
    }

    [Fact]
    public void Json_that_is_not_an_object_or_has_a_malformed_entry()
    {
        AssertNames(LoadFails(Image("[1, 2]")), null, "not a JSON object");
        AssertNames(LoadFails(Image("{\"w\":[0,16]}", Data(16))), "w", "not an object with dtype, shape and data_offsets");
        AssertNames(LoadFails(Image("{\"__metadata__\":{\"epoch\":3}}")), null, "'epoch' is a Number, not a string");
    }

    [Theory]
    [InlineData("dtype", "{\"w\":{\"shape\":[2,2],\"data_offsets\":[0,16]}}")]
    [InlineData("shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,16]}}")]
    [InlineData("data_offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2]}}")]
    public void A_missing_field(string field, string json)
    {
        AssertNames(LoadFails(Image(json, Data(16))), "w", $"has no '{field}'");
    }

    [Theory]
    [InlineData("[2,-2]", "-2")]
    [InlineData("[2,2.5]", "2.5")]
    [InlineData("[2,\"2\"]", "String")]
    public void A_shape_that_is_not_whole_numbers(string shape, string shown)
    {
        string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,16]}}";
        AssertNames(LoadFails(Image(json, Data(16))), "w", $"'shape' holds {shown}, which is not a whole number");
    }

    [Fact]
    public void A_tensor_listed_twice()
    {
        string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[16,32]}}";
        AssertNames(LoadFails(Image(json, Data(32))), "w", "lists this name twice");
    }

    [Theory]
    [InlineData("I32")]
    [InlineData("U8")]
    [InlineData("f32")]
    public void An_unsupported_dtype(string dtype)
    {
        string json = GoodJson.Replace("\"b\":{\"dtype\":\"F32\"", $"\"b\":{{\"dtype\":\"{dtype}\"");
        var e = LoadFails(Image(json, Data(24)));
        AssertNames(e, "b", $"unsupported dtype '{dtype}'");
        Assert.Equal(e.Message, LoadAsDictionaryFails(Image(json, Data(24))).Message);
    }

    [Fact]
    public void A_rank_above_four()
    {
        string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1],\"data_offsets\":[0,4]}}";
        AssertNames(LoadFails(Image(json, Data(4))), "w", "rank 5");
    }

    // ---------------------------------------------------------------- offsets and sizes

    [Fact]
    public void Offsets_that_overlap()
    {
        string json = GoodJson.Replace("[16,24]", "[12,20]");
        AssertNames(LoadFails(Image(json, Data(24))), "b", "data_offsets [12, 20] overlap those of tensor 'w' [0, 16]");
    }

    [Fact]
    public void Offsets_that_leave_a_hole()
    {
        string json = GoodJson.Replace("[16,24]", "[20,28]");
        AssertNames(LoadFails(Image(json, Data(28))), "b", "leave a hole after tensor 'w' (which ends at 16)");
        string late = GoodJson.Replace("[0,16]", "[4,20]").Replace("[16,24]", "[20,28]");
        AssertNames(LoadFails(Image(late, Data(28))), "w", "leave bytes 0..3 of the data unused");
    }

    [Fact]
    public void Offsets_beyond_the_data()
    {
        string json = GoodJson.Replace("[16,24]", "[16,4000000000000]");
        AssertNames(LoadFails(Image(json, Data(24))), "b", "hold 3999999999984 bytes but shape [2] of F32 needs 2 × 4 = 8 bytes");
        string shifted = GoodJson.Replace("[16,24]", "[24,32]");
        AssertNames(LoadFails(Image(shifted, Data(24))), "b", "data_offsets [24, 32] reach beyond the 24 data bytes", "truncated");
    }

    [Fact]
    public void Offsets_that_end_before_they_begin()
    {
        string json = GoodJson.Replace("[16,24]", "[24,16]");
        AssertNames(LoadFails(Image(json, Data(24))), "b", "data_offsets [24, 16] end before they begin");
    }

    [Fact]
    public void A_byte_size_that_does_not_match_the_shape()
    {
        string json = GoodJson.Replace("\"shape\":[2,2]", "\"shape\":[2,3]");
        AssertNames(LoadFails(Image(json, Data(24))), "w", "data_offsets [0, 16] hold 16 bytes but shape [2, 3] of F32 needs 6 × 4 = 24 bytes");
    }

    [Fact]
    public void Bytes_after_the_last_tensor()
    {
        AssertNames(LoadFails(Image(GoodJson, Data(30))), null, "30 data bytes after the header but the tensors cover 24; 6 bytes");
    }

    [Fact]
    public void Truncated_data_names_the_tensor_cut_off()
    {
        var e = LoadFails(Image(GoodJson, Data(21)));
        AssertNames(e, "b", "data_offsets [16, 24] reach beyond the 21 data bytes", "truncated");
    }

    [Fact]
    public void Every_truncation_of_a_real_file_fails_and_leaves_the_targets_untouched()
    {
        var source = new MemoryStream();
        var saved = Targets();
        saved[0].Value.Span.Fill(1f);
        saved[1].Value.Span.Fill(2f);
        SafeTensors.Write(source, saved, new Dictionary<string, string> { ["k"] = "v" });
        byte[] whole = source.ToArray();
        for (int length = 0; length < whole.Length; length++)
        {
            LoadFails(whole.AsSpan(0, length).ToArray());
        }
    }

    // ---------------------------------------------------------------- the file against its targets

    [Fact]
    public void A_shape_that_differs_from_the_target()
    {
        string json = GoodJson.Replace("\"shape\":[2,2]", "\"shape\":[4,1]");
        AssertNames(LoadFails(Image(json, Data(24))), "w", "the checkpoint's tensor has shape [4, 1] but the target has shape [2, 2]");
        string flat = GoodJson.Replace("\"shape\":[2,2]", "\"shape\":[4]");
        AssertNames(LoadFails(Image(flat, Data(24))), "w", "shape [4] but the target has shape [2, 2]");
    }

    [Fact]
    public void A_tensor_missing_from_the_file()
    {
        string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        AssertNames(LoadFails(Image(json, Data(16))), "b", "the checkpoint has no tensor of this name; it holds: w");
    }

    [Fact]
    public void A_tensor_in_the_file_without_a_target_unless_allowed()
    {
        string json = GoodJson.Replace("}}", "},\"extra\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]}}");
        byte[] file = Image(json, Data(28));
        AssertNames(LoadFails(file), "extra", "no target has its name", "allowUnexpected");

        var targets = Targets();
        SafeTensors.LoadInto(new MemoryStream(file), "extra-allowed", targets, allowUnexpected: true);
        Assert.Equal(Data(24).Take(8).ToArray(), BitConverter.GetBytes(targets[0].Value[0, 0]).Concat(BitConverter.GetBytes(targets[0].Value[0, 1])));
    }

    [Fact]
    public void Bad_targets_are_argument_errors()
    {
        var file = new MemoryStream(Image(GoodJson, Data(24)));
        Assert.Throws<ArgumentException>(() => SafeTensors.LoadInto(file, "f", [new("w", Tensor.Zeros(2, 2)), new("w", Tensor.Zeros(2, 2))]));
        Assert.Throws<ArgumentException>(() => SafeTensors.LoadInto(file, "f", [new KeyValuePair<string, Tensor>("w", default)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.LoadInto(file, "f", [new KeyValuePair<string, Tensor>("", Tensor.Zeros(1))]));
    }

    [Fact]
    public void A_missing_file_is_a_file_not_found_error()
    {
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".safetensors")));
    }
}
