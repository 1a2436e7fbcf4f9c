using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Data;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Tests.Data;

/// <summary>
/// <see cref="MinibatchIterator"/>: every row once per epoch, features and labels kept together, partial batches kept
/// or dropped, seeded and reproducible order, one-hot targets, and no allocation per batch.
/// </summary>
public sealed class MinibatchIteratorTests
{
    /// <summary>The rows of each batch of one epoch, checking that features, labels, targets and <see cref="Minibatch.Rows"/> agree.</summary>
    private static List<int[]> Epoch(MinibatchIterator batches, Dataset data)
    {
        var result = new List<int[]>();
        foreach (Minibatch batch in batches.NextEpoch())
        {
            Assert.Equal(result.Count, batch.Index);
            Assert.Equal(TensorShape.Of(batch.Count, data.FeatureCount), batch.Features.Shape);
            var rows = new int[batch.Count];
            for (int i = 0; i < batch.Count; i++)
            {
                int row = DataFixtures.RowOf(batch.Features.Span.Slice(i * data.FeatureCount, data.FeatureCount));
                Assert.Equal(data.Row(row).ToArray(), batch.Features.Span.Slice(i * data.FeatureCount, data.FeatureCount).ToArray());
                Assert.Equal(data.Label(row), batch.Labels[i]);
                Assert.Equal(row, batch.Rows[i]);
                rows[i] = row;
            }
            result.Add(rows);
        }
        return result;
    }

    [Fact]
    public void Each_epoch_visits_every_row_once_and_keeps_the_last_partial_batch()
    {
        var data = DataFixtures.Numbered(23, 3, 4);
        var batches = new MinibatchIterator(data, batchSize: 5, seed: 11);
        Assert.Equal(5, batches.BatchesPerEpoch);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            List<int[]> rows = Epoch(batches, data);
            Assert.Equal(new[] { 5, 5, 5, 5, 3 }, rows.Select(r => r.Length));
            Assert.Equal(Enumerable.Range(0, 23), rows.SelectMany(r => r).Order());
        }
        Assert.Equal(3, batches.Epoch);
    }

    [Fact]
    public void Drop_last_leaves_out_the_partial_batch()
    {
        var data = DataFixtures.Numbered(23, 2, 3);
        var batches = new MinibatchIterator(data, batchSize: 5, seed: 11, dropLast: true);
        Assert.Equal(4, batches.BatchesPerEpoch);
        List<int[]> rows = Epoch(batches, data);
        Assert.Equal(new[] { 5, 5, 5, 5 }, rows.Select(r => r.Length));
        Assert.Equal(20, rows.SelectMany(r => r).Distinct().Count());
    }

    [Fact]
    public void A_batch_larger_than_the_dataset_gives_one_batch_of_every_row()
    {
        var data = DataFixtures.Numbered(7, 2, 3);
        List<int[]> rows = Epoch(new MinibatchIterator(data, batchSize: 100, seed: 1), data);
        Assert.Single(rows);
        Assert.Equal(Enumerable.Range(0, 7), rows[0].Order());
        Assert.Empty(Epoch(new MinibatchIterator(data, batchSize: 100, seed: 1, dropLast: true), data));
    }

    [Fact]
    public void The_same_seed_gives_the_same_epochs_and_epochs_differ()
    {
        var data = DataFixtures.Numbered(100, 2, 5);
        var a = new MinibatchIterator(data, 16, seed: 5);
        var b = new MinibatchIterator(data, 16, seed: 5);
        var c = new MinibatchIterator(data, 16, seed: 6);
        int[] a1 = Epoch(a, data).SelectMany(r => r).ToArray();
        int[] a2 = Epoch(a, data).SelectMany(r => r).ToArray();
        int[] b1 = Epoch(b, data).SelectMany(r => r).ToArray();
        int[] b2 = Epoch(b, data).SelectMany(r => r).ToArray();
        int[] c1 = Epoch(c, data).SelectMany(r => r).ToArray();
        Assert.Equal(a1, b1);
        Assert.Equal(a2, b2);
        Assert.NotEqual(a1, a2);
        Assert.NotEqual(a1, c1);
        Assert.NotEqual(Enumerable.Range(0, 100), a1);
    }

    [Fact]
    public void Without_shuffling_batches_are_views_of_the_dataset_in_order()
    {
        var data = DataFixtures.Numbered(10, 2, 3);
        var batches = new MinibatchIterator(data, 4, seed: 0, shuffle: false);
        List<int[]> rows = Epoch(batches, data);
        Assert.Equal(Enumerable.Range(0, 10), rows.SelectMany(r => r));
        foreach (Minibatch batch in batches.NextEpoch())
        {
            Assert.Same(data.Features.Array, batch.Features.Array);
        }
    }

    [Fact]
    public void One_hot_targets_match_the_labels()
    {
        var data = DataFixtures.Numbered(9, 2, 3);
        var batches = new MinibatchIterator(data, 4, seed: 3, oneHotTargets: true);
        foreach (Minibatch batch in batches.NextEpoch())
        {
            Assert.Equal(TensorShape.Of(batch.Count, 3), batch.Targets.Shape);
            for (int i = 0; i < batch.Count; i++)
            {
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(batch.Labels[i] == c ? 1f : 0f, batch.Targets[i, c]);
                }
            }
        }
        foreach (Minibatch batch in new MinibatchIterator(data, 4, seed: 3).NextEpoch())
        {
            Assert.True(batch.Targets.IsDefault);
        }
    }

    [Fact]
    public void Batches_of_an_earlier_epoch_cannot_be_taken_after_the_next_one_starts()
    {
        var batches = new MinibatchIterator(DataFixtures.Numbered(10, 2, 2), 3, seed: 0);
        var first = batches.NextEpoch().GetEnumerator();
        Assert.True(first.MoveNext());
        batches.NextEpoch();
        Assert.Throws<InvalidOperationException>(() => first.MoveNext());
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(true, true, true)]
    [InlineData(false, false, true)]
    public void Taking_batches_allocates_nothing(bool shuffle, bool dropLast, bool oneHot)
    {
        var data = DataFixtures.Numbered(1000, 16, 10);
        var batches = new MinibatchIterator(data, 64, seed: 2, shuffle, dropLast, oneHot);
        float checksum = 0;
        foreach (Minibatch batch in batches.NextEpoch())
        {
            checksum += batch.Features.Span[0] + batch.Labels[0];
        }

        int taken = 0;
        long allocated = Allocations.Fewest(() =>
        {
            taken = 0;
            for (int epoch = 0; epoch < 5; epoch++)
            {
                foreach (Minibatch batch in batches.NextEpoch())
                {
                    checksum += batch.Features.Span[^1] + batch.Labels[^1] + batch.Rows[0];
                    taken++;
                }
            }
        });

        Assert.Equal(5 * batches.BatchesPerEpoch, taken);
        Assert.True(checksum > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_batch_size_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MinibatchIterator(DataFixtures.Numbered(3, 1, 1), 0, seed: 0));
    }
}
