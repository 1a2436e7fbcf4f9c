using System;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training;
using Backprop.Symbolic.Training.Initializers;

namespace Sentences;

/// <summary>
/// The network's parameters (one <see cref="ParameterSet"/>) and the calls of <see cref="SentenceNetwork"/> with them:
/// the loss and its generated gradient on a minibatch, and class scores of encoded sentences, chunk by chunk.
/// </summary>
public sealed class SentencesModel
{
    private const int ScoringChunk = 256;

    private readonly SentenceEncoder _encoder;
    private readonly bool _pooled;
    private readonly int[] _words;
    private readonly int[] _grams;

    public SentencesModel(SentenceEncoder encoder, int classes, Options options)
    {
        _encoder = encoder;
        _pooled = options.Pooled;
        Parameters = new ParameterSet();
        // Embeddings ~ N(0, 0.1²) (each with its own seed), weights Xavier-normal, biases zero.
        Words = Parameters.Add("words", Initializer.Normal(0, 0.1, (options.Seed * 1000L) + 10), encoder.WordRows, options.Embedding);
        Grams = Parameters.Add("grams", Initializer.Normal(0, 0.1, (options.Seed * 1000L) + 11), encoder.NGramRows, options.Embedding);
        A = Parameters.Add("A", options.WeightInitializer(0), options.Embedding, options.Hidden);
        b = Parameters.Add("b", Initializer.Zeros, options.Hidden);
        C = Parameters.Add("C", options.WeightInitializer(1), _pooled ? options.Hidden : encoder.Window * options.Hidden, classes);
        d = Parameters.Add("d", Initializer.Zeros, classes);
        Parameters.Build();
        int capacity = Math.Max(options.BatchSize, ScoringChunk) * encoder.Window;
        _words = new int[capacity];
        _grams = new int[capacity * encoder.Slots];
    }

    public ParameterSet Parameters { get; }

#pragma warning disable IDE1006 // the names of the formula
    public Parameter Words { get; }
    public Parameter Grams { get; }
    public Parameter A { get; }
    public Parameter b { get; }
    public Parameter C { get; }
    public Parameter d { get; }
#pragma warning restore IDE1006

    /// <summary>The mean loss of encoded sentences <paramref name="features"/>; the gradient lands in the parameter set's gradient buffer.</summary>
    public float LossGradient(Tensor features, ReadOnlySpan<int> labels)
    {
        int rows = _encoder.Unpack(features, _words, _grams);
        ReadOnlySpan<int> words = WordIds(rows), grams = NGramIds(rows);
        return _pooled
            ? SentenceNetwork.PooledLossGradient(words, grams, labels, _encoder.Window, Words.Value, Grams.Value, A.Value, b.Value, C.Value, d.Value,
                Words.Gradient, Grams.Gradient, A.Gradient, b.Gradient, C.Gradient, d.Gradient)
            : SentenceNetwork.LossGradient(words, grams, labels, _encoder.Window, Words.Value, Grams.Value, A.Value, b.Value, C.Value, d.Value,
                Words.Gradient, Grams.Gradient, A.Gradient, b.Gradient, C.Gradient, d.Gradient);
    }

    /// <summary>The mean loss alone (the primal), for gradient checking.</summary>
    public float Loss(Tensor features, ReadOnlySpan<int> labels)
    {
        int rows = _encoder.Unpack(features, _words, _grams);
        ReadOnlySpan<int> words = WordIds(rows), grams = NGramIds(rows);
        return _pooled
            ? SentenceNetwork.PooledLoss(words, grams, labels, _encoder.Window, Words.Value, Grams.Value, A.Value, b.Value, C.Value, d.Value)
            : SentenceNetwork.Loss(words, grams, labels, _encoder.Window, Words.Value, Grams.Value, A.Value, b.Value, C.Value, d.Value);
    }

    /// <summary>The class scores of every encoded sentence in <paramref name="features"/>, computed eagerly a chunk at a time.</summary>
    public Tensor Scores(Tensor features)
    {
        int rows = features.Shape[0];
        Tensor scores = Tensor.Zeros(rows, d.Value.Shape[0]);
        for (int start = 0; start < rows; start += ScoringChunk)
        {
            int count = Math.Min(ScoringChunk, rows - start);
            _encoder.Unpack(features.Slice(0, start, count), _words, _grams);
            ReadOnlySpan<int> words = WordIds(count), grams = NGramIds(count);
            Tensor chunk = _pooled
                ? SentenceNetwork.PooledLogits(words, grams, _encoder.Window, Words.Value, Grams.Value, A.Value, b.Value, C.Value, d.Value)
                : SentenceNetwork.Logits(words, grams, _encoder.Window, Words.Value, Grams.Value, A.Value, b.Value, C.Value, d.Value);
            chunk.Span.CopyTo(scores.Slice(0, start, count).Span);
        }
        return scores;
    }

    private ReadOnlySpan<int> WordIds(int rows) => _words.AsSpan(0, rows * _encoder.Window);

    private ReadOnlySpan<int> NGramIds(int rows) => _grams.AsSpan(0, rows * _encoder.Window * _encoder.Slots);
}
