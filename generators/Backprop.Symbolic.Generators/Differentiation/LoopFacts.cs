using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Simplification;

namespace Backprop.Symbolic.Generators.Differentiation;

/// <summary>
/// What the backward sweep can recompute about a loop instead of recording it: counters that step by a
/// constant on every path (their value at the start of an iteration follows from the iteration number),
/// trip counts known before the loop starts, and cheap expressions over values at hand.
/// </summary>
internal sealed class LoopFacts
{
    private readonly Scopes _scopes;
    private readonly IReadOnlyDictionary<string, TypeRef> _types;
    private readonly ISet<string> _localArrays;
    private readonly ISet<string> _stable;
    private readonly HashSet<string> _createdInLoops = new();
    private readonly Dictionary<string, Expr> _lengths = new();

    public LoopFacts(Scopes scopes, IReadOnlyDictionary<string, TypeRef> types, IReadOnlyList<Statement> forward, ISet<string> stable)
    {
        _scopes = scopes;
        _types = types;
        _stable = stable;
        _localArrays = new HashSet<string>();
        VariableUses.LocalArrays(forward, _localArrays);
        foreach (ArrayAllocation a in VariableUses.Descendants(VariableUses.Descendants(forward).OfType<LoopStatement>().SelectMany(l => l.Header.Concat(l.Body))).OfType<ArrayAllocation>())
        {
            _createdInLoops.Add(a.Target.Name);
            var reads = new HashSet<string>();
            VariableUses.Names(a.Length, reads);
            if (!reads.Any(_scopes.IsHeader))
            {
                // Nothing the length reads changes while the array lives: its length is the allocation's.
                _lengths[a.Target.Name] = a.Length;
            }
        }
    }

    /// <summary>
    /// <paramref name="e"/> with the length of each local array created in a loop written as the length it was
    /// allocated with: the backward sweep reverses many iterations, and has none of their arrays, only the
    /// values their lengths were computed from.
    /// </summary>
    public Expr WithAllocatedLengths(Expr e)
    {
        if (e is LengthRead l && _lengths.TryGetValue(l.Sequence.Name, out Expr? length))
        {
            return WithAllocatedLengths(length);
        }
        IReadOnlyList<Expr> children = CommonSubexpressions.Children(e);
        if (children.Count == 0)
        {
            return e;
        }
        var rewritten = children.Select(WithAllocatedLengths).ToList();
        return rewritten.SequenceEqual(children) ? e : CommonSubexpressions.WithChildren(e, rewritten);
    }

    /// <summary>The most arithmetic operations a floating value may take to be recomputed rather than recorded.</summary>
    public const int CheapOperations = 2;

    /// <summary>
    /// The arithmetic operations <paramref name="e"/> takes; reading an element costs one, except an element of a
    /// parameter or of a stable local array, which a load gives back as cheaply as the tape would.
    /// </summary>
    public int Operations(Expr e) => e switch
    {
        Unary u => 1 + Operations(u.Operand),
        Binary b => 1 + Operations(b.Left) + Operations(b.Right),
        Conversion c => 1 + Operations(c.Operand),
        ElementRead r => _stable.Contains(r.Sequence.Name) || !_localArrays.Contains(r.Sequence.Name) ? 0 : 1,
        _ => 0,
    };

    public bool IsRecomputable(Expr e) => e switch
    {
        Constant or Literal or Variable => true,
        // The backward sweep has a local array itself only when it was created outside every loop; the
        // length of one created in a loop is the length it was allocated with (see WithAllocatedLengths).
        LengthRead l => _lengths.TryGetValue(l.Sequence.Name, out Expr? length) ? IsRecomputable(length) : !_createdInLoops.Contains(l.Sequence.Name),
        // A parameter's elements never change, nor do a stable local array's after it is filled.
        ElementRead r => (_stable.Contains(r.Sequence.Name) || !_localArrays.Contains(r.Sequence.Name)) && IsRecomputable(r.Index),
        Unary u => IsRecomputable(u.Operand),
        Binary b => IsRecomputable(b.Left) && IsRecomputable(b.Right),
        Conversion c => IsRecomputable(c.Operand),
        // A tensor parameter's elements and shape never change.
        TensorIndex t => t.Indices.All(IsRecomputable),
        TensorShapeRead s => s.Axis is null || IsRecomputable(s.Axis),
        _ => false,
    };

