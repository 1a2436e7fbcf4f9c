using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Simplification;

/// <summary>
/// Removes the copies SSA leaves behind, so the generated code reads like its source. A loop's header takes
/// its initial value by a copy (<c>int i_1 = i;</c>), each iteration hands its last version back to the header
/// (<c>i_1 = i_2;</c>), and the backward sweep hands adjoints from one iteration to the next the same way
/// (<c>double dS_2 = dS_1; … dS_1 = dS_2;</c>). Both sweeps are treated as one body, since the backward
/// sweep reads and reassigns forward values. Four steps, each only renaming variables or removing copies:
/// <list type="number">
/// <item>A variable whose every definition assigns one same constant is read as that constant (the copy
/// <c>int i_1 = i;</c> after <c>int i = 0;</c> becomes <c>int i_1 = 0;</c>).</item>
/// <item>A copy <c>a = b</c> merges <c>a</c> and <c>b</c> into one variable when their live ranges do not
/// interfere (<see cref="Interference"/>) and the merged variable is still well-formed C# locals
/// (<see cref="LocalRegions"/>). The copy becomes <c>a = a</c> and goes. Two versions of one source variable,
/// one computed from the other (<c>s_2 = s_1 * x</c>), merge the same way: <c>s *= x</c>.</item>
/// <item>A backward loop whose body copies its index into a variable counts with that variable
/// (<c>for (int i = _n0 - 1; i &gt;= 0; i--)</c> instead of <c>i = _k0;</c> in the body).</item>
/// <item>A numbered version (<c>s_2</c>) takes its source's name (<c>s</c>) when nothing else in the method is
/// called that.</item>
/// </list>
/// </summary>
internal static partial class CopyCoalescing
{
    private static readonly Regex Version = new("^(.+)_[0-9]+$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Coalesces the copies of <paramref name="forward"/> and <paramref name="backward"/> (empty in forward
    /// mode). <paramref name="pinned"/> names what must keep its name: parameters, adjoints, the value.
    /// </summary>
    public static (List<Statement> Forward, List<Statement> Backward) Run(
        IReadOnlyList<Statement> forward, IReadOnlyList<Statement> backward, NameAllocator names, ISet<string> pinned)
    {
        // One body, split again at the end by a statement nothing else is.
        var split = new CommentStatement("");
        var body = new List<Statement>(forward) { split };
        body.AddRange(backward);
        var fixedNames = new HashSet<string>(pinned);
        foreach (Statement s in VariableUses.Descendants(body))
        {
            if (s is LoopStatement { Counter: { } counter })
            {
                fixedNames.Add(counter);
            }
            else if (s is ReverseLoop r)
            {
                fixedNames.Add(r.Count);
                fixedNames.Add(r.Index);
            }
        }

        body = PropagateConstants(body, fixedNames);
        body = Coalesce(body, fixedNames, body.FindIndex(s => ReferenceEquals(s, split)));
        body = CountWithCopies(body, new HashSet<string>(), cyclic: false, fixedNames);
        body = RestoreSourceNames(body, fixedNames, names);
        // A copy merged away leaves the comment that introduced it documenting nothing.
        body = DeadCode.WithoutOrphanComments(body);
        int at = body.FindIndex(s => ReferenceEquals(s, split));
        return (body.Take(at).ToList(), body.Skip(at + 1).ToList());
    }

    private static List<Statement> Coalesce(List<Statement> body, ISet<string> fixedNames, int split)
    {
        // The pairs of variables of one scalar type that may be merged: a copy and its source, and a version of a
        // source variable and the version it is computed from (s_2 = s_1 * x becomes s *= x when s_1 is dead after).
        var copies = new List<(string Target, string Source)>();
        foreach (Assignment a in VariableUses.Descendants(body).OfType<Assignment>())
        {
            if (a.Target.Type.Kind == ScalarKind.Sequence || fixedNames.Contains(a.Target.Name))
            {
                continue;
            }
            var sources = new List<Variable>();
            if (a.Value is Variable copied)
            {
                sources.Add(copied);
            }
            else if (Generality(a.Target.Name) < 2)
            {
                sources.AddRange(Operands(a.Value).Where(v => Stem(v.Name) == Stem(a.Target.Name)));
            }
            foreach (Variable source in sources)
            {
                if (source.Type.Equals(a.Target.Type) && source.Name != a.Target.Name && !fixedNames.Contains(source.Name))
                {
                    copies.Add((a.Target.Name, source.Name));
                }
            }
        }
        if (copies.Count == 0)
        {
            return body;
        }
        var related = new HashSet<string>(copies.SelectMany(c => new[] { c.Target, c.Source }));
        Interference interference = Interference.Analyze(body, related);
        var regions = new LocalRegions(body, split);

        // Classes of merged variables, each named after its member closest to a name in the source.
        var members = related.ToDictionary(n => n, n => new List<string> { n });
        var classOf = related.ToDictionary(n => n, n => n);
        for (bool merged = true; merged;)
        {
            merged = false;
            foreach ((string target, string source) in copies)
            {
                string a = classOf[target];
                string b = classOf[source];
                if (a == b || members[a].Any(x => members[b].Any(y => interference.Interferes(x, y))))
                {
                    continue;
                }
                var union = members[a].Concat(members[b]).ToList();
                if (regions.OneLocalPerRegion(union) is not { } first)
                {
                    continue;
                }
                // The user's own name, if a member has one; else the first defined.
                string representative = union.OrderBy(Generality).ThenBy(n => n == first ? 0 : 1).First();
                members.Remove(a);
                members.Remove(b);
                members[representative] = union;
                foreach (string name in union)
                {
                    classOf[name] = representative;
                }
                merged = true;
            }
        }
        return VariableRewriter.Rewrite(body,
            v => classOf.TryGetValue(v.Name, out string? name) ? v with { Name = name } : v,
            v => classOf.TryGetValue(v.Name, out string? name) ? v with { Name = name } : v,
            s => s is not Assignment { Value: Variable source } a || source.Name != a.Target.Name);
    }

    /// <summary>The name a numbered version is a version of (<c>s</c> for <c>s_2</c>), or the name itself.</summary>
    private static string Stem(string name) => Version.Match(name) is { Success: true } match ? match.Groups[1].Value : name;

    /// <summary>The variables an expression reads as values (not the sequences it indexes).</summary>
    private static IEnumerable<Variable> Operands(Expr e)
    {
        var found = new List<Variable>();
        VariableRewriter.Replace(e, v =>
        {
            found.Add(v);
            return v;
        });
        return found.Where(v => v.Type.Kind != ScalarKind.Sequence);
    }

    /// <summary>How far a name is from the user's own: 0 for theirs (<c>p</c>, <c>dError</c>), 1 for a numbered version, 2 for a temporary.</summary>
    private static int Generality(string name) =>
        name.StartsWith("_", StringComparison.Ordinal) || name.StartsWith("d_", StringComparison.Ordinal) ? 2 : Version.IsMatch(name) ? 1 : 0;
}
