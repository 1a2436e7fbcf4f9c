using System;
using System.Collections.Generic;

namespace Backprop.Symbolic.Data.Text;

/// <summary>
/// The words a model knows, each with an integer id for an embedding table: id <see cref="Padding"/> (0) fills the
/// positions after a text's last word, id <see cref="OutOfVocabulary"/> (1) stands for every word not in the
/// vocabulary, and the known words take ids 2, 3, … from the most frequent down. Build it from the training split
/// only, so words seen only in validation or test data count as unknown, as they would for new text.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The id of the padding token, which fills a window after the text's last word.</summary>
    public const int Padding = 0;

    /// <summary>The id every word outside the vocabulary gets (the out-of-vocabulary bucket).</summary>
    public const int OutOfVocabulary = 1;

    /// <summary>How the reserved ids print.</summary>
    public const string PaddingWord = "<pad>", OutOfVocabularyWord = "<oov>";

    private readonly Dictionary<string, int> _ids;
    private readonly string[] _words;

    private Vocabulary(string[] words)
    {
        _words = words;
        _ids = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int id = OutOfVocabulary + 1; id < words.Length; id++)
        {
            _ids.Add(words[id], id);
        }
    }

    /// <summary>
    /// The vocabulary of <paramref name="documents"/> (each a list of tokens): the words seen at least
    /// <paramref name="minCount"/> times, the most frequent first (ties in ordinal order, so the same documents always
    /// give the same ids), at most <paramref name="maxWords"/> of them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minCount"/> is below 1 or <paramref name="maxWords"/> below 0.</exception>
    public static Vocabulary Build(IEnumerable<IReadOnlyList<string>> documents, int minCount = 1, int maxWords = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWords);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (IReadOnlyList<string> document in documents)
        {
            foreach (string token in document)
            {
                counts[token] = counts.TryGetValue(token, out int n) ? n + 1 : 1;
            }
        }
        var kept = new List<KeyValuePair<string, int>>();
        foreach (KeyValuePair<string, int> entry in counts)
        {
            if (entry.Value >= minCount)
            {
                kept.Add(entry);
            }
        }
        kept.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        int size = Math.Min(kept.Count, maxWords);
        var words = new string[size + 2];
        words[Padding] = PaddingWord;
        words[OutOfVocabulary] = OutOfVocabularyWord;
        for (int i = 0; i < size; i++)
        {
            words[i + 2] = kept[i].Key;
        }
        return new Vocabulary(words);
    }

    /// <summary>The number of ids, the two reserved ones included: the row count of an embedding table for it.</summary>
    public int Count => _words.Length;

    /// <summary>The id of <paramref name="word"/>, or <see cref="OutOfVocabulary"/> when it is not in the vocabulary.</summary>
    public int Id(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return _ids.TryGetValue(word, out int id) ? id : OutOfVocabulary;
    }

    /// <summary>Whether <paramref name="word"/> has an id of its own.</summary>
    public bool Contains(string word) => word is not null && _ids.ContainsKey(word);

    /// <summary>The word of <paramref name="id"/> (<c>&lt;pad&gt;</c> and <c>&lt;oov&gt;</c> for the reserved ids).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not below <see cref="Count"/>.</exception>
    public string Word(int id)
    {
        if ((uint)id >= (uint)_words.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"The vocabulary has ids 0..{_words.Length - 1}.");
        }
        return _words[id];
    }

    /// <summary>
    /// Writes the ids of the first <paramref name="window"/>.Length tokens into <paramref name="window"/>, and
    /// <see cref="Padding"/> into the positions after the last token; tokens beyond the window are left out.
    /// </summary>
    /// <returns>How many positions hold a token (the rest are padding).</returns>
    public int Encode(IReadOnlyList<string> tokens, Span<int> window)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        int used = Math.Min(tokens.Count, window.Length);
        for (int i = 0; i < used; i++)
        {
            window[i] = Id(tokens[i]);
        }
        window.Slice(used).Fill(Padding);
        return used;
    }

    /// <summary>A summary: the number of words and the most frequent few.</summary>
    public override string ToString() =>
        $"Vocabulary({Count - 2} words + {PaddingWord}, {OutOfVocabularyWord}: {string.Join(", ", _words, 2, Math.Min(5, Count - 2))}{(Count > 7 ? ", …" : "")})";
}
