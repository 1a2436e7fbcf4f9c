using System.Collections.Generic;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Analyses;

/// <summary>Which variables statements read and which they define: the queries every pass shares.</summary>
internal static class VariableUses
{
    /// <summary>
    /// Adds every variable <paramref name="body"/> reads to <paramref name="read"/>; an accumulation
    /// (<c>+=</c>) reads its target. Branch conditions count unless <paramref name="includeConditions"/> is false.
    /// </summary>
    public static void Reads(IEnumerable<Statement> body, ISet<string> read, bool includeConditions = true)
    {
        foreach (Statement s in body)
        {
            switch (s)
            {
                case Assignment a:
                    Recording.CollectNames(a.Value, read);
                    break;
                case Accumulation a:
                    read.Add(a.Target.Name);
                    Recording.CollectNames(a.Value, read);
                    break;
                case ReturnStatement r:
                    Recording.CollectNames(r.Value, read);
                    break;
                case ExpressionStatement x:
                    Recording.CollectNames(x.Value, read);
                    break;
                case DifferentiableCall c:
                    foreach (Expr arg in c.Arguments)
                    {
                        Recording.CollectNames(arg, read);
                    }
                    break;
                case IfStatement f:
                    if (includeConditions)
                    {
                        Recording.CollectNames(f.Condition, read);
                    }
                    Reads(f.Then, read, includeConditions);
                    Reads(f.Else, read, includeConditions);
                    break;
            }
        }
    }

    /// <summary>
    /// Adds every variable <paramref name="body"/> defines to <paramref name="defined"/>: assignment targets,
    /// call results and the partials calls write; with <paramref name="includeAccumulations"/>, the targets of <c>+=</c> too.
    /// </summary>
    public static void Definitions(IEnumerable<Statement> body, ISet<string> defined, bool includeAccumulations = false)
    {
        foreach (Statement s in body)
        {
            switch (s)
            {
                case Assignment a:
                    defined.Add(a.Target.Name);
                    break;
                case Accumulation a when includeAccumulations:
                    defined.Add(a.Target.Name);
                    break;
                case DifferentiableCall c:
                    defined.Add(c.Target.Name);
                    foreach (PartialSlot p in c.Partials)
                    {
                        if (p.Variable is not null)
                        {
                            defined.Add(p.Variable.Name);
                        }
                    }
                    break;
                case IfStatement f:
                    Definitions(f.Then, defined, includeAccumulations);
                    Definitions(f.Else, defined, includeAccumulations);
                    break;
            }
        }
    }
}
