using System;
using System.Linq;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Tests.Data;

/// <summary>
/// <see cref="DatasetSplitter"/>: the parts are disjoint and cover the dataset, their sizes follow the fractions,
/// stratification keeps class proportions, the rows are copied faithfully and the same seed gives the same split.
/// </summary>
public sealed class DatasetSplitterTests
{
    private static void AssertPartition(Dataset data, DatasetSplit split)
    {
        int[] all = split.TrainRows.Concat(split.ValidationRows).Concat(split.TestRows).ToArray();
        Assert.Equal(Enumerable.Range(0, data.Count), all.Order());
        foreach (var (part, rows) in new[] { (split.Train, split.TrainRows), (split.Validation, split.ValidationRows), (split.Test, split.TestRows) })
        {
            Assert.Equal(rows.Length, part.Count);
            Assert.Equal(data.ClassCount, part.ClassCount);
            for (int i = 0; i < rows.Length; i++)
            {
                Assert.Equal(data.Row(rows[i]).ToArray(), part.Row(i).ToArray());
                Assert.Equal(data.Label(rows[i]), part.Label(i));
            }
        }
    }

    [Fact]
    public void A_random_split_is_a_partition_with_sizes_from_the_fractions()
    {
        var data = DataFixtures.Numbered(101, 3, 4);
        DatasetSplit split = DatasetSplitter.Split(data, 0.7, 0.1, 0.2, seed: 3);
        AssertPartition(data, split);
        Assert.Equal(20, split.Test.Count);        // round(20.2)
        Assert.Equal(10, split.Validation.Count);  // round(10.1)
        Assert.Equal(71, split.Train.Count);       // the rest
        Assert.NotEqual(Enumerable.Range(0, 71), split.TrainRows);
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var data = DataFixtures.Numbered(60, 2, 3);
        var a = DatasetSplitter.TrainTest(data, 0.25, seed: 9);
        var b = DatasetSplitter.TrainTest(data, 0.25, seed: 9);
        var c = DatasetSplitter.TrainTest(data, 0.25, seed: 10);
        Assert.Equal(a.TestRows, b.TestRows);
        Assert.Equal(a.TrainRows, b.TrainRows);
        Assert.NotEqual(a.TestRows.Order(), c.TestRows.Order());
        Assert.Equal(0, a.Validation.Count);
        AssertPartition(data, a);
    }

    [Fact]
    public void A_stratified_split_keeps_each_class_share_in_every_part()
    {
        // Unbalanced classes: 60, 30 and 10 rows.
        int[] labels = Enumerable.Range(0, 100).Select(i => i < 60 ? 0 : i < 90 ? 1 : 2).ToArray();
        var data = new Dataset(DataFixtures.Numbered(100, 2, 1).Features, labels, 3);
        DatasetSplit split = DatasetSplitter.Split(data, 0.6, 0.2, 0.2, seed: 4, stratify: true);
        AssertPartition(data, split);
        Assert.Equal(new[] { 12, 6, 2 }, split.Test.ClassCounts());
        Assert.Equal(new[] { 12, 6, 2 }, split.Validation.ClassCounts());
        Assert.Equal(new[] { 36, 18, 6 }, split.Train.ClassCounts());
    }

    [Fact]
    public void A_stratified_split_of_the_digits_keeps_class_proportions_within_one_row()
    {
        var digits = CsvLoader.Load(TestFiles.SampleData("digits.csv.gz"));
        DatasetSplit split = DatasetSplitter.TrainTest(digits, 0.2, seed: 1, stratify: true);
        AssertPartition(digits, split);
        int[] whole = digits.ClassCounts();
        int[] test = split.Test.ClassCounts();
        for (int c = 0; c < 10; c++)
        {
            Assert.InRange(test[c], (whole[c] * 0.2) - 0.5, (whole[c] * 0.2) + 0.5);
        }
    }

    [Theory]
    [InlineData(0.5, 0.2, 0.2)]
    [InlineData(0.9, 0.2, -0.1)]
    [InlineData(double.NaN, 0.5, 0.5)]
    [InlineData(1.2, 0, -0.2)]
    public void Fractions_must_lie_in_0_to_1_and_sum_to_1(double train, double validation, double test)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplitter.Split(DataFixtures.Numbered(10, 1, 2), train, validation, test, seed: 0));
    }
}
