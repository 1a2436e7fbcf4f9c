// Extracts labelled sentences from the Debian fortunes packages, unpacked side by side (one directory per package,
// as extract-sentences.sh leaves them): language<TAB>sentence, one a line, at most `cap` per language.
// Run: dotnet run ExtractSentences.cs -- <unpacked packages> <output.tsv> [cap]
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

string root = args.Length > 0 ? args[0] : throw new ArgumentException("usage: ExtractSentences.cs <unpacked packages> <output.tsv> [cap]");
string output = args.Length > 1 ? args[1] : "sentences.tsv";
int cap = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1000;

// The package of each language, and the directory below usr/share/games/fortunes holding its fortunes.
var packages = new (string Language, string Package, string Directory)[]
{
    ("cs", "fortunes-cs", "cs"),
    ("de", "fortunes-de", "de"),
    ("en", "fortunes-min", ""),
    ("eo", "fortunes-eo", "eo"),
    ("es", "fortunes-es", "es"),
    ("it", "fortunes-it", "it"),
    ("pl", "fortunes-pl", "pl"),
    ("pt", "fortunes-br", ""),
};

var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
var lines = new List<string>();
foreach ((string language, string package, string directory) in packages)
{
    string folder = Path.Combine(root, package, "usr", "share", "games", "fortunes", directory);
    var sentences = new Dictionary<string, string>(StringComparer.Ordinal); // lower-cased → as written
    int files = 0;
    // Regular files of the language's directory only: no .dat indexes, no .u8 links, no offensive (off/) subdirectory.
    foreach (string file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
    {
        if (file.EndsWith(".dat", StringComparison.Ordinal) || new FileInfo(file).LinkTarget is not null)
        {
            continue;
        }
        string text;
        try
        {
            text = strict.GetString(File.ReadAllBytes(file));
        }
        catch (DecoderFallbackException)
        {
            continue; // not UTF-8
        }
        files++;
        foreach (string fortune in Regex.Split(text.Replace("\r", ""), @"^%\s*$", RegexOptions.Multiline))
        {
            foreach (string sentence in Sentences(fortune))
            {
                sentences.TryAdd(sentence.ToLowerInvariant(), sentence);
            }
        }
    }
    // A stable pseudo-random choice: the sentences with the smallest hashes.
    var chosen = sentences.OrderBy(p => Fnv1a(p.Key)).ThenBy(p => p.Key, StringComparer.Ordinal).Take(cap).Select(p => p.Value).ToList();
    Console.Error.WriteLine($"{language}: {package}, {files} files, {sentences.Count} distinct sentences, {chosen.Count} kept");
    lines.AddRange(chosen.Select(s => language + "\t" + s));
}
File.WriteAllText(output, string.Join("\n", lines) + "\n", new UTF8Encoding(false));
Console.Error.WriteLine($"{lines.Count} sentences written to {output}");

// The sentences of one fortune: attributions, chat logs and dialogue dashes dropped, lines joined, split after . ! ? …,
// and kept when they look like prose: 3 to 30 words, 15 to 200 characters, letters at least 80 % of the non-blank
// characters, no markup or code characters, no control characters.
static IEnumerable<string> Sentences(string fortune)
{
    var kept = new List<string>();
    foreach (string raw in fortune.Split('\n'))
    {
        string line = raw.Trim();
        if (line.StartsWith("--", StringComparison.Ordinal) || line.StartsWith('—') || line.StartsWith('―')
            || Regex.IsMatch(line, @"^(\d{1,2}:\d{2}(:\d{2})?\s*)?[<\[(*]"))
        {
            continue; // an attribution, a chat line or a stage direction
        }
        kept.Add(Regex.Replace(line, @"^[-–]\s+", "")); // a dialogue dash
    }
    string text = Regex.Replace(string.Join(" ", kept), @"\s+", " ").Trim();
    foreach (string part in Regex.Split(text, @"(?<=[.!?…])\s+"))
    {
        string sentence = part.Trim().Trim('"', '\'', '«', '»', '„', '“', '”', '‚', '‘', '’', ' ');
        sentence = Regex.Replace(sentence, @"^(\.\.\.|…)\s*", "");
        int words = sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        int letters = sentence.Count(char.IsLetter);
        int visible = sentence.Count(c => !char.IsWhiteSpace(c));
        if (words is < 3 or > 30 || sentence.Length is < 15 or > 200 || letters < 0.8 * visible
            || sentence.IndexOfAny("<>|_=#{}[]\\/@*~^$%&+\t".ToCharArray()) >= 0 || sentence.Any(char.IsControl))
        {
            continue;
        }
        yield return sentence;
    }
}

static uint Fnv1a(string s)
{
    uint hash = 2166136261;
    foreach (byte b in Encoding.UTF8.GetBytes(s))
    {
        hash = (hash ^ b) * 16777619;
    }
    return hash;
}
