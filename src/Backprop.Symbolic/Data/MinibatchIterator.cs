using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Data;

/// <summary>
/// Seeded minibatches of a <see cref="Dataset"/>, epoch after epoch, allocating nothing per batch: each batch's rows
/// are gathered (in shuffled order) into one features buffer and one labels buffer that every batch reuses.
/// </summary>
/// <example>
/// <code>
/// var batches = new MinibatchIterator(train, batchSize: 64, seed: 1);
/// for (int epoch = 0; epoch &lt; 20; epoch++)
/// {
///     foreach (Minibatch batch in batches.NextEpoch())
///     {
///         float loss = LossGradient(batch.Features, batch.Labels, ...);
///     }
/// }
/// </code>
/// </example>
/// <remarks>
/// A batch's tensors and spans are views of the reused buffers: they are valid until the next batch is taken. Copy
/// what must outlive that. With <c>shuffle: false</c> the rows come in dataset order and a batch's features are a
/// view of the dataset itself (no copy at all). The same seed gives the same sequence of epochs.
/// </remarks>
public sealed class MinibatchIterator
{
    private readonly Dataset _data;
    private readonly bool _shuffle;
    private readonly Random _random;
    private readonly int[] _order;
    private readonly float[]? _features;
    private readonly int[]? _labels;
    private readonly float[]? _targets;

    /// <summary>Batches of <paramref name="batchSize"/> rows of <paramref name="data"/>.</summary>
    /// <param name="data">The dataset; it is read, not copied, so later changes to its features show in later batches.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="seed">Seeds the shuffle of each epoch.</param>
    /// <param name="shuffle">Whether each epoch visits the rows in a new random order (the default) or in dataset order.</param>
    /// <param name="dropLast">Whether a last batch smaller than <paramref name="batchSize"/> is dropped (default: kept).</param>
    /// <param name="oneHotTargets">Whether batches also carry <see cref="Minibatch.Targets"/>, the labels one-hot encoded.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public MinibatchIterator(Dataset data, int batchSize, int seed, bool shuffle = true, bool dropLast = false, bool oneHotTargets = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _data = data;
        _shuffle = shuffle;
        _random = new Random(seed);
        BatchSize = batchSize;
        DropLast = dropLast;
        _order = new int[data.Count];
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }
        int capacity = Math.Min(batchSize, data.Count);
        if (shuffle)
        {
            _features = new float[capacity * data.FeatureCount];
            _labels = new int[capacity];
        }
        if (oneHotTargets)
        {
            _targets = new float[capacity * data.ClassCount];
        }
        BatchesPerEpoch = dropLast ? data.Count / batchSize : (data.Count + batchSize - 1) / batchSize;
    }

    /// <summary>Rows per batch (the last batch of an epoch may have fewer unless <see cref="DropLast"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Whether a last, smaller batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>The number of batches each epoch yields.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>How many epochs <see cref="NextEpoch"/> has started.</summary>
    public int Epoch { get; private set; }

    /// <summary>
    /// Starts an epoch: reshuffles the row order (when shuffling) and returns its batches, to be used with
    /// <c>foreach</c> (no allocation). Taking a batch of an earlier epoch after this call is not supported.
    /// </summary>
    public EpochBatches NextEpoch()
    {
        if (_shuffle)
        {
            _random.Shuffle(_order);
        }
        Epoch++;
        return new EpochBatches(this, Epoch);
    }

    /// <summary>Fills and returns batch <paramref name="index"/> of the current epoch.</summary>
    private Minibatch Take(int index)
    {
        int start = index * BatchSize;
        int count = Math.Min(BatchSize, _order.Length - start);
        int width = _data.FeatureCount;
        Tensor features;
        int[] labels;
        int labelOffset;
        if (_shuffle)
        {
            ReadOnlySpan<float> source = _data.Features.Span;
            ReadOnlySpan<int> allLabels = _data.Labels;
            Span<float> destination = _features!;
            for (int i = 0; i < count; i++)
            {
                int row = _order[start + i];
                source.Slice(row * width, width).CopyTo(destination.Slice(i * width, width));
                _labels![i] = allLabels[row];
            }
            features = new Tensor(_features!, 0, TensorShape.Of(count, width));
            labels = _labels!;
            labelOffset = 0;
        }
        else
        {
            features = _data.Rows(start, count);
            labels = _data.LabelArray;
            labelOffset = start;
        }
        Tensor targets = default;
        if (_targets is not null)
        {
            targets = new Tensor(_targets, 0, TensorShape.Of(count, _data.ClassCount));
            OneHot.Encode(new ReadOnlySpan<int>(labels, labelOffset, count), _data.ClassCount, targets);
        }
        return new Minibatch(index, features, labels, labelOffset, count, targets, _order, start);
    }

    /// <summary>The batches of one epoch, for <c>foreach</c>.</summary>
    public readonly struct EpochBatches
    {
        private readonly MinibatchIterator _owner;
        private readonly int _epoch;

        internal EpochBatches(MinibatchIterator owner, int epoch)
        {
            _owner = owner;
            _epoch = epoch;
        }

        /// <summary>The enumerator <c>foreach</c> uses.</summary>
        public Enumerator GetEnumerator() => new(_owner, _epoch);
    }

    /// <summary>Walks the batches of one epoch, filling the shared buffers as it goes.</summary>
    public struct Enumerator
    {
        private readonly MinibatchIterator _owner;
        private readonly int _epoch;
        private int _index;
        private Minibatch _current;

        internal Enumerator(MinibatchIterator owner, int epoch)
        {
            _owner = owner;
            _epoch = epoch;
            _index = -1;
            _current = default;
        }

        /// <summary>The batch just filled.</summary>
        public readonly Minibatch Current => _current;

        /// <summary>Fills the next batch; false at the end of the epoch.</summary>
        /// <exception cref="InvalidOperationException">A later epoch has been started.</exception>
        public bool MoveNext()
        {
            if (_owner.Epoch != _epoch)
            {
                throw new InvalidOperationException(
                    $"Epoch {_epoch}'s batches were taken after epoch {_owner.Epoch} started; finish an epoch before calling NextEpoch again.");
            }
            if (_index + 1 >= _owner.BatchesPerEpoch)
            {
                return false;
            }
            _index++;
            _current = _owner.Take(_index);
            return true;
        }
    }
}

