using System;
using Backprop.Symbolic.Data.Text;
using Xunit;

namespace Backprop.Symbolic.Tests.Data.Text;

public sealed class VocabularyTests
{
    private static readonly string[][] Documents =
    {
        new[] { "the", "cat", "sat" },
        new[] { "the", "dog", "sat", "down" },
        new[] { "a", "cat", "the" },
    };

    [Fact]
    public void Ids_go_from_the_most_frequent_word_down_after_the_two_reserved_ids()
    {
        Vocabulary vocabulary = Vocabulary.Build(Documents);
        // the ×3; cat, sat ×2 (ordinal order); a, dog, down ×1.
        Assert.Equal(2 + 6, vocabulary.Count);
        Assert.Equal(new[] { "<pad>", "<oov>", "the", "cat", "sat", "a", "dog", "down" }, Words(vocabulary));
        Assert.Equal(2, vocabulary.Id("the"));
        Assert.Equal(4, vocabulary.Id("sat"));
    }

    [Fact]
    public void Unknown_and_rare_words_share_the_out_of_vocabulary_id()
    {
        Vocabulary vocabulary = Vocabulary.Build(Documents, minCount: 2);
        Assert.Equal(new[] { "<pad>", "<oov>", "the", "cat", "sat" }, Words(vocabulary));
        Assert.Equal(Vocabulary.OutOfVocabulary, vocabulary.Id("dog"));      // seen once
        Assert.Equal(Vocabulary.OutOfVocabulary, vocabulary.Id("zebra"));    // never seen
        Assert.Equal(Vocabulary.OutOfVocabulary, vocabulary.Id("The"));      // tokens are compared as given
        Assert.False(vocabulary.Contains("dog"));
        Assert.True(vocabulary.Contains("cat"));

        Vocabulary capped = Vocabulary.Build(Documents, maxWords: 1);
        Assert.Equal(new[] { "<pad>", "<oov>", "the" }, Words(capped));
        Assert.Equal(Vocabulary.OutOfVocabulary, capped.Id("cat"));
    }

    [Fact]
    public void Encode_pads_a_short_text_and_cuts_a_long_one()
    {
        Vocabulary vocabulary = Vocabulary.Build(Documents, minCount: 2);
        Span<int> window = stackalloc int[5];
        window.Fill(-7);
        Assert.Equal(3, vocabulary.Encode(new[] { "the", "zebra", "sat" }, window));
        Assert.Equal(new[] { 2, Vocabulary.OutOfVocabulary, 4, Vocabulary.Padding, Vocabulary.Padding }, window.ToArray());

        Span<int> two = stackalloc int[2];
        Assert.Equal(2, vocabulary.Encode(new[] { "cat", "the", "sat" }, two));
        Assert.Equal(new[] { 3, 2 }, two.ToArray());

        Assert.Equal(0, vocabulary.Encode(Array.Empty<string>(), window));
        Assert.All(window.ToArray(), id => Assert.Equal(Vocabulary.Padding, id));
    }

    [Fact]
    public void The_same_documents_in_another_order_give_the_same_ids()
    {
        Vocabulary forward = Vocabulary.Build(Documents);
        Vocabulary backward = Vocabulary.Build(new[] { Documents[2], Documents[0], Documents[1] });
        Assert.Equal(Words(forward), Words(backward));
    }

    [Fact]
    public void Bad_arguments_say_what_is_wrong()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Documents, minCount: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Documents, maxWords: -1));
        var id = Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Documents).Word(8));
        Assert.Contains("0..7", id.Message);
    }

    private static string[] Words(Vocabulary vocabulary)
    {
        var words = new string[vocabulary.Count];
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = vocabulary.Word(i);
        }
        return words;
    }
}
