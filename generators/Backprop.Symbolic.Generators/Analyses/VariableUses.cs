using System.Collections.Generic;
using System.Linq;
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
                case LoopStatement l:
                    Reads(l.Header, read, includeConditions);
                    if (includeConditions)
                    {
                        VariableUses.Names(l.Condition, read);
                    }
                    Reads(l.Body, read, includeConditions);
                    break;
                case ReverseLoop r:
                    read.Add(r.Count);
                    Reads(r.Body, read, includeConditions);
                    break;
                case ElementWrite w:
                    read.Add(w.Sequence.Name);
                    VariableUses.Names(w.Index, read);
                    VariableUses.Names(w.Value, read);
                    break;
                case ElementAccumulation w:
                    read.Add(w.Sequence.Name);
                    VariableUses.Names(w.Index, read);
                    VariableUses.Names(w.Value, read);
                    break;
                case ArrayAllocation a:
                    VariableUses.Names(a.Length, read);
                    foreach (Expr e in a.Elements)
                    {
                        VariableUses.Names(e, read);
                    }
                    break;
                case TapePush p:
                    VariableUses.Names(p.Value, read);
                    break;
                case TapeReserve r:
                    VariableUses.Names(r.Count, read);
                    break;
                case SpanAccumulation a:
                    read.Add(a.Target.Name);
                    read.Add(a.Values.Name);
                    VariableUses.Names(a.Scale, read);
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
                case LoopStatement l:
                    if (l.Counter is not null)
                    {
                        defined.Add(l.Counter);
                    }
                    Definitions(l.Header, defined, includeAccumulations);
                    Definitions(l.Body, defined, includeAccumulations);
                    break;
                case ReverseLoop r:
                    defined.Add(r.Index);
                    Definitions(r.Body, defined, includeAccumulations);
                    break;
                case TensorLoop t:
                    defined.Add(t.Counter.Name);
                    foreach (CarriedTensor c in t.Carried)
                    {
                        defined.Add(c.Header.Name);
                    }
                    Definitions(t.Body, defined, includeAccumulations);
                    break;
                case ArrayAllocation a:
                    defined.Add(a.Target.Name);
                    break;
                case TapePop p:
                    defined.Add(p.Target.Name);
                    break;
                case ElementWrite w when includeAccumulations:
                    defined.Add(w.Sequence.Name);
                    break;
                case ElementAccumulation w when includeAccumulations:
                    defined.Add(w.Sequence.Name);
                    break;
                case SpanAccumulation a when includeAccumulations:
                    defined.Add(a.Target.Name);
                    break;
            }
        }
    }

    /// <summary>Every statement of <paramref name="body"/> and of the blocks nested in it, in order.</summary>
    public static IEnumerable<Statement> Descendants(IEnumerable<Statement> body)
    {
        foreach (Statement s in body)
        {
            yield return s;
            IEnumerable<Statement> nested = s switch
            {
                IfStatement f => f.Then.Concat(f.Else),
                LoopStatement l => l.Header.Concat(l.Body),
                ReverseLoop r => r.Body,
                _ => Enumerable.Empty<Statement>(),
            };
            foreach (Statement inner in Descendants(nested))
            {
                yield return inner;
            }
        }
    }

    /// <summary>Adds the local arrays <paramref name="body"/> allocates: the sequences whose elements can change.</summary>
    public static void LocalArrays(IEnumerable<Statement> body, ISet<string> arrays)
    {
        foreach (ArrayAllocation a in Descendants(body).OfType<ArrayAllocation>())
        {
            arrays.Add(a.Target.Name);
        }
    }

    /// <summary>
    /// Adds the variables <paramref name="body"/> reads before defining them itself: what must hold a value
    /// when it starts. A definition inside a nested block does not count for what follows the block.
    /// </summary>
    public static void ExposedReads(IEnumerable<Statement> body, ISet<string> exposed) => Exposed(body, new HashSet<string>(), exposed);

    private static void Exposed(IEnumerable<Statement> body, HashSet<string> defined, ISet<string> exposed)
    {
        foreach (Statement s in body)
        {
            switch (s)
            {
                case IfStatement f:
                    AddExposed(f.Condition, defined, exposed);
                    Exposed(f.Then, new HashSet<string>(defined), exposed);
                    Exposed(f.Else, new HashSet<string>(defined), exposed);
                    break;
                case LoopStatement l:
                    Exposed(l.Header.Concat(l.Body), new HashSet<string>(defined), exposed);
                    AddExposed(l.Condition, defined, exposed);
                    break;
                case ReverseLoop r:
                    if (!defined.Contains(r.Count))
                    {
                        exposed.Add(r.Count);
                    }
                    Exposed(r.Body, new HashSet<string>(defined) { r.Index }, exposed);
                    break;
                default:
                    var read = new HashSet<string>();
                    Reads(new[] { s }, read);
                    foreach (string name in read)
                    {
                        if (!defined.Contains(name))
                        {
                            exposed.Add(name);
                        }
                    }
                    Definitions(new[] { s }, defined);
                    break;
            }
        }
    }

    private static void AddExposed(Expr e, HashSet<string> defined, ISet<string> exposed)
    {
        var read = new HashSet<string>();
        Names(e, read);
        foreach (string name in read)
        {
            if (!defined.Contains(name))
            {
                exposed.Add(name);
            }
        }
    }

    /// <summary>How many statements define each variable: more than one only for variables a loop carries, and joined ones.</summary>
    public static Dictionary<string, int> DefinitionCounts(IEnumerable<Statement> body)
    {
        var counts = new Dictionary<string, int>();
        Count(body);
        return counts;

        void Count(IEnumerable<Statement> statements)
        {
            foreach (Statement s in statements)
            {
                switch (s)
                {
                    case IfStatement f:
                        Count(f.Then);
                        Count(f.Else);
                        break;
                    case LoopStatement l:
                        Count(l.Header);
                        Count(l.Body);
                        break;
                    default:
                        var defined = new HashSet<string>();
                        Definitions(new[] { s }, defined);
                        foreach (string name in defined)
                        {
                            counts[name] = counts.TryGetValue(name, out int n) ? n + 1 : 1;
                        }
                        break;
                }
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
            case ElementRead r:
                names.Add(r.Sequence.Name);
                Names(r.Index, names);
                break;
            case LengthRead l:
                names.Add(l.Sequence.Name);
                break;
            case SpanDot d:
                names.Add(d.Left.Name);
                names.Add(d.Right.Name);
                break;
            case TensorIndex t:
                foreach (Expr index in t.Indices)
                {
                    Names(index, names);
                }
                break;
            case TensorShapeRead s:
                names.Add(s.Tensor.Name);
                if (s.Axis is not null)
                {
                    Names(s.Axis, names);
                }
                break;
            case TensorOperation t:
                foreach (Expr a in t.Arguments)
                {
                    Names(a, names);
                }
                break;
        }
    }
}
