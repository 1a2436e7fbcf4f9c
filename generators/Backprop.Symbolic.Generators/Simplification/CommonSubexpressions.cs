using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Simplification;

/// <summary>
/// Common-subexpression elimination by value numbering. The IR is SSA, so two structurally equal pure
/// expressions have equal values wherever both are in scope, until a variable they read is assigned again
/// (a loop's carried variable, an adjoint added to, an element written): then they are forgotten; a subexpression that occurs more than once
/// is computed once into a temporary at its first occurrence and read afterwards. Values the forward
/// sweep already holds (<c>available</c>) are reused by the backward sweep. Loop conditions and the
/// increments of for loops are left as written.
/// </summary>
internal sealed class CommonSubexpressions
{
    private readonly NameAllocator _names;
    private readonly Dictionary<Expr, int> _counts = new();
    private readonly HashSet<string> _assigned = new();
    private readonly HashSet<int> _steps = new();

    private CommonSubexpressions(NameAllocator names) => _names = names;

    public static List<Statement> Run(IReadOnlyList<Statement> body, NameAllocator names, IReadOnlyDictionary<Expr, Variable>? available = null)
    {
        var cse = new CommonSubexpressions(names);
        // A loop's head stays as the source wrote it (for (int t = 0; t < c - 1; t++)): its condition and its
        // increment neither share their subexpressions nor take others' temporaries.
        foreach (LoopStatement l in VariableUses.Descendants(body).OfType<LoopStatement>().Where(l => l.StepOrigin >= 0))
        {
            cse._steps.Add(l.StepOrigin);
        }
        cse.Count(body);
        var scope = available is null ? new Dictionary<Expr, Variable>() : new Dictionary<Expr, Variable>(available.ToDictionary(p => p.Key, p => p.Value));
        return cse.Block(body, scope);
    }

    /// <summary>The pure values the top level of <paramref name="forward"/> computes, by expression.</summary>
    public static Dictionary<Expr, Variable> TopLevelValues(IReadOnlyList<Statement> forward)
    {
        var values = new Dictionary<Expr, Variable>();
        foreach (Statement s in forward)
        {
            if (s is Assignment a && IsCandidate(a.Value) && !values.ContainsKey(a.Value))
            {
                values[a.Value] = a.Target;
            }
        }
        // A value that reads a variable a loop changes, or an element, holds only at one moment: not reusable.
        var counts = VariableUses.DefinitionCounts(forward);
        foreach (KeyValuePair<Expr, Variable> pair in values.ToList())
        {
            var read = new HashSet<string>();
            VariableUses.Names(pair.Key, read);
            if (counts.TryGetValue(pair.Value.Name, out int n) && n > 1 || read.Any(r => counts.TryGetValue(r, out int m) && m > 1) || ContainsElementRead(pair.Key))
            {
                values.Remove(pair.Key);
            }
        }
        return values;
    }

    private static bool ContainsElementRead(Expr e) => e is ElementRead || Children(e).Any(ContainsElementRead);

    private static bool IsCandidate(Expr e) =>
        e is Unary or Binary or Conversion or MathCall or Select && !ExpressionBuilder.IsCheap(e) && IsPure(e);

    private static bool IsPure(Expr e) => e switch
    {
        PassiveCall => false,
        Unary u => IsPure(u.Operand),
        Binary b => IsPure(b.Left) && IsPure(b.Right),
        Conversion c => IsPure(c.Operand),
        MathCall m => m.Arguments.All(IsPure),
        Select s => IsPure(s.Condition) && IsPure(s.WhenTrue) && IsPure(s.WhenFalse),
        _ => true,
    };

    private void Count(IEnumerable<Statement> body)
    {
        foreach (Statement s in body)
        {
            foreach (Expr e in s is LoopStatement || _steps.Contains(s.Origin) ? Enumerable.Empty<Expr>() : ExpressionsOf(s))
            {
                Count(e);
            }
            if (s is IfStatement f)
            {
                Count(f.Then);
                Count(f.Else);
            }
            else if (s is LoopStatement l)
            {
                Count(l.Header);
                Count(l.Body);
            }
            else if (s is ReverseLoop r)
            {
                Count(r.Body);
            }
        }
    }

