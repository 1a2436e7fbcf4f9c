using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Analyses;

/// <summary>
/// Local arrays that are filled and then only read: created at the method's top level, and every top-level
/// statement that writes one of their elements comes before every top-level statement that reads one. Such
/// an array holds, when the backward sweep runs, exactly what the forward sweep read from it, so its
/// elements need no recording — like the elements of a parameter (per-component constants computed once,
/// then read for every data point).
/// </summary>
internal static class StableArrays
{
    public static HashSet<string> Find(IReadOnlyList<Statement> body)
    {
        var stable = new HashSet<string>(body.OfType<ArrayAllocation>().Select(a => a.Target.Name));
        var lastWrite = new Dictionary<string, int>();
        var firstRead = new Dictionary<string, int>();
        for (int i = 0; i < body.Count; i++)
        {
            var written = new HashSet<string>();
            Writes(new[] { body[i] }, written);
            foreach (string name in written)
            {
                lastWrite[name] = i;
            }
            var read = new HashSet<string>();
            ElementReads(new[] { body[i] }, read);
            foreach (string name in read)
            {
                if (!firstRead.ContainsKey(name))
                {
                    firstRead[name] = i;
                }
            }
        }
        stable.RemoveWhere(name => firstRead.TryGetValue(name, out int read) && lastWrite.TryGetValue(name, out int write) && write >= read);
        return stable;
    }

    /// <summary>
    /// Local arrays created at the top level of a loop's body that the body fills and then only reads, some of
    /// them inside a nested loop (so they are read many times, like the hidden layer of a per-sample network).
    /// At the end of an iteration such an array holds exactly what the iteration read from it: the tape records
    /// it whole, once per iteration, instead of once per element read.
    /// </summary>
    public static HashSet<string> FindPerIteration(IReadOnlyList<Statement> body)
    {
        var found = new HashSet<string>();
        foreach (LoopStatement loop in VariableUses.Descendants(body).OfType<LoopStatement>())
        {
            var readInNestedLoops = new HashSet<string>();
            ElementReads(VariableUses.Descendants(loop.Body).OfType<LoopStatement>().SelectMany(l => l.Header.Concat(l.Body)), readInNestedLoops);
            found.UnionWith(Find(loop.Body).Where(readInNestedLoops.Contains));
        }
        return found;
    }

    private static void Writes(IEnumerable<Statement> body, HashSet<string> written)
    {
        foreach (ElementWrite w in VariableUses.Descendants(body).OfType<ElementWrite>())
        {
            written.Add(w.Sequence.Name);
        }
    }

    /// <summary>Every variable the statements mention other than as the target of an element write.</summary>
    private static void ElementReads(IEnumerable<Statement> body, HashSet<string> read)
    {
        foreach (Statement s in body)
        {
            switch (s)
            {
                case ElementWrite w:
                    VariableUses.Names(w.Index, read);
                    VariableUses.Names(w.Value, read);
                    break;
                case IfStatement f:
                    VariableUses.Names(f.Condition, read);
                    ElementReads(f.Then, read);
                    ElementReads(f.Else, read);
                    break;
                case LoopStatement l:
                    ElementReads(l.Header, read);
                    VariableUses.Names(l.Condition, read);
                    ElementReads(l.Body, read);
                    break;
                default:
                    VariableUses.Reads(new[] { s }, read);
                    break;
            }
        }
    }
}