    /// <summary>
    /// For an integer the loop steps by a constant on every path (<c>i++</c>, <c>n--</c>), its value at the
    /// start of iteration <paramref name="index"/>: the value before the loop plus index times the step.
    /// </summary>
    public Expr? Induction(LoopStatement loop, string name, string index)
    {
        if (!Stepping(loop, name, out Expr initial, out double step))
        {
            return null;
        }
        // initial ± index · |step|, written without the factor 1 or the term 0.
        Expr distance = new Variable(index, TypeRef.Int32);
        if (Math.Abs(step) != 1)
        {
            distance = new Binary(BinaryOperator.Multiply, distance, new Constant(Math.Abs(step), TypeRef.Int32), TypeRef.Int32);
        }
        if (initial is Constant { Value: 0 })
        {
            return step > 0 ? distance : new Unary(UnaryOperator.Negate, distance, TypeRef.Int32);
        }
        return new Binary(step > 0 ? BinaryOperator.Add : BinaryOperator.Subtract, initial, distance, TypeRef.Int32);
    }

    /// <summary>
    /// The number of iterations of a loop known before it starts: <c>for (i = a; i &lt; b; i++)</c> (or <c>i &lt;= b</c>),
    /// or <c>for (i = a; i &gt;= b; i--)</c> (or <c>i &gt; b</c>), with no <c>break</c>, <c>b</c> computed before the loop.
    /// Then it is <c>max(0, b − a)</c> (<c>max(0, a − b + 1)</c> and so on), recomputed instead of recorded.
    /// </summary>
    public Expr? TripCount(LoopStatement loop)
    {
        if (loop.Header.Count > 0 || loop.Condition is not Binary { Left: Variable counter, Right: var bound } condition
            || !_scopes.HeadersOf(loop).Contains(counter.Name) || !IsRecomputable(bound) || Breaks(loop.Body)
            || !Stepping(loop, counter.Name, out Expr initial, out double step))
        {
            return null;
        }
        bool upward = condition.Operator is BinaryOperator.LessThan or BinaryOperator.LessThanOrEqual;
        bool downward = condition.Operator is BinaryOperator.GreaterThan or BinaryOperator.GreaterThanOrEqual;
        if (!(upward && step == 1 || downward && step == -1))
        {
            return null;
        }
        var inside = new HashSet<string>();
        VariableUses.Definitions(new[] { loop }, inside);
        var reads = new HashSet<string>();
        VariableUses.Names(bound, reads);
        if (reads.Overlaps(inside) || reads.Overlaps(_localArrays))
        {
            return null; // the bound changes in the loop, or is a local array's length (the backward sweep has only its adjoint)
        }
        // upward: bound − initial; downward: initial − bound; plus one when the bound itself is reached.
        Expr difference = upward ? Subtract(bound, initial) : Subtract(initial, bound);
        if (condition.Operator is BinaryOperator.LessThanOrEqual or BinaryOperator.GreaterThanOrEqual)
        {
            difference = new Binary(BinaryOperator.Add, difference, new Constant(1, TypeRef.Int32), TypeRef.Int32);
        }
        return new MathCall("Max", new[] { (Expr)new Constant(0, TypeRef.Int32), difference }.ToEquatableArray(), TypeRef.Int32);

        static Expr Subtract(Expr left, Expr right) =>
            right is Constant { Value: 0 } ? left : new Binary(BinaryOperator.Subtract, left, right, TypeRef.Int32);
    }

    private static bool Breaks(IEnumerable<Statement> body) => body.Any(s => s switch
    {
        BreakStatement => true,
        IfStatement f => Breaks(f.Then) || Breaks(f.Else),
        _ => false, // a nested loop's breaks leave the nested loop only
    });