    private void Count(Expr e)
    {
        if (IsCandidate(e))
        {
            _counts[e] = _counts.TryGetValue(e, out int n) ? n + 1 : 1;
        }
        foreach (Expr child in Children(e))
        {
            Count(child);
        }
    }

    private List<Statement> Block(IEnumerable<Statement> body, Dictionary<Expr, Variable> scope)
    {
        var output = new List<Statement>();
        foreach (Statement s in body)
        {
            switch (s)
            {
                case Assignment a when _steps.Contains(a.Origin):
                    if (!_assigned.Add(a.Target.Name))
                    {
                        Invalidate(scope, a.Target.Name);
                    }
                    output.Add(a);
                    break;
                case Assignment a:
                {
                    if (!_assigned.Add(a.Target.Name))
                    {
                        Invalidate(scope, a.Target.Name); // a variable a loop carries takes a new value
                    }
                    Expr value = Rewrite(a.Value, scope, output, a.Origin, isRoot: true);
                    output.Add(a with { Value = value });
                    if (IsCandidate(a.Value) && !scope.ContainsKey(a.Value))
                    {
                        scope[a.Value] = a.Target;
                    }
                    break;
                }
                case Accumulation acc:
                    output.Add(acc with { Value = Rewrite(acc.Value, scope, output, acc.Origin, isRoot: false) });
                    Invalidate(scope, acc.Target.Name);
                    break;
                case ReturnStatement r:
                    output.Add(r with { Value = Rewrite(r.Value, scope, output, r.Origin, isRoot: false) });
                    break;
                case ExpressionStatement x:
                    output.Add(x with { Value = Rewrite(x.Value, scope, output, x.Origin, isRoot: true) });
                    break;
                case DifferentiableCall c:
                    output.Add(c with { Arguments = c.Arguments.Select(arg => Rewrite(arg, scope, output, c.Origin, isRoot: false)).ToEquatableArray() });
                    break;
                case IfStatement f:
                {
                    Expr condition = Rewrite(f.Condition, scope, output, f.Origin, isRoot: true);
                    var whenTrue = Block(f.Then, new Dictionary<Expr, Variable>(scope));
                    var whenFalse = Block(f.Else, new Dictionary<Expr, Variable>(scope));
                    output.Add(f with { Condition = condition, Then = whenTrue.ToEquatableArray(), Else = whenFalse.ToEquatableArray() });
                    // Adjoints the branches add to, and variables they assign, hold new values after the if.
                    var changed = new HashSet<string>();
                    VariableUses.Definitions(f.Then, changed, includeAccumulations: true);
                    VariableUses.Definitions(f.Else, changed, includeAccumulations: true);
                    foreach (string name in changed)
                    {
                        Invalidate(scope, name);
                    }
                    break;
                }
                case LoopStatement l:
                {
                    // Values that read what the loop changes differ from one iteration to the next.
                    var changed = Changed(l.Header.Concat(l.Body));
                    var inside = new Dictionary<Expr, Variable>(scope);
                    foreach (string name in changed)
                    {
                        Invalidate(inside, name);
                    }
                    var header = Block(l.Header, inside);
                    var statements = Block(l.Body, inside);
                    output.Add(l with { Header = header.ToEquatableArray(), Body = statements.ToEquatableArray() });
                    foreach (string name in changed)
                    {
                        Invalidate(scope, name);
                    }
                    break;
                }
                case ReverseLoop r:
                {
                    var changed = Changed(r.Body);
                    var inside = new Dictionary<Expr, Variable>(scope);
                    foreach (string name in changed)
                    {
                        Invalidate(inside, name);
                    }
                    output.Add(r with { Body = Block(r.Body, inside).ToEquatableArray() });
                    foreach (string name in changed)
                    {
                        Invalidate(scope, name);
                    }
                    break;
                }
                case ElementWrite w:
                    output.Add(w with { Index = Rewrite(w.Index, scope, output, w.Origin, isRoot: false), Value = Rewrite(w.Value, scope, output, w.Origin, isRoot: true) });
                    Invalidate(scope, w.Sequence.Name);
                    break;
                case ElementAccumulation w:
                    output.Add(w with { Index = Rewrite(w.Index, scope, output, w.Origin, isRoot: false), Value = Rewrite(w.Value, scope, output, w.Origin, isRoot: false) });
                    Invalidate(scope, w.Sequence.Name);
                    break;
                case SpanAccumulation a:
                    output.Add(a with { Scale = Rewrite(a.Scale, scope, output, a.Origin, isRoot: false) });
                    Invalidate(scope, a.Target.Name);
                    break;
                case TapePop p:
                    output.Add(p);
                    if (!_assigned.Add(p.Target.Name))
                    {
                        Invalidate(scope, p.Target.Name);
                    }
                    break;
                default:
                    output.Add(s);
                    break;
            }
        }
        return output;
    }

