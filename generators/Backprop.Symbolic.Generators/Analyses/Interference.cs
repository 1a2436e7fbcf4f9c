using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Analyses;

/// <summary>
/// Liveness over a whole method body (the forward sweep followed by the backward sweep, which reads and
/// reassigns forward values), and the interference it implies among <see cref="_names"/>: two variables
/// interfere when one is defined where the other is live, except at a copy of the other (then both hold the
/// same value). Variables that do not interfere can share one storage. A loop's live set at its top is found
/// by iterating to a fixed point; a <c>break</c> leads to what is live after its loop.
/// </summary>
internal sealed class Interference
{
    private readonly ISet<string> _names;
    private readonly Dictionary<string, HashSet<string>> _edges = new();
    private readonly Dictionary<string, HashSet<string>> _loopTops = new();
    private readonly Stack<HashSet<string>> _breaks = new();
    private bool _record;
    private bool _changed;

    private Interference(ISet<string> names) => _names = names;

    /// <summary>The interference among <paramref name="names"/> in <paramref name="body"/>.</summary>
    public static Interference Analyze(IReadOnlyList<Statement> body, ISet<string> names)
    {
        var analysis = new Interference(names);
        do
        {
            analysis._changed = false;
            analysis.Block(body, new HashSet<string>(), "");
        }
        while (analysis._changed);
        analysis._record = true;
        analysis.Block(body, new HashSet<string>(), "");
        return analysis;
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> are ever live at once with different values.</summary>
    public bool Interferes(string a, string b) => _edges.TryGetValue(a, out HashSet<string>? others) && others.Contains(b);

    private HashSet<string> Block(IReadOnlyList<Statement> body, HashSet<string> liveOut, string path)
    {
        var live = new HashSet<string>(liveOut);
        for (int k = body.Count - 1; k >= 0; k--)
        {
            live = Statement(body[k], live, path + "/" + k);
        }
        return live;
    }

    private HashSet<string> Statement(Statement s, HashSet<string> liveOut, string path)
    {
        switch (s)
        {
            case IfStatement f:
            {
                HashSet<string> live = Block(f.Then, liveOut, path + "t");
                live.UnionWith(Block(f.Else, liveOut, path + "e"));
                VariableUses.Names(f.Condition, live);
                return live;
            }
            case LoopStatement l:
            {
                HashSet<string> top = Top(path);
                _breaks.Push(liveOut);
                var beforeTest = Block(l.Body, new HashSet<string>(top), path + "b");
                _breaks.Pop();
                beforeTest.UnionWith(liveOut);
                VariableUses.Names(l.Condition, beforeTest);
                HashSet<string> live = Block(l.Header, beforeTest, path + "h");
                Grow(top, live);
                return new HashSet<string>(top);
            }
            case ReverseLoop r:
            {
                // The test before each iteration: the loop goes on (into its body) or ends.
                HashSet<string> test = Top(path);
                _breaks.Push(liveOut);
                HashSet<string> live = Block(r.Body, new HashSet<string>(test), path + "b");
                _breaks.Pop();
                live.UnionWith(liveOut);
                live.Remove(r.Index);
                Grow(test, live);
                return new HashSet<string>(test) { r.Count };
            }
            case BreakStatement:
                return new HashSet<string>(_breaks.Peek());
            default:
            {
                var changed = new HashSet<string>();
                VariableUses.Definitions(new[] { s }, changed, includeAccumulations: true);
                if (_record)
                {
                    string? copied = s is Assignment { Value: Variable source } ? source.Name : null;
                    foreach (string defined in changed.Where(_names.Contains))
                    {
                        foreach (string other in liveOut.Where(n => n != defined && n != copied && _names.Contains(n)))
                        {
                            Edge(defined, other);
                            Edge(other, defined);
                        }
                    }
                }
                var killed = new HashSet<string>();
                VariableUses.Definitions(new[] { s }, killed);
                var live = new HashSet<string>(liveOut);
                live.ExceptWith(killed);
                VariableUses.Reads(new[] { s }, live);
                return live;
            }
        }
    }

    private HashSet<string> Top(string path)
    {
        if (!_loopTops.TryGetValue(path, out HashSet<string>? top))
        {
            _loopTops[path] = top = new HashSet<string>();
        }
        return top;
    }

    private void Grow(HashSet<string> set, HashSet<string> more)
    {
        int before = set.Count;
        set.UnionWith(more);
        if (set.Count != before)
        {
            _changed = true;
        }
    }

    private void Edge(string a, string b)
    {
        if (!_edges.TryGetValue(a, out HashSet<string>? others))
        {
            _edges[a] = others = new HashSet<string>();
        }
        others.Add(b);
    }
}
