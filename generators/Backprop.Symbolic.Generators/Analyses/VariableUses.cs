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
                    VariableUses.Names(a.Value, read);
                    break;
                case Accumulation a:
                    read.Add(a.Target.Name);
                    VariableUses.Names(a.Value, read);
                    break;
                case ReturnStatement r:
                    VariableUses.Names(r.Value, read);
                    break;
                case ExpressionStatement x:
                    VariableUses.Names(x.Value, read);
                    break;
                case DifferentiableCall c:
                    foreach (Expr arg in c.Arguments)
                    {
                        VariableUses.Names(arg, read);
                    }
                    break;
                case IfStatement f:
                    if (includeConditions)
                    {
                        VariableUses.Names(f.Condition, read);
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

    /// <summary>Adds the name of every variable in <paramref name="e"/> to <paramref name="names"/>.</summary>
    public static void Names(Expr e, ISet<string> names)
    {
        switch (e)
        {
            case Variable v:
                names.Add(v.Name);
                break;
            case Unary u:
                Names(u.Operand, names);
                break;
            case Binary b:
                Names(b.Left, names);
                Names(b.Right, names);
                break;
            case Conversion c:
                Names(c.Operand, names);
                break;
            case MathCall m:
                foreach (Expr a in m.Arguments)
                {
                    Names(a, names);
                }
                break;
            case PassiveCall p:
                foreach (Expr a in p.Arguments)
                {
                    Names(a, names);
                }
                break;
            case Select s:
                Names(s.Condition, names);
                Names(s.WhenTrue, names);
                Names(s.WhenFalse, names);
                break;
        }
    }
}
