using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Tests.Data;

/// <summary>
/// <see cref="CsvLoader"/>: values and labels read as written, the label column chosen by index or name, the
/// invariant culture, gzip detected by name and by signature, and a clear error (source, line, column) for every
/// kind of bad input, including truncated and corrupt gzip.
/// </summary>
public sealed class CsvLoaderTests
{
    private static Dataset LoadText(string text, CsvOptions? options = null, string name = "test.csv") =>
        CsvLoader.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)), name, options);

    private static CsvFormatException LoadFails(string text, CsvOptions? options = null, string name = "test.csv") =>
        Assert.Throws<CsvFormatException>(() => LoadText(text, options, name));

    private static byte[] Gzip(string text)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return output.ToArray();
    }

    private const string Small = "1.5,-2,0\n3,4e-1,2\n\n-0.25,7,1\n";

    private static void AssertSmall(Dataset data)
    {
        Assert.Equal(3, data.Count);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal(new float[] { 1.5f, -2f, 3f, 0.4f, -0.25f, 7f }, data.Features.ToArray());
        Assert.Equal(new[] { 0, 2, 1 }, data.Labels.ToArray());
    }

    // ---------------------------------------------------------------- reading

    [Fact]
    public void Reads_features_and_the_last_column_as_labels_skipping_blank_lines()
    {
        AssertSmall(LoadText(Small));
    }

    [Fact]
    public void Reads_crlf_line_endings_and_spaces_around_fields()
    {
        AssertSmall(LoadText("1.5 , -2, 0\r\n3,4e-1 ,2\r\n-0.25,7,1"));
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_not_part_of_the_first_value()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Small)];
        AssertSmall(CsvLoader.Load(new MemoryStream(bytes), "bom.csv"));
    }

    [Fact]
    public void Label_column_by_index_from_the_start_or_the_end()
    {
        var first = LoadText("2,1.5,-2\n0,3,4\n", new CsvOptions { LabelColumn = 0 });
        Assert.Equal(new[] { 2, 0 }, first.Labels.ToArray());
        Assert.Equal(new float[] { 1.5f, -2f, 3f, 4f }, first.Features.ToArray());

        var middle = LoadText("1.5,1,-2\n3,0,4\n", new CsvOptions { LabelColumn = -2 });
        Assert.Equal(new[] { 1, 0 }, middle.Labels.ToArray());
        Assert.Equal(new float[] { 1.5f, -2f, 3f, 4f }, middle.Features.ToArray());
    }

    [Fact]
    public void Label_column_by_header_name()
    {
        var data = LoadText("\"width\",class,height\n1.5,1,-2\n3,0,4\n", new CsvOptions { HasHeader = true, LabelColumnName = "class" });
        Assert.Equal(new[] { 1, 0 }, data.Labels.ToArray());
        Assert.Equal(new float[] { 1.5f, -2f, 3f, 4f }, data.Features.ToArray());
    }

    [Fact]
    public void Skip_lines_header_separator_and_class_count_options()
    {
        var data = LoadText("a comment line\nx;y;label\n1;2;0\n", new CsvOptions { SkipLines = 1, HasHeader = true, Separator = ';', ClassCount = 5 });
        Assert.Equal(new float[] { 1f, 2f }, data.Features.ToArray());
        Assert.Equal(5, data.ClassCount);
    }

    [Fact]
    public void Labels_written_as_whole_floats_are_accepted()
    {
        var data = LoadText("1,2.0\n3,0.0\n");
        Assert.Equal(new[] { 2, 0 }, data.Labels.ToArray());
    }

    [Fact]
    public void Numbers_are_read_in_the_invariant_culture_whatever_the_current_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            AssertSmall(LoadText(Small));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void A_file_on_disk_and_its_gzip_give_the_same_dataset()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("plain.csv"), Small);
        File.WriteAllBytes(temp.File("packed.csv.gz"), Gzip(Small));
        AssertSmall(CsvLoader.Load(temp.File("plain.csv")));
        AssertSmall(CsvLoader.Load(temp.File("packed.csv.gz")));
    }

    [Fact]
    public void Gzip_is_detected_by_its_signature_without_the_gz_extension()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("packed.csv"), Gzip(Small));
        AssertSmall(CsvLoader.Load(temp.File("packed.csv")));
    }

    // ---------------------------------------------------------------- errors

    [Fact]
    public void A_value_that_is_not_a_number_names_line_column_and_value()
    {
        var e = LoadFails("1,2,0\n3,abc,1\n");
        Assert.Equal(2, e.Line);
        Assert.Equal(2, e.Column);
        Assert.Contains("test.csv, line 2, column 2", e.Message);
        Assert.Contains("'abc' is not a number", e.Message);
    }

    [Fact]
    public void A_decimal_comma_is_not_a_number()
    {
        var e = LoadFails("2;0\n1,5;1\n", new CsvOptions { Separator = ';' });
        Assert.Contains("line 2, column 1: '1,5' is not a number", e.Message);
    }

    [Fact]
    public void Empty_and_non_finite_values_are_errors()
    {
        var empty = LoadFails("1,2,0\n3,,1\n");
        Assert.Contains("line 2, column 2: the value is empty", empty.Message);
        var nan = LoadFails("1,NaN,0\n");
        Assert.Contains("line 1, column 2", nan.Message);
        Assert.Contains("not a finite float32", nan.Message);
        var huge = LoadFails("1,1e39,0\n");
        Assert.Contains("not a finite float32", huge.Message);
    }

    [Fact]
    public void A_ragged_row_names_its_line_and_the_expected_field_count()
    {
        var e = LoadFails("1,2,0\n3,4,1\n5,6,7,1\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("line 3: the row has 4 fields but line 1 (the first row) has 3", e.Message);

        var shortRow = LoadFails("x,y,label\n1,2,0\n3,1\n", new CsvOptions { HasHeader = true });
        Assert.Contains("line 3: the row has 2 fields but line 1 (the header) has 3", shortRow.Message);
    }

    [Fact]
    public void Empty_files_are_errors()
    {
        Assert.Contains("the file is empty", LoadFails("").Message);
        Assert.Contains("no data rows after line 3", LoadFails("\n  \n\n").Message);
        Assert.Contains("no data rows after line 1", LoadFails("x,y,label\n", new CsvOptions { HasHeader = true }).Message);
        Assert.Contains("fewer than the 3 to skip", LoadFails("1,0\n", new CsvOptions { SkipLines = 3 }).Message);
    }

    [Fact]
    public void Bad_labels_name_line_and_column()
    {
        var fraction = LoadFails("1,2,0\n3,4,1.5\n");
        Assert.Contains("line 2, column 3: the label '1.5' is not a class index", fraction.Message);
        var negative = LoadFails("1,2,-1\n");
        Assert.Contains("line 1, column 3: the label -1 is negative", negative.Message);
        var tooLarge = LoadFails("1,2,0\n3,4,3\n", new CsvOptions { ClassCount = 3 });
        Assert.Contains("line 2, column 3: the label 3 is outside 0..2", tooLarge.Message);
    }

    [Fact]
    public void A_missing_label_column_is_an_error_naming_the_columns_there_are()
    {
        var byName = LoadFails("x,y,kind\n1,2,0\n", new CsvOptions { HasHeader = true, LabelColumnName = "class" });
        Assert.Contains("no column named 'class'", byName.Message);
        Assert.Contains("x, y, kind", byName.Message);
        var byIndex = LoadFails("1,2,0\n", new CsvOptions { LabelColumn = 3 });
        Assert.Contains("label column 3", byIndex.Message);
        Assert.Contains("rows of 3 fields", byIndex.Message);
        var single = LoadFails("1\n2\n");
        Assert.Contains("at least one feature column and a label column", single.Message);
    }

    [Fact]
    public void A_label_column_name_without_a_header_is_rejected_up_front()
    {
        var e = Assert.Throws<ArgumentException>(() => LoadText(Small, new CsvOptions { LabelColumnName = "class" }));
        Assert.Contains("HasHeader", e.Message);
    }

    [Fact]
    public void A_gz_name_without_the_gzip_signature_is_an_error()
    {
        var e = LoadFails(Small, name: "data.csv.gz");
        Assert.Contains("data.csv.gz", e.Message);
        Assert.Contains("does not start with the gzip signature 1F 8B", e.Message);
    }

    [Fact]
    public void A_truncated_gzip_file_is_an_error_not_a_partial_dataset()
    {
        // Long enough that half of the compressed stream still decompresses to whole rows.
        var text = new StringBuilder();
        for (int i = 0; i < 2000; i++)
        {
            text.Append(i).Append(',').Append(i * 7 % 13).Append(',').Append(i % 3).Append('\n');
        }
        byte[] whole = Gzip(text.ToString());
        using var temp = new TempDirectory();
        foreach (int keep in new[] { whole.Length / 2, whole.Length - 4, whole.Length - 1, 10 })
        {
            string path = temp.File($"cut{keep}.csv.gz");
            File.WriteAllBytes(path, whole.AsSpan(0, keep).ToArray());
            var e = Assert.Throws<CsvFormatException>(() => CsvLoader.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void A_corrupt_gzip_file_is_an_error()
    {
        byte[] bytes = Gzip(Small + Small + Small);
        bytes[bytes.Length / 2] ^= 0x5A;
        bytes[bytes.Length / 2 + 1] ^= 0xA5;
        var e = Assert.Throws<CsvFormatException>(() => CsvLoader.Load(new MemoryStream(bytes), "x.gz"));
        Assert.Contains("corrupt", e.Message);
    }

    // ---------------------------------------------------------------- the shipped sample data

    [Fact]
    public void The_uci_digits_file_holds_1797_images_of_8x8_pixels_labelled_0_to_9()
    {
        var digits = CsvLoader.Load(TestFiles.SampleData("digits.csv.gz"));
        Assert.Equal(1797, digits.Count);
        Assert.Equal(64, digits.FeatureCount);
        Assert.Equal(10, digits.ClassCount);
        // Per-class counts and the first row as printed by `zcat digits.csv.gz | cut -d, -f65 | sort | uniq -c` and `head -1`.
        Assert.Equal(new[] { 178, 182, 177, 183, 181, 182, 181, 179, 174, 180 }, digits.ClassCounts());
        Assert.Equal(new float[] { 0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0 }, digits.Row(0).Span.Slice(0, 16).ToArray());
        Assert.Equal(0, digits.Label(0));
        Assert.Equal(1, digits.Label(1));
        foreach (float pixel in digits.Features.Span)
        {
            Assert.InRange(pixel, 0f, 16f);
        }
    }

    [Fact]
    public void The_iris_file_needs_its_first_line_skipped_and_holds_150_flowers_of_3_species()
    {
        string path = TestFiles.SampleData("iris.csv");
        // Read as plain data, the first line (150,4,setosa,versicolor,virginica) is not numeric.
        var e = Assert.Throws<CsvFormatException>(() => CsvLoader.Load(path));
        Assert.Contains("line 1, column 3: 'setosa' is not a number", e.Message);

        var iris = CsvLoader.Load(path, new CsvOptions { SkipLines = 1 });
        Assert.Equal(150, iris.Count);
        Assert.Equal(4, iris.FeatureCount);
        Assert.Equal(3, iris.ClassCount);
        Assert.Equal(new[] { 50, 50, 50 }, iris.ClassCounts());
        Assert.Equal(new float[] { 5.1f, 3.5f, 1.4f, 0.2f }, iris.Row(0).ToArray());
        Assert.Equal(new float[] { 5.9f, 3.0f, 5.1f, 1.8f }, iris.Row(149).ToArray());
        Assert.Equal(2, iris.Label(149));
    }
}
