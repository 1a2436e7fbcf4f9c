using System.Collections.Generic;
using System.Globalization;

namespace Backprop.Symbolic.Generators.Lowering;

/// <summary>
/// Hands out identifiers for the generated code that never clash with the user's own identifiers
/// (<see cref="_reserved"/>) or with each other (<see cref="_taken"/>).
/// </summary>
internal sealed class NameAllocator
{
    private readonly HashSet<string> _reserved;
    private readonly HashSet<string> _taken;

    public NameAllocator(IEnumerable<string> reserved, IEnumerable<string> taken)
    {
        _reserved = new HashSet<string>(reserved);
        _taken = new HashSet<string>(taken);
    }

    public IEnumerable<string> Taken => _taken;

    /// <summary>An allocator that starts from this one's state; names it hands out are not taken here.</summary>
    public NameAllocator Clone() => new(_reserved, _taken);

    /// <summary>Takes a user's own identifier for the first version of their variable, if nothing generated has it.</summary>
    public bool TryTakeOwn(string name) => _taken.Add(name);

    /// <summary>The names handed out so far, to <see cref="Restore"/> when a lowering attempt is thrown away.</summary>
    public HashSet<string> Save() => new(_taken);

    /// <summary>Forgets every name handed out since <paramref name="saved"/> was taken.</summary>
    public void Restore(HashSet<string> saved)
    {
        _taken.Clear();
        _taken.UnionWith(saved);
    }

    /// <summary>Marks a name as used.</summary>
    public void Take(string name) => _taken.Add(name);

    /// <summary><paramref name="stem"/> itself if free, else <c>stem_1</c>, <c>stem_2</c>, ….</summary>
    public string Fresh(string stem)
    {
        if (!_reserved.Contains(stem) && _taken.Add(stem))
        {
            return stem;
        }
        for (int i = 1; ; i++)
        {
            string candidate = stem + "_" + i.ToString(CultureInfo.InvariantCulture);
            if (!_reserved.Contains(candidate) && _taken.Add(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary><c>prefix0</c>, <c>prefix1</c>, …: the first that is free.</summary>
    public string FreshNumbered(string prefix)
    {
        for (int i = 0; ; i++)
        {
            string candidate = prefix + i.ToString(CultureInfo.InvariantCulture);
            if (!_reserved.Contains(candidate) && _taken.Add(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>The adjoint's name for a variable: <c>d</c> + the name with its first letter upper-cased.</summary>
    public static string AdjointStem(string name) =>
        name.Length == 0 ? "d" : "d" + char.ToUpperInvariant(name[0]) + name.Substring(1);
}
