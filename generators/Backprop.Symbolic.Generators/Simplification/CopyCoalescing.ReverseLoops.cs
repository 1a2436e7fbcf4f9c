using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Simplification;

// Step 3 of copy coalescing: backward loops count with the variable their body copies the index into.
internal static partial class CopyCoalescing
{
    /// <summary>
    /// A reverse loop whose body copies its index into a variable (<c>i = _k0;</c>) counts with that variable
    /// instead, when nothing else in the body assigns it, nothing reads it before the copy, and nothing reads
    /// it after the loop (<paramref name="later"/>: what runs after the statement, in enclosing loops also what
    /// runs before it). Then the backward loop reads <c>for (int i = _n0 - 1; i &gt;= 0; i--)</c>.
    /// </summary>
    private static List<Statement> CountWithCopies(IReadOnlyList<Statement> block, HashSet<string> later, bool cyclic, ISet<string> fixedNames)
    {
        var named = block.Select(s => LocalRegions.Named(new[] { s })).ToList();
        var output = new List<Statement>();
        for (int k = 0; k < block.Count; k++)
        {
            var after = new HashSet<string>(later);
            for (int j = 0; j < block.Count; j++)
            {
                if (j > k || (cyclic && j < k))
                {
                    after.UnionWith(named[j]);
                }
            }
            output.Add(block[k] switch
            {
                IfStatement f => f with
                {
                    Then = CountWithCopies(f.Then, after, cyclic: false, fixedNames).ToEquatableArray(),
                    Else = CountWithCopies(f.Else, after, cyclic: false, fixedNames).ToEquatableArray(),
                },
                LoopStatement l => l with
                {
                    Header = CountWithCopies(l.Header, new HashSet<string>(after.Concat(LocalRegions.Named(l.Body))), cyclic: true, fixedNames).ToEquatableArray(),
                    Body = CountWithCopies(l.Body, new HashSet<string>(after.Concat(LocalRegions.Named(l.Header))), cyclic: true, fixedNames).ToEquatableArray(),
                },
                ReverseLoop r => CountWithCopy(r with { Body = CountWithCopies(r.Body, after, cyclic: true, fixedNames).ToEquatableArray() }, after, fixedNames),
                Statement s => s,
            });
        }
        return output;
    }

    private static ReverseLoop CountWithCopy(ReverseLoop r, HashSet<string> after, ISet<string> fixedNames)
    {
        int copy = r.Body.ToList().FindIndex(s => s is Assignment { Value: Variable source, Target.Type.Kind: ScalarKind.Integer } a
            && source.Name == r.Index && a.Target.Type.Equals(TypeRef.Int32) && !fixedNames.Contains(a.Target.Name));
        if (copy < 0)
        {
            return r;
        }
        string counter = ((Assignment)r.Body[copy]).Target.Name;
        var defined = new HashSet<string>();
        VariableUses.Definitions(r.Body.Where((_, k) => k != copy), defined, includeAccumulations: true);
        if (after.Contains(counter) || r.Count == counter || defined.Contains(counter) || LocalRegions.Named(r.Body.Take(copy)).Contains(counter))
        {
            return r;
        }
        Variable Counter(Variable v) => v.Name == r.Index ? v with { Name = counter } : v;
        var body = VariableRewriter.Rewrite(r.Body.Where((_, k) => k != copy), Counter, v => v, _ => true);
        return r with { Index = counter, Body = body.ToEquatableArray() };
    }
}