/// <summary>
/// One minibatch: views of the iterator's reused buffers (or of the dataset), valid until the next batch is taken.
/// </summary>
public readonly struct Minibatch
{
    private readonly int[] _labels;
    private readonly int _labelOffset;
    private readonly int[] _rows;
    private readonly int _rowOffset;

    internal Minibatch(int index, Tensor features, int[] labels, int labelOffset, int count, Tensor targets, int[] rows, int rowOffset)
    {
        Index = index;
        Features = features;
        _labels = labels;
        _labelOffset = labelOffset;
        Count = count;
        Targets = targets;
        _rows = rows;
        _rowOffset = rowOffset;
    }

    /// <summary>The batch's position in its epoch (0, 1, …).</summary>
    public int Index { get; }

    /// <summary>The number of rows (the batch size, or fewer for a last partial batch).</summary>
    public int Count { get; }

    /// <summary>The features, [<see cref="Count"/>, features].</summary>
    public Tensor Features { get; }

    /// <summary>The labels, one per row.</summary>
    public ReadOnlySpan<int> Labels => new(_labels, _labelOffset, Count);

    /// <summary>The labels one-hot encoded, [<see cref="Count"/>, classes]; <c>default</c> unless the iterator was created with <c>oneHotTargets: true</c>.</summary>
    public Tensor Targets { get; }

    /// <summary>Which rows of the dataset the batch holds, in batch order.</summary>
    public ReadOnlySpan<int> Rows => new(_rows, _rowOffset, Count);
}