    private static HashSet<string> Changed(IEnumerable<Statement> body)
    {
        var changed = new HashSet<string>();
        VariableUses.Definitions(body, changed, includeAccumulations: true);
        return changed;
    }

    /// <summary>Forgets every value held in, or computed from, <paramref name="name"/>, which has just changed.</summary>
    private static void Invalidate(Dictionary<Expr, Variable> scope, string name)
    {
        foreach (KeyValuePair<Expr, Variable> entry in scope.ToList())
        {
            var read = new HashSet<string>();
            VariableUses.Names(entry.Key, read);
            if (entry.Value.Name == name || read.Contains(name))
            {
                scope.Remove(entry.Key);
            }
        }
    }

    private Expr Rewrite(Expr e, Dictionary<Expr, Variable> scope, List<Statement> output, int origin, bool isRoot)
    {
        if (scope.TryGetValue(e, out Variable? known))
        {
            return known;
        }
        IReadOnlyList<Expr> children = Children(e);
        if (children.Count == 0)
        {
            return e;
        }
        var rewritten = children.Select(c => Rewrite(c, scope, output, origin, isRoot: false)).ToList();
        Expr result = WithChildren(e, rewritten);
        if (!isRoot && IsCandidate(e) && _counts.TryGetValue(e, out int n) && n > 1)
        {
            var temp = new Variable(_names.FreshNumbered("_t"), e.Type);
            output.Add(new Assignment(temp, result, origin));
            scope[e] = temp;
            return temp;
        }
        return result;
    }

    private static IEnumerable<Expr> ExpressionsOf(Statement s) => s switch
    {
        Assignment a => new[] { a.Value },
        Accumulation a => new[] { a.Value },
        ReturnStatement r => new[] { r.Value },
        ExpressionStatement x => new[] { x.Value },
        DifferentiableCall c => c.Arguments,
        IfStatement f => new[] { f.Condition },
        LoopStatement l => new[] { l.Condition },
        ElementWrite w => new[] { w.Index, w.Value },
        ElementAccumulation w => new[] { w.Index, w.Value },
        SpanAccumulation a => new[] { a.Scale },
        _ => System.Array.Empty<Expr>(),
    };

    internal static IReadOnlyList<Expr> Children(Expr e) => e switch
    {
        Select s => new[] { s.Condition, s.WhenTrue, s.WhenFalse },
        PassiveCall p => p.Arguments.ToArrayList(),
        ElementRead r => new[] { r.Index },
        TensorIndex t => t.Indices.ToArrayList(),
        TensorShapeRead { Axis: { } axis } => new[] { axis },
        _ => DerivativeRules.Operands(e),
    };

    internal static Expr WithChildren(Expr e, IReadOnlyList<Expr> children) => e switch
    {
        Select s => s with { Condition = children[0], WhenTrue = children[1], WhenFalse = children[2] },
        PassiveCall p => p with { Arguments = children.ToEquatableArray() },
        ElementRead r => r with { Index = children[0] },
        TensorIndex t => t with { Indices = children.ToEquatableArray() },
        TensorShapeRead { Axis: not null } s => s with { Axis = children[0] },
        _ => DerivativeRules.WithOperands(e, children),
    };
}
