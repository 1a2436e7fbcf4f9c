using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Sentences;

/// <summary>Sentences and their languages, read from <c>language&lt;TAB&gt;sentence</c> lines (gzip or plain UTF-8).</summary>
/// <param name="Languages">The language codes in label order (sorted).</param>
/// <param name="Texts">The sentences.</param>
/// <param name="Labels">Each sentence's language, as an index into <paramref name="Languages"/>.</param>
public sealed record LabelledSentences(string[] Languages, string[] Texts, int[] Labels)
{
    /// <summary>Reads <paramref name="path"/>; a line without a tab, or with an empty side, is an error naming the line.</summary>
    public static LabelledSentences Load(string path)
    {
        using Stream file = File.OpenRead(path);
        using Stream content = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(content, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var languages = new List<string>();
        var texts = new List<string>();
        int number = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }
            int tab = line.IndexOf('\t');
            if (tab <= 0 || tab == line.Length - 1)
            {
                throw new InvalidDataException($"{path}, line {number}: expected language<TAB>sentence, got '{line}'.");
            }
            languages.Add(line.Substring(0, tab));
            texts.Add(line.Substring(tab + 1));
        }
        var names = new SortedSet<string>(languages, StringComparer.Ordinal);
        var codes = new string[names.Count];
        names.CopyTo(codes);
        var labels = new int[texts.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = Array.BinarySearch(codes, languages[i], StringComparer.Ordinal);
        }
        return new LabelledSentences(codes, texts.ToArray(), labels);
    }
}
