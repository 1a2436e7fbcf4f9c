using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// Gives the loops the code is written with the shape the source gave them, once every analysis has run:
/// a <c>for</c> loop of the source is written <c>for (int i = 0; i &lt; n; i++)</c> again when its increment
/// ends every path through the body that goes round (<see cref="LoopStatement.StepOrigin"/>) and its variable's
/// last assignment before the loop can become the initializer. A loop body that ends in
/// <c>if (c) { …; break; } else { rest }</c> is written <c>if (c) { …; break; } rest</c> first. Nothing changes
/// what runs, and each move is checked against the C# scopes the writer will give the variables
/// (<see cref="LocalRegions"/>): a loop whose variable is read after it stays a <c>while</c>.
/// </summary>
internal static class ForLoops
{
    public static (List<Statement> Forward, List<Statement> Backward) Shape(IReadOnlyList<Statement> forward, IReadOnlyList<Statement> backward)
    {
        var split = new CommentStatement("");
        var body = new List<Statement>(forward) { split };
        body.AddRange(backward);
        body = Flatten(body);
        var excluded = new HashSet<int>();
        while (true)
        {
            int loops = 0;
            var shaped = new List<(int Loop, string Variable)>();
            List<Statement> result = Shape(body, excluded, ref loops, shaped);
            int at = result.FindIndex(s => ReferenceEquals(s, split));
            var regions = new LocalRegions(result, at);
            var invalid = shaped.Where(s => regions.OneLocalPerRegion(new[] { s.Variable }) is null).ToList();
            if (invalid.Count == 0)
            {
                return (result.Take(at).ToList(), result.Skip(at + 1).ToList());
            }
            excluded.UnionWith(invalid.Select(s => s.Loop));
        }
    }

    /// <summary>In loop bodies, <c>if (c) { …; break; } else { rest }</c> at the end becomes <c>if (c) { …; break; } rest</c>.</summary>
    private static List<Statement> Flatten(IEnumerable<Statement> block) => block.Select(s => s switch
    {
        IfStatement f => f with { Then = Flatten(f.Then).ToEquatableArray(), Else = Flatten(f.Else).ToEquatableArray() },
        LoopStatement l => l with { Body = EndWithoutElse(Flatten(l.Body)).ToEquatableArray() },
        ReverseLoop r => r with { Body = Flatten(r.Body).ToEquatableArray() },
        _ => s,
    }).ToList();

    private static List<Statement> EndWithoutElse(List<Statement> body)
    {
        while (body.Count > 0 && body[body.Count - 1] is IfStatement f && f.Then.Count > 0 && f.Else.Count > 0)
        {
            (EquatableArray<Statement> leaving, EquatableArray<Statement> rest, Expr condition) =
                f.Then[f.Then.Count - 1] is BreakStatement ? (f.Then, f.Else, f.Condition)
                : f.Else[f.Else.Count - 1] is BreakStatement ? (f.Else, f.Then, new Unary(UnaryOperator.Not, f.Condition, TypeRef.Bool))
                : default;
            if (rest.Count == 0)
            {
                break;
            }
            // A variable the leaving branch defines and the rest names would be declared in both scopes.
            var defined = new HashSet<string>();
            VariableUses.Definitions(leaving, defined, includeAccumulations: true);
            if (defined.Overlaps(LocalRegions.Named(rest)))
            {
                break;
            }
            body.RemoveAt(body.Count - 1);
            body.Add(f with { Condition = condition, Then = leaving, Else = EquatableArray<Statement>.Empty });
            body.AddRange(rest);
        }
        return body;
    }

