using System;
using System.Collections.Generic;
using Backprop.Symbolic.Data.Text;
using Backprop.Symbolic.Tensors;

namespace Sentences;

/// <summary>
/// Turns tokenized sentences into the network's inputs: per sentence, the ids of its first <see cref="Window"/> words
/// (padded), then <see cref="Slots"/> hashed character n-gram ids per position (padding positions get padding slots).
/// A row holds them as floats (exact for ids below 2²⁴), so the runtime's <c>Dataset</c>, splitter and minibatches
/// carry them; <see cref="Unpack"/> turns a batch back into the int spans the network's <c>Gather</c> reads.
/// </summary>
public sealed class SentenceEncoder
{
    private readonly Vocabulary _vocabulary;
    private readonly int _n;
    private readonly int _buckets;

    /// <param name="vocabulary">The word ids (from the training split).</param>
    /// <param name="window">Word positions per sentence.</param>
    /// <param name="n">Length of the character n-grams.</param>
    /// <param name="buckets">Hash buckets of the n-grams; 0 turns them off (one padding slot per position).</param>
    /// <param name="slots">N-grams kept per word; 0 turns them off.</param>
    public SentenceEncoder(Vocabulary vocabulary, int window, int n, int buckets, int slots)
    {
        _vocabulary = vocabulary;
        _n = n;
        bool off = buckets == 0 || slots == 0;
        _buckets = off ? 0 : buckets;
        Window = window;
        Slots = off ? 1 : slots;
    }

    /// <summary>Word positions per sentence.</summary>
    public int Window { get; }

    /// <summary>N-gram ids per word position (1, always padding, when n-grams are off).</summary>
    public int Slots { get; }

    /// <summary>Whether words carry character n-grams.</summary>
    public bool UsesNGrams => _buckets > 0;

    /// <summary>Rows of the word embedding table.</summary>
    public int WordRows => _vocabulary.Count;

    /// <summary>Rows of the n-gram embedding table (the buckets and the padding row 0).</summary>
    public int NGramRows => _buckets + 1;

    /// <summary>Floats per encoded sentence: the word ids, then the n-gram ids.</summary>
    public int FeatureCount => Window + (Window * Slots);

    /// <summary>The encoded rows of <paramref name="sentences"/>, [sentences, <see cref="FeatureCount"/>].</summary>
    public Tensor Encode(IReadOnlyList<string[]> sentences)
    {
        Tensor features = Tensor.Zeros(sentences.Count, FeatureCount);
        Span<float> values = features.Span;
        Span<int> words = stackalloc int[Window];
        Span<int> grams = stackalloc int[Slots];
        for (int s = 0; s < sentences.Count; s++)
        {
            Span<float> row = values.Slice(s * FeatureCount, FeatureCount);
            int used = _vocabulary.Encode(sentences[s], words);
            for (int p = 0; p < Window; p++)
            {
                row[p] = words[p];
                grams.Clear();
                if (p < used && UsesNGrams)
                {
                    CharacterNGrams.Hash(sentences[s][p], _n, _buckets, grams);
                }
                for (int k = 0; k < Slots; k++)
                {
                    row[Window + (p * Slots) + k] = grams[k];
                }
            }
        }
        return features;
    }

    /// <summary>
    /// The word ids ([rows·W]) and n-gram ids ([rows·W·K]) of encoded rows <paramref name="features"/>, written into the
    /// starts of <paramref name="words"/> and <paramref name="grams"/>; returns the rows.
    /// </summary>
    public int Unpack(Tensor features, Span<int> words, Span<int> grams)
    {
        ReadOnlySpan<float> values = features.Span;
        int rows = features.Shape[0];
        int gramsPerRow = Window * Slots;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = values.Slice(r * FeatureCount, FeatureCount);
            for (int p = 0; p < Window; p++)
            {
                words[(r * Window) + p] = (int)row[p];
            }
            for (int k = 0; k < gramsPerRow; k++)
            {
                grams[(r * gramsPerRow) + k] = (int)row[Window + k];
            }
        }
        return rows;
    }
}
