using System;
using Backprop.Symbolic.Data.Text;
using Xunit;

namespace Backprop.Symbolic.Tests.Data.Text;

public sealed class CharacterNGramsTests
{
    /// <summary>FNV-1a over the UTF-16 code units (low byte, then high byte), written out independently of the code under test.</summary>
    private static int Bucket(string gram, int buckets)
    {
        uint hash = 2166136261;
        foreach (byte b in System.Text.Encoding.Unicode.GetBytes(gram))
        {
            hash = unchecked((hash ^ b) * 16777619);
        }
        return 1 + (int)(hash % (uint)buckets);
    }

    [Fact]
    public void Trigrams_of_the_framed_word_in_order_then_padding()
    {
        Span<int> slots = stackalloc int[6];
        Assert.Equal(4, CharacterNGrams.Hash("łódź", 3, 1000, slots));
        Assert.Equal(new[] { Bucket("<łó", 1000), Bucket("łód", 1000), Bucket("ódź", 1000), Bucket("dź>", 1000), 0, 0 }, slots.ToArray());
    }

    [Fact]
    public void Long_words_are_cut_at_the_slots_and_short_ones_give_one_gram()
    {
        Span<int> slots = stackalloc int[3];
        Assert.Equal(3, CharacterNGrams.Hash("parolas", 3, 50, slots));
        Assert.Equal(new[] { Bucket("<pa", 50), Bucket("par", 50), Bucket("aro", 50) }, slots.ToArray());
        Assert.Equal(1, CharacterNGrams.Hash("a", 4, 50, slots));
        Assert.Equal(new[] { Bucket("<a>", 50), 0, 0 }, slots.ToArray());
    }

    [Fact]
    public void Bucket_ids_stay_within_1_to_buckets_and_repeat_for_the_same_word()
    {
        Span<int> first = stackalloc int[12], second = stackalloc int[12];
        foreach (string word in new[] { "schmetterling", "ação", "ĉiutage", "x" })
        {
            int n = CharacterNGrams.Hash(word, 3, 7, first);
            CharacterNGrams.Hash(word, 3, 7, second);
            Assert.Equal(first.ToArray(), second.ToArray());
            for (int i = 0; i < n; i++)
            {
                Assert.InRange(first[i], 1, 7);
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => CharacterNGrams.Hash("a", 0, 7, new int[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CharacterNGrams.Hash("a", 3, 0, new int[2]));
    }
}
