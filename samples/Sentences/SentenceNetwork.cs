using System;
using Backprop.Symbolic;
using Backprop.Symbolic.Tensors;
using static Backprop.Symbolic.Tensors.Tensor;

namespace Sentences;

/// <summary>
/// The network, as formulas over a batch of B sentences of W word positions each (B·W tokens, row after row):
/// each word's vector is its embedding plus the mean of its character n-grams' embeddings, one small network
/// f(v) = tanh(v·A + b) is applied to every position (the same A and b for all), and the per-word results are
/// concatenated over the window, [B, W·H], and classified: logits = concat·C + d. With pooling, their mean over the
/// window, [B, H], is classified instead. The generator writes the gradients from <see cref="Loss"/> and
/// <see cref="PooledLoss"/>.
/// </summary>
public static partial class SentenceNetwork
{
    /// <summary>The mean cross-entropy of the language predicted for each sentence (concatenation over the window).</summary>
    [Differentiable(nameof(words), nameof(grams), nameof(A), nameof(b), nameof(C), nameof(d))]
    public static float Loss(ReadOnlySpan<int> tokens, ReadOnlySpan<int> ngrams, ReadOnlySpan<int> labels, int window,
        Tensor words, Tensor grams, Tensor A, Tensor b, Tensor C, Tensor d) =>
        SoftmaxCrossEntropy(Logits(tokens, ngrams, window, words, grams, A, b, C, d), labels);

    /// <summary>The same with the per-word results averaged over the window (<c>--pooling mean</c>).</summary>
    [Differentiable(nameof(words), nameof(grams), nameof(A), nameof(b), nameof(C), nameof(d))]
    public static float PooledLoss(ReadOnlySpan<int> tokens, ReadOnlySpan<int> ngrams, ReadOnlySpan<int> labels, int window,
        Tensor words, Tensor grams, Tensor A, Tensor b, Tensor C, Tensor d) =>
        SoftmaxCrossEntropy(PooledLogits(tokens, ngrams, window, words, grams, A, b, C, d), labels);

    /// <summary>
    /// The shared function of one word, for every token at once: [B·W, H]. <paramref name="ngrams"/> holds a fixed
    /// number of n-gram slots per token (K), so their embeddings, [B·W·K, E], seen as [B·W, K, E], average over axis 1.
    /// </summary>
    [Differentiable]
    public static Tensor PerWord(ReadOnlySpan<int> tokens, ReadOnlySpan<int> ngrams, Tensor words, Tensor grams, Tensor A, Tensor b)
    {
        Tensor wordVectors = Gather(words, tokens) + Mean(Gather(grams, ngrams).Reshape(tokens.Length, ngrams.Length / tokens.Length, -1), 1);
        return Tanh(MatMul(wordVectors, A) + b);
    }

    /// <summary>Class scores of each sentence from its per-word results concatenated over the window: [B, W·H]·C + d.</summary>
    [Differentiable]
    public static Tensor Logits(ReadOnlySpan<int> tokens, ReadOnlySpan<int> ngrams, int window,
        Tensor words, Tensor grams, Tensor A, Tensor b, Tensor C, Tensor d)
    {
        Tensor perWord = PerWord(tokens, ngrams, words, grams, A, b);      // [B·W, H]
        Tensor sentence = perWord.Reshape(tokens.Length / window, -1);      // [B, W·H]: the concatenation over positions
        return MatMul(sentence, C) + d;
    }

    /// <summary>Class scores of each sentence from the mean of its per-word results over the window: [B, H]·C + d.</summary>
    [Differentiable]
    public static Tensor PooledLogits(ReadOnlySpan<int> tokens, ReadOnlySpan<int> ngrams, int window,
        Tensor words, Tensor grams, Tensor A, Tensor b, Tensor C, Tensor d)
    {
        Tensor perWord = PerWord(tokens, ngrams, words, grams, A, b);                       // [B·W, H]
        Tensor pooled = Mean(perWord.Reshape(tokens.Length / window, window, -1), 1);      // [B, H]
        return MatMul(pooled, C) + d;
    }
}
