using System;
using System.Collections.Generic;
using System.Globalization;

namespace Backprop.Symbolic.Data.Text;

/// <summary>
/// Splits text into lower-cased word tokens: each maximal run of letters, digits and combining marks is a word, an
/// apostrophe between two letters stays inside its word (<c>don't</c>, <c>l'uomo</c>); everything else (spaces,
/// punctuation, symbols) separates words and is dropped. Lower-casing uses the invariant culture, so the tokens do not
/// depend on the machine's language settings.
/// </summary>
public static class WordTokenizer
{
    /// <summary>The words of <paramref name="text"/>, lower-cased, in order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool inWord = i < text.Length && (IsWordCharacter(text[i])
                || (start >= 0 && IsApostrophe(text[i]) && i + 1 < text.Length && char.IsLetter(text[i + 1]) && char.IsLetter(text[i - 1])));
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                words.Add(text.Substring(start, i - start).ToLowerInvariant());
                start = -1;
            }
        }
        return words.ToArray();
    }

    private static bool IsWordCharacter(char c) =>
        char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    private static bool IsApostrophe(char c) => c is '\'' or '’';
}
