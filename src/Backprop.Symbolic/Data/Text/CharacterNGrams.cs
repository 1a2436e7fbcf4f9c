using System;

namespace Backprop.Symbolic.Data.Text;

/// <summary>
/// Hashed character n-grams of a word (the sub-word features of fastText): the word is framed as <c>&lt;word&gt;</c>
/// and each run of n characters is hashed into one of a fixed number of buckets, so words never seen in training
/// still share features with the words they resemble (a <c>ł</c>, an <c>-ção</c>, a <c>sch</c>). Bucket ids are
/// 1 .. buckets; 0 is left for padding, so an embedding table for them has buckets + 1 rows. The hash is FNV-1a over
/// the UTF-16 code units: the same word gets the same buckets on every machine and run.
/// </summary>
public static class CharacterNGrams
{
    /// <summary>The id of an unused slot (after a word's last n-gram, or every slot of a padding position).</summary>
    public const int Padding = 0;

    /// <summary>
    /// Writes the bucket ids of the n-grams of <c>&lt;<paramref name="word"/>&gt;</c> into <paramref name="slots"/>, in
    /// order, and <see cref="Padding"/> into the slots after the last one; n-grams beyond the slots are left out. A word
    /// shorter than n − 2 characters gives its whole framed form as one n-gram.
    /// </summary>
    /// <returns>How many slots hold an n-gram.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> or <paramref name="buckets"/> is below 1.</exception>
    public static int Hash(string word, int n, int buckets, Span<int> slots)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        int framed = word.Length + 2;
        int count = framed <= n ? 1 : framed - n + 1;
        int used = Math.Min(count, slots.Length);
        for (int s = 0; s < used; s++)
        {
            uint hash = 2166136261;
            int end = Math.Min(s + n, framed);
            for (int i = s; i < end; i++)
            {
                char c = i == 0 ? '<' : i == framed - 1 ? '>' : word[i - 1];
                hash = (hash ^ (byte)c) * 16777619;
                hash = (hash ^ (byte)(c >> 8)) * 16777619;
            }
            slots[s] = 1 + (int)(hash % (uint)buckets);
        }
        slots.Slice(used).Fill(Padding);
        return used;
    }
}
