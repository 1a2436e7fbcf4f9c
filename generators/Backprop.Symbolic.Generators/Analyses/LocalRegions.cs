using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Analyses;

/// <summary>
/// Where each variable of a method body (forward sweep, then backward sweep) occurs, as paths of statement
/// and block indices in the order the code is written, and whether a set of variables merged under one name
/// would still be written as well-formed C# locals by a writer that declares a name at its first assignment
/// in a block. Passes that rename or move statements ask it before they do.
/// </summary>
internal sealed class LocalRegions
{
    private readonly Dictionary<string, List<(int[] Path, bool IsDefinition)>> _occurrences = new();
    private readonly int _split;

    /// <param name="body">The forward sweep, then the backward sweep.</param>
    /// <param name="split">The index in <paramref name="body"/> where the backward sweep starts.</param>
    public LocalRegions(IReadOnlyList<Statement> body, int split)
    {
        _split = split;
        Visit(body, Array.Empty<int>(), (name, path, isDefinition) =>
        {
            if (!_occurrences.TryGetValue(name, out var list))
            {
                _occurrences[name] = list = new List<(int[], bool)>();
            }
            list.Add((path, isDefinition));
        });
    }

    private IEnumerable<(int[] Path, bool IsDefinition)> Of(string name) =>
        _occurrences.TryGetValue(name, out var list) ? list : Enumerable.Empty<(int[], bool)>();

    /// <summary>
    /// The variable defined first among <paramref name="union"/>, or null when, merged into one name, they
    /// would not make well-formed C# locals. Its occurrences, in the order the code is written, fall into regions:
    /// each starts with a definition at the top level of a block and holds every later occurrence inside that
    /// block, so the writer declares the variable once per region and the region's own definition reaches every
    /// read in it. No region's block may hold another's (C# forbids redeclaring a name in an enclosing block),
    /// and the forward sweep has at most one, since the writer may hoist its declaration out of a branch.
    /// </summary>
    public string? OneLocalPerRegion(IReadOnlyCollection<string> union)
    {
        var all = union.SelectMany(name => Of(name).Select(o => (Name: name, o.Path, o.IsDefinition)))
            .OrderBy(o => o.Path, PathComparer.Instance).ThenBy(o => o.IsDefinition).ToList();
        var regions = new List<int[]>();
        string? first = null;
        foreach ((string name, int[] path, bool isDefinition) in all)
        {
            if (regions.Count > 0 && Within(path, regions[regions.Count - 1]) && PathComparer.Instance.Compare(path, regions[regions.Count - 1]) != 0)
            {
                continue;
            }
            if (regions.Count > 0 && PathComparer.Instance.Compare(path, regions[regions.Count - 1]) == 0)
            {
                if (!isDefinition)
                {
                    return null;
                }
                continue;
            }
            if (!isDefinition)
            {
                return null; // a read no definition of its region comes before
            }
            regions.Add(path);
            first ??= name;
        }
        if (regions.Count(r => r[0] < _split) > 1)
        {
            return null;
        }
        for (int a = 0; a < regions.Count; a++)
        {
            for (int b = a + 1; b < regions.Count; b++)
            {
                if (Encloses(regions[a], regions[b]) || Encloses(regions[b], regions[a]))
                {
                    return null;
                }
            }
        }
        return first;
    }

    /// <summary>True when <paramref name="path"/> is in the block of the statement at <paramref name="start"/>, at or after it.</summary>
    private static bool Within(int[] path, int[] start)
    {
        int depth = start.Length - 1;
        if (path.Length <= depth || path[depth] < start[depth])
        {
            return false;
        }
        for (int i = 0; i < depth; i++)
        {
            if (path[i] != start[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>True when the block of the statement at <paramref name="outer"/> holds that of <paramref name="inner"/>, or is it.</summary>
    private static bool Encloses(int[] outer, int[] inner)
    {
        if (outer.Length > inner.Length)
        {
            return false;
        }
        for (int i = 0; i < outer.Length - 1; i++)
        {
            if (outer[i] != inner[i])
            {
                return false;
            }
        }
        return true;
    }

    private sealed class PathComparer : IComparer<int[]>
    {
        public static readonly PathComparer Instance = new();

        public int Compare(int[]? a, int[]? b) => LocalRegions.Compare(a!, b!);
    }

    private static int Compare(int[] a, int[] b)
    {
        for (int i = 0; i < a.Length && i < b.Length; i++)
        {
            if (a[i] != b[i])
            {
                return a[i].CompareTo(b[i]);
            }
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>
    /// Calls <paramref name="visit"/> for every variable named in <paramref name="body"/>, with where: the
    /// indices of the statements and nested blocks that lead to it, in the order the code is written. A loop's
    /// initializer, condition, header, body and increment are one block, as in the generated <c>for</c> or
    /// <c>while</c>; a reverse loop's index is defined first in its block. Conditions of loops without an
    /// initializer count at the loop itself.
    /// </summary>
    public static void Visit(IReadOnlyList<Statement> body, int[] prefix, Action<string, int[], bool> visit, int first = 0)
    {
        for (int k = 0; k < body.Count; k++)
        {
            Statement s = body[k];
            int[] path = Append(prefix, first + k);
            var read = new HashSet<string>();
            var defined = new HashSet<string>();
            switch (s)
            {
                case IfStatement f:
                    VariableUses.Names(f.Condition, read);
                    Visit(f.Then, Append(path, 0), visit);
                    Visit(f.Else, Append(path, 1), visit);
                    break;
                case LoopStatement l when l.Initializer.Count > 0:
                {
                    int[] block = Append(path, 0);
                    Visit(l.Initializer, block, visit);
                    var condition = new HashSet<string>();
                    VariableUses.Names(l.Condition, condition);
                    foreach (string name in condition)
                    {
                        visit(name, Append(block, l.Initializer.Count), false);
                    }
                    Visit(l.Header.Concat(l.Body).Concat(l.Step).ToList(), block, visit, l.Initializer.Count + 1);
                    break;
                }
                case LoopStatement l:
                    VariableUses.Names(l.Condition, read);
                    Visit(l.Header.Concat(l.Body).Concat(l.Step).ToList(), Append(path, 0), visit);
                    break;
                case ReverseLoop r:
                    read.Add(r.Count);
                    visit(r.Index, Append(Append(path, 0), 0), true);
                    Visit(r.Body, Append(path, 0), visit, 1);
                    break;
                default:
                    VariableUses.Reads(new[] { s }, read);
                    VariableUses.Definitions(new[] { s }, defined, includeAccumulations: true);
                    break;
            }
            foreach (string name in read)
            {
                visit(name, path, false);
            }
            foreach (string name in defined)
            {
                visit(name, path, true);
            }
        }
    }

    /// <summary>Every variable <paramref name="body"/> names, read or defined.</summary>
    public static HashSet<string> Named(IEnumerable<Statement> body)
    {
        var names = new HashSet<string>();
        Visit(body.ToList(), Array.Empty<int>(), (name, _, _) => names.Add(name));
        return names;
    }

    private static int[] Append(int[] path, int index)
    {
        var longer = new int[path.Length + 1];
        path.CopyTo(longer, 0);
        longer[path.Length] = index;
        return longer;
    }
}
