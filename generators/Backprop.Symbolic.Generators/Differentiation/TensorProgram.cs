using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Differentiation;

/// <summary>One step of a method with tensors, in forward order. <see cref="Origin"/> indexes the model's origins.</summary>
internal abstract record TensorStep(int Origin);

/// <summary><c>Target = Value</c> on floats (no tensor operation inside).</summary>
internal sealed record ScalarStep(Variable Target, Expr Value, int Origin) : TensorStep(Origin);

/// <summary>The method's value.</summary>
internal sealed record ReturnStep(Expr Value, int Origin) : TensorStep(Origin);

/// <summary>A passive statement run for its effect.</summary>
internal sealed record PassiveStep(Statement Statement) : TensorStep(Statement.Origin);

/// <summary>A contraction, reduction or loss computed by a kernel; its tensor arguments are variables.</summary>
internal sealed record KernelStep(Variable Target, TensorOperation Operation, int Origin) : TensorStep(Origin);

/// <summary>A chain of element-wise operations computed in one loop; <see cref="Root"/> yields <see cref="Target"/>.</summary>
internal sealed record FusedStep(Variable Target, FusedNode Root, int Origin) : TensorStep(Origin);

/// <summary>An element-wise operation of a fused chain; <see cref="Target"/> is its IR variable (materialized only for the root).</summary>
internal sealed record FusedNode(Variable Target, TensorFunction Function, IReadOnlyList<FusedOperand> Operands)
{
    /// <summary>The nodes of the chain below and including this one, operands first.</summary>
    public IEnumerable<FusedNode> PostOrder()
    {
        foreach (FusedOperand operand in Operands)
        {
            if (operand.Node is { } node)
            {
                foreach (FusedNode inner in node.PostOrder())
                {
                    yield return inner;
                }
            }
        }
        yield return this;
    }
}

/// <summary>An operand of a fused operation: an inner operation, a tensor read element by element, or a float.</summary>
internal sealed record FusedOperand(FusedNode? Node, Variable? Tensor, Expr? Scalar)
{
    public bool IsTensorValued => Node is not null || Tensor is not null;
}

/// <summary>
/// The straight-line body of a method with tensors, ready for the sweeps: every nested tensor operation gets its
/// own variable (<c>_t0</c>, <c>_s0</c>), copies of tensors are resolved, element-wise operations whose result is
/// used once by another element-wise operation join their consumer's loop (<see cref="FusedStep"/>), and activity
/// says which values carry derivatives (they depend on a differentiated parameter and reach the result).
/// </summary>
internal sealed partial class TensorProgram
{
    private readonly NameAllocator _names;
    private readonly Dictionary<string, Variable> _aliases = new();
    private readonly List<(Variable? Target, Expr? Value, Statement? Passive, bool IsReturn, int Origin)> _flat = new();

    private TensorProgram(NameAllocator names) => _names = names;

    /// <summary>The steps in forward order (values the result does not read are left out).</summary>
    public List<TensorStep> Steps { get; } = new();

    /// <summary>The variables that carry derivatives.</summary>
    public HashSet<string> Active { get; } = new();

    private readonly Dictionary<string, int> _uses = new();
    private readonly HashSet<string> _fusedRoots = new();

    /// <summary>True for the result of a fused chain that nothing reads but one reduction (its adjoint is the same for every element).</summary>
    public bool ReadOnceByReduction(string name) => _fusedRoots.Contains(name) && _uses.TryGetValue(name, out int n) && n == 1;

    /// <summary>Builds the program of <paramref name="body"/>; <paramref name="differentiated"/> names the differentiated parameters.</summary>
    /// <param name="fuse">False keeps every element-wise operation a step of its own.</param>
    public static TensorProgram Build(IEnumerable<Statement> body, IEnumerable<string> differentiated, NameAllocator names, bool fuse = true)
    {
        var program = new TensorProgram(names);
        foreach (Statement s in body)
        {
            program.Flatten(s);
        }
        program.Plan(new HashSet<string>(differentiated), fuse);
        return program;
    }

