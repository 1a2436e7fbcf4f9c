using Backprop.Symbolic.Data.Text;
using Xunit;

namespace Backprop.Symbolic.Tests.Data.Text;

public sealed class WordTokenizerTests
{
    [Fact]
    public void Words_are_lower_cased_runs_of_letters_and_digits()
    {
        Assert.Equal(new[] { "der", "ärger", "über", "2", "öfen", "ist", "groß" }, WordTokenizer.Tokenize("Der Ärger -- über 2 Öfen, ist groß?"));
        Assert.Equal(new[] { "żółć", "i", "łódź" }, WordTokenizer.Tokenize("  Żółć i ŁÓDŹ!  "));
        Assert.Equal(new[] { "ĉu", "vi", "parolas", "esperanton" }, WordTokenizer.Tokenize("Ĉu vi parolas Esperanton?"));
    }

    [Fact]
    public void An_apostrophe_between_letters_stays_in_the_word_and_other_ones_separate()
    {
        Assert.Equal(new[] { "don't", "l’uomo", "e", "rock", "n", "roll" }, WordTokenizer.Tokenize("Don't l’uomo e' 'rock 'n' roll'"));
    }

    [Fact]
    public void Text_without_words_gives_no_tokens()
    {
        Assert.Empty(WordTokenizer.Tokenize(""));
        Assert.Empty(WordTokenizer.Tokenize(" ... -- !? "));
    }

    [Fact]
    public void Tokens_do_not_depend_on_the_current_culture()
    {
        System.Globalization.CultureInfo saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("tr-TR");
            Assert.Equal(new[] { "istanbul", "iii" }, WordTokenizer.Tokenize("ISTANBUL Iii"));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }
}
