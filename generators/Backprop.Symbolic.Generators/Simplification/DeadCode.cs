using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Simplification;

/// <summary>
/// Removes assignments whose variables nothing reads (in either sweep), calls whose results nothing
/// reads, and branches left empty. Statements with effects (passive calls) stay.
/// </summary>
internal static class DeadCode
{
    public static (List<Statement> Forward, List<Statement> Backward) Run(
        List<Statement> forward, List<Statement> backward, ISet<string> alwaysLive)
    {
        while (true)
        {
            var read = new HashSet<string>(alwaysLive);
            VariableUses.Reads(forward, read);
            VariableUses.Reads(backward, read);
            bool changed = false;
            forward = Sweep(forward, read, ref changed);
            backward = Sweep(backward, read, ref changed);
            if (!changed)
            {
                return (forward, backward);
            }
        }
    }

    private static List<Statement> Sweep(IEnumerable<Statement> body, HashSet<string> read, ref bool changed)
    {
        var output = new List<Statement>();
        foreach (Statement s in body)
        {
            switch (s)
            {
                case Assignment a when !read.Contains(a.Target.Name) && !HasEffects(a.Value):
                    changed = true;
                    break;
                case DifferentiableCall c when !read.Contains(c.Target.Name) && c.Partials.All(p => p.Variable is null || !read.Contains(p.Variable.Name)):
                    changed = true;
                    break;
                case IfStatement f:
                {
                    var whenTrue = Sweep(f.Then, read, ref changed);
                    var whenFalse = Sweep(f.Else, read, ref changed);
                    if (whenTrue.Count == 0 && whenFalse.Count == 0 && !HasEffects(f.Condition))
                    {
                        changed = true;
                        break;
                    }
                    output.Add(f with { Then = whenTrue.ToEquatableArray(), Else = whenFalse.ToEquatableArray() });
                    break;
                }
                case LoopStatement l:
                    // Kept even when empty: whether it ends is part of the program's behaviour.
                    output.Add(l with { Header = Sweep(l.Header, read, ref changed).ToEquatableArray(), Body = Sweep(l.Body, read, ref changed).ToEquatableArray() });
                    break;
                case ReverseLoop r:
                    output.Add(r with { Body = Sweep(r.Body, read, ref changed).ToEquatableArray() });
                    break;
                case ArrayAllocation a when !read.Contains(a.Target.Name) && !a.Elements.Any(HasEffects) && !HasEffects(a.Length):
                    changed = true;
                    break;
                default:
                    output.Add(s);
                    break;
            }
        }
        RemoveOrphanComments(output);
        return output;
    }

    /// <summary>
    /// Removes, in every block of <paramref name="body"/>, the comments that document nothing: a statement a later pass
    /// removed (a copy coalescing merged away) leaves its comment with nothing after it, or just before another comment.
    /// </summary>
    public static List<Statement> WithoutOrphanComments(IEnumerable<Statement> body)
    {
        var output = body.Select(s => s switch
        {
            IfStatement f => f with { Then = WithoutOrphanComments(f.Then).ToEquatableArray(), Else = WithoutOrphanComments(f.Else).ToEquatableArray() },
            LoopStatement l => l with { Header = WithoutOrphanComments(l.Header).ToEquatableArray(), Body = WithoutOrphanComments(l.Body).ToEquatableArray() },
            ReverseLoop r => r with { Body = WithoutOrphanComments(r.Body).ToEquatableArray() },
            _ => s,
        }).ToList();
        RemoveOrphanComments(output);
        return output;
    }

    /// <summary>A comment with nothing after it (before the next comment) in this block documents nothing.</summary>
    private static void RemoveOrphanComments(List<Statement> block)
    {
        for (int i = block.Count - 1; i >= 0; i--)
        {
            if (block[i] is CommentStatement { Text.Length: > 0 } && (i == block.Count - 1 || block[i + 1] is CommentStatement))
            {
                block.RemoveAt(i);
            }
        }
    }

    private static bool HasEffects(Expr e) => e switch
    {
        PassiveCall => true,
        _ => CommonSubexpressions.Children(e).Any(HasEffects),
    };
}