    private void Flatten(Statement s)
    {
        switch (s)
        {
            case Assignment { Target.Type.IsTensor: true, Value: Variable copy } a:
                _aliases[a.Target.Name] = Resolve(copy);
                break;
            case Assignment a:
                _flat.Add((a.Target, Hoist(Resolve(a.Value), a.Origin, top: true), null, false, a.Origin));
                break;
            case ReturnStatement r:
                _flat.Add((null, Hoist(Resolve(r.Value), r.Origin, top: false), null, true, r.Origin));
                break;
            case ExpressionStatement or CommentStatement:
                _flat.Add((null, null, s, false, s.Origin));
                break;
            case TensorLoop loop:
                FlattenLoop(loop);
                break;
            default:
                throw new InvalidOperationException("A method with tensors cannot hold a " + s.GetType().Name + " yet.");
        }
    }

    private Variable Resolve(Variable v) => _aliases.TryGetValue(v.Name, out Variable? target) ? target : v;

    private Expr Resolve(Expr e) => Rewrite(e, x => x is Variable v ? Resolve(v) : null);

    /// <summary>Gives every tensor operation below the top its own variable, in evaluation order.</summary>
    private Expr Hoist(Expr e, int origin, bool top)
    {
        if (e is TensorOperation t)
        {
            var operation = t with { Arguments = t.Arguments.Select(a => Hoist(a, origin, top: false)).ToEquatableArray() };
            if (top)
            {
                return operation;
            }
            var temporary = new Variable(_names.FreshNumbered(t.Type.IsTensor ? "_t" : "_s"), t.Type);
            _flat.Add((temporary, operation, null, false, origin));
            return temporary;
        }
        IReadOnlyList<Expr> operands = Children(e);
        if (operands.Count == 0)
        {
            return e;
        }
        return WithChildren(e, operands.Select(o => Hoist(o, origin, top: false)).ToList());
    }

    private void Plan(HashSet<string> differentiated, bool fuse)
    {
        // How often each variable is read, and by which statement when once.
        Dictionary<string, int> uses = _uses;
        var consumer = new Dictionary<string, int>();
        for (int i = 0; i < _flat.Count; i++)
        {
            foreach (Variable v in Variables(_flat[i].Value))
            {
                uses[v.Name] = uses.TryGetValue(v.Name, out int n) ? n + 1 : 1;
                consumer[v.Name] = i;
            }
        }

        // Activity: varied forward from the differentiated parameters, needed backward from the result.
        // A loop's state feeds its next step, so both passes repeat until nothing changes.
        var varied = new HashSet<string>(differentiated);
        int count;
        do
        {
            count = varied.Count;
            foreach (var f in _flat)
            {
                if (f.Target is { } target && f.Value is { } value && Activity.IsVaried(value, varied))
                {
                    varied.Add(target.Name);
                }
            }
        }
        while (varied.Count != count);
        var needed = new HashSet<string>();
        var neededStatements = new bool[_flat.Count];
        bool grew;
        do
        {
            grew = false;
            for (int i = _flat.Count - 1; i >= 0; i--)
            {
                var f = _flat[i];
                if (!neededStatements[i] && (f.IsReturn || f.Passive is not null || (f.Target is { } t && needed.Contains(t.Name))))
                {
                    neededStatements[i] = true;
                    grew = true;
                    foreach (Variable v in Variables(f.Value))
                    {
                        needed.Add(v.Name);
                    }
                }
            }
        }
        while (grew);
        Active.UnionWith(varied.Where(needed.Contains));

        // Fusion: an element-wise result read once, by an element-wise operation, joins that operation's loop.
        var definition = new Dictionary<string, int>();
        var member = new bool[_flat.Count];
        for (int i = 0; i < _flat.Count; i++)
        {
            if (_flat[i].Target is { } target && _flat[i].Value is TensorOperation { IsElementwise: true })
            {
                definition[target.Name] = i;
                // A transcendental activation (tanh, σ, exp, log, √) stays the root of its own chain: TensorPrimitives
                // computes it a vector at a time, where inside its consumer's loop it would take one MathF call per
                // element, and the backward sweep reads its derivative off its output.
                member[i] = fuse && uses.TryGetValue(target.Name, out int n) && n == 1
                    && _flat[consumer[target.Name]].Value is TensorOperation { IsElementwise: true } && _flat[consumer[target.Name]].Target is not null
                    && SameLoop(i, consumer[target.Name])
                    && _flat[i].Value is not TensorOperation { Function: TensorFunction.Tanh or TensorFunction.Sigmoid or TensorFunction.Exp or TensorFunction.Log or TensorFunction.Sqrt };
            }
        }

        FusedNode Node(int i)
        {
            var (target, value, _, _, _) = _flat[i];
            var operation = (TensorOperation)value!;
            var operands = new List<FusedOperand>();
            foreach (Expr argument in operation.Arguments)
            {
                if (argument is Variable { Type.IsTensor: true } v)
                {
                    operands.Add(definition.TryGetValue(v.Name, out int d) && member[d] ? new FusedOperand(Node(d), null, null) : new FusedOperand(null, v, null));
                }
                else
                {
                    operands.Add(new FusedOperand(null, null, argument));
                }
            }
            return new FusedNode(target!, operation.Function, operands);
        }

        for (int i = 0; i < _flat.Count; i++)
        {
            if (LoopBoundary(i, neededStatements))
            {
                continue;
            }
            var (target, value, passive, isReturn, origin) = _flat[i];
            if (!neededStatements[i] || member[i])
            {
                continue;
            }
            if (passive is not null)
            {
                Steps.Add(new PassiveStep(passive));
            }
            else if (isReturn)
            {
                Steps.Add(new ReturnStep(value!, origin));
            }
            else if (value is TensorOperation { IsElementwise: true })
            {
                Steps.Add(new FusedStep(target!, Node(i), origin));
                _fusedRoots.Add(target!.Name);
            }
            else if (value is TensorOperation operation)
            {
                Steps.Add(new KernelStep(target!, operation, origin));
            }
            else
            {
                Steps.Add(new ScalarStep(target!, value!, origin));
            }
        }
    }

