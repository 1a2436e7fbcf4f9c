using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Simplification;

/// <summary>
/// Common-subexpression elimination by value numbering. The IR is SSA, so two structurally equal pure
/// expressions have equal values wherever both are in scope; a subexpression that occurs more than once
/// is computed once into a temporary at its first occurrence and read afterwards. Values the forward
/// sweep already holds (<c>available</c>) are reused by the backward sweep.
/// </summary>
internal sealed class CommonSubexpressions
{
    private readonly NameAllocator _names;
    private readonly Dictionary<Expr, int> _counts = new();

    private CommonSubexpressions(NameAllocator names) => _names = names;

    public static List<Statement> Run(IReadOnlyList<Statement> body, NameAllocator names, IReadOnlyDictionary<Expr, Variable>? available = null)
    {
        var cse = new CommonSubexpressions(names);
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
        return values;
    }

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
            foreach (Expr e in ExpressionsOf(s))
            {
                Count(e);
            }
            if (s is IfStatement f)
            {
                Count(f.Then);
                Count(f.Else);
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
                case Assignment a:
                {
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
                default:
                    output.Add(s);
                    break;
            }
        }
        return output;
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
        _ => System.Array.Empty<Expr>(),
    };

    internal static IReadOnlyList<Expr> Children(Expr e) => e switch
    {
        Select s => new[] { s.Condition, s.WhenTrue, s.WhenFalse },
        PassiveCall p => p.Arguments.ToArrayList(),
        _ => DerivativeRules.Operands(e),
    };

    internal static Expr WithChildren(Expr e, IReadOnlyList<Expr> children) => e switch
    {
        Select s => s with { Condition = children[0], WhenTrue = children[1], WhenFalse = children[2] },
        PassiveCall p => p with { Arguments = children.ToEquatableArray() },
        _ => DerivativeRules.WithOperands(e, children),
    };
}