    /// <summary>
    /// True when every path through an iteration that goes on to the next one (does not break) gives
    /// <paramref name="name"/> exactly one new value: a counter stepped on some paths only (<c>if (…) continue;</c>
    /// before <c>m++</c>) is not a function of the iteration number.
    /// </summary>
    private static bool OneStepPerIteration(LoopStatement loop, string name)
    {
        const int MaxPaths = 64;
        List<HashSet<string>>? paths = Walk(loop.Header.Concat(loop.Body), new List<HashSet<string>> { new() });
        return paths is not null && paths.All(p => p.Count == 1);

        List<HashSet<string>>? Walk(IEnumerable<Statement> body, List<HashSet<string>> incoming)
        {
            List<HashSet<string>> current = incoming;
            foreach (Statement st in body)
            {
                switch (st)
                {
                    case Assignment a when a.Target.Name == name:
                        // The same value stored again (the condition's update, then the iteration's end) is one step.
                        var value = new HashSet<string>();
                        VariableUses.Names(a.Value, value);
                        current = current.Select(p => new HashSet<string>(p) { string.Join(",", value.OrderBy(n => n, StringComparer.Ordinal)) }).ToList();
                        break;
                    case BreakStatement:
                        return new List<HashSet<string>>();
                    case IfStatement f:
                    {
                        var then = Walk(f.Then, current);
                        var otherwise = Walk(f.Else, current);
                        if (then is null || otherwise is null || then.Count + otherwise.Count > MaxPaths)
                        {
                            return null;
                        }
                        current = then.Concat(otherwise).ToList();
                        break;
                    }
                    case LoopStatement inner:
                    {
                        var assigned = new HashSet<string>();
                        VariableUses.Definitions(new[] { inner }, assigned);
                        if (assigned.Contains(name))
                        {
                            return null;
                        }
                        break;
                    }
                }
            }
            return current;
        }
    }

    /// <summary>True when every assignment to <paramref name="name"/> inside the loop adds the same constant to it.</summary>
    private bool Stepping(LoopStatement loop, string name, out Expr initial, out double step)
    {
        initial = null!;
        step = 0;
        if (!_types.TryGetValue(name, out TypeRef? type) || type.Name != "int")
        {
            return false;
        }
        (IReadOnlyList<Statement> enclosing, int position) = _scopes.ContainerOf(loop);
        Expr? start = null;
        for (int k = position - 1; k >= 0 && start is null; k--)
        {
            if (enclosing[k] is Assignment a && a.Target.Name == name)
            {
                start = a.Value;
            }
        }
        if (start is not (Constant or Variable) || start is Variable v0 && _scopes.IsHeader(v0.Name))
        {
            return false;
        }
        var updates = new List<Assignment>();
        Collect(loop.Header);
        Collect(loop.Body);
        double? delta = null;
        foreach (Assignment update in updates)
        {
            if (update.Value is not Variable next || _scopes.DefinitionOf(next.Name) is not { } definition
                || definition.Value is not Binary { Left: Variable from, Right: Constant c } b || from.Name != name
                || b.Operator is not (BinaryOperator.Add or BinaryOperator.Subtract))
            {
                return false;
            }
            double d = b.Operator == BinaryOperator.Add ? c.Value : -c.Value;
            if (delta is not null && delta != d)
            {
                return false;
            }
            delta = d;
        }
        if (delta is null || !OneStepPerIteration(loop, name))
        {
            return false;
        }
        initial = start;
        step = delta.Value;
        return true;

        void Collect(IEnumerable<Statement> body)
        {
            foreach (Statement st in body)
            {
                switch (st)
                {
                    case Assignment a when a.Target.Name == name:
                        updates.Add(a);
                        break;
                    case IfStatement f:
                        Collect(f.Then);
                        Collect(f.Else);
                        break;
                    case LoopStatement inner:
                        Collect(inner.Header);
                        Collect(inner.Body);
                        break;
                }
            }
        }
    }
}