    /// <summary>Every variable <paramref name="e"/> reads, with repeats.</summary>
    internal static IEnumerable<Variable> Variables(Expr? e)
    {
        if (e is null)
        {
            yield break;
        }
        if (e is Variable v)
        {
            yield return v;
            yield break;
        }
        if (e is ElementRead r)
        {
            yield return r.Sequence;
        }
        foreach (Expr child in Children(e))
        {
            foreach (Variable inner in Variables(child))
            {
                yield return inner;
            }
        }
    }

    private static IReadOnlyList<Expr> Children(Expr e) => e switch
    {
        Unary u => new[] { u.Operand },
        Binary b => new[] { b.Left, b.Right },
        Conversion c => new[] { c.Operand },
        MathCall m => m.Arguments.ToArrayList(),
        PassiveCall p => p.Arguments.ToArrayList(),
        Select s => new[] { s.Condition, s.WhenTrue, s.WhenFalse },
        ElementRead r => new[] { r.Index },
        TensorOperation t => t.Arguments.ToArrayList(),
        _ => Array.Empty<Expr>(),
    };

    private static Expr WithChildren(Expr e, IReadOnlyList<Expr> c) => e switch
    {
        Unary u => u with { Operand = c[0] },
        Binary b => b with { Left = c[0], Right = c[1] },
        Conversion x => x with { Operand = c[0] },
        MathCall m => m with { Arguments = c.ToEquatableArray() },
        PassiveCall p => p with { Arguments = c.ToEquatableArray() },
        Select s => s with { Condition = c[0], WhenTrue = c[1], WhenFalse = c[2] },
        ElementRead r => r with { Index = c[0] },
        TensorOperation t => t with { Arguments = c.ToEquatableArray() },
        _ => e,
    };

    /// <summary>Rebuilds <paramref name="e"/> bottom-up, replacing what <paramref name="replace"/> answers for.</summary>
    private static Expr Rewrite(Expr e, Func<Expr, Expr?> replace)
    {
        if (replace(e) is { } replaced)
        {
            return replaced;
        }
        IReadOnlyList<Expr> children = Children(e);
        return children.Count == 0 ? e : WithChildren(e, children.Select(c => Rewrite(c, replace)).ToList());
    }
}
