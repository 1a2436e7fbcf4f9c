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
        // A comment with nothing after it (before the next comment) documents nothing.
        for (int i = output.Count - 1; i >= 0; i--)
        {
            if (output[i] is CommentStatement && (i == output.Count - 1 || output[i + 1] is CommentStatement))
            {
                output.RemoveAt(i);
            }
        }
        return output;
    }

    private static bool HasEffects(Expr e) => e switch
    {
        PassiveCall => true,
        _ => CommonSubexpressions.Children(e).Any(HasEffects),
    };
}