    private static List<Statement> Shape(IReadOnlyList<Statement> block, HashSet<int> excluded, ref int loops, List<(int Loop, string Variable)> shaped)
    {
        var output = new List<Statement>();
        foreach (Statement s in block)
        {
            switch (s)
            {
                case IfStatement f:
                    output.Add(f with { Then = Shape(f.Then, excluded, ref loops, shaped).ToEquatableArray(), Else = Shape(f.Else, excluded, ref loops, shaped).ToEquatableArray() });
                    break;
                case ReverseLoop r:
                    output.Add(r with { Body = Shape(r.Body, excluded, ref loops, shaped).ToEquatableArray() });
                    break;
                case LoopStatement l:
                {
                    int id = loops++;
                    l = l with { Body = Shape(l.Body, excluded, ref loops, shaped).ToEquatableArray() };
                    if (!excluded.Contains(id) && AsFor(l, output) is { } loop)
                    {
                        shaped.Add((id, ((Assignment)loop.Initializer[0]).Target.Name));
                        output.Add(loop);
                        break;
                    }
                    output.Add(l);
                    break;
                }
                default:
                    output.Add(s);
                    break;
            }
        }
        return output;
    }

    /// <summary>
    /// The loop written as a <c>for</c>, taking its initializer out of <paramref name="before"/> (the statements
    /// before it in its block); null when it cannot be.
    /// </summary>
    private static LoopStatement? AsFor(LoopStatement l, List<Statement> before)
    {
        if (l.StepOrigin < 0 || l.Header.Count > 0)
        {
            return null;
        }
        // The increment: the last run of statements with its origin at the top of the body, each stepping a
        // variable from its own value, and nothing else in the body assigning those variables (a continue would).
        int end = l.Body.Count;
        while (end > 0 && l.Body[end - 1].Origin != l.StepOrigin)
        {
            end--;
        }
        int first = end;
        while (first > 0 && l.Body[first - 1] is Assignment a && a.Origin == l.StepOrigin && Steps(a))
        {
            first--;
        }
        if (first == end)
        {
            return null;
        }
        var step = l.Body.Skip(first).Take(end - first).ToList();
        var trailing = l.Body.Skip(end).ToList();
        var elsewhere = l.Body.Take(first).Concat(trailing).ToList();
        var targets = new HashSet<string>(step.Cast<Assignment>().Select(a => a.Target.Name));
        var assignedElsewhere = new HashSet<string>();
        VariableUses.Definitions(elsewhere, assignedElsewhere, includeAccumulations: true);
        if (step.Any(s => ((Assignment)s).Target.Type.Kind == ScalarKind.Sequence) || assignedElsewhere.Overlaps(targets))
        {
            return null;
        }
        // What follows the increment in the body now runs before it: it must not touch what the increment touches.
        HashSet<string> stepped = LocalRegions.Named(step);
        if (LocalRegions.Named(trailing).Overlaps(stepped) || VariableUses.Descendants(trailing).Any(s => s is BreakStatement))
        {
            return null;
        }
        for (int j = before.Count - 1; j >= 0; j--)
        {
            if (before[j] is Assignment init && targets.Contains(init.Target.Name))
            {
                // It moves past the statements between it and the loop: they must neither name its variable nor change what it reads.
                var between = before.Skip(j + 1).ToList();
                var changed = new HashSet<string>();
                VariableUses.Definitions(between, changed, includeAccumulations: true);
                var read = new HashSet<string>();
                VariableUses.Names(init.Value, read);
                if (LocalRegions.Named(between).Contains(init.Target.Name) || changed.Overlaps(read))
                {
                    return null;
                }
                before.RemoveAt(j);
                return l with
                {
                    Initializer = new[] { (Statement)init }.ToEquatableArray(),
                    Step = step.ToEquatableArray(),
                    Body = l.Body.Take(first).Concat(trailing).ToEquatableArray(),
                };
            }
            if (LocalRegions.Named(new[] { before[j] }).Overlaps(targets))
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>True for <c>v = f(v, …)</c>: a step from the variable's own value (so it is declared before the loop).</summary>
    private static bool Steps(Assignment a)
    {
        var read = new HashSet<string>();
        VariableUses.Names(a.Value, read);
        return read.Contains(a.Target.Name) && !(a.Value is Variable);
    }
}
