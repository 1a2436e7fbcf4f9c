using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Differentiation;

/// <summary>
/// Reverse mode: walks the forward IR backwards and writes the adjoint statements. Each variable's
/// adjoint is the sum of the terms its uses contribute; a use comes after its definition in the forward
/// sweep, so by the time the backward sweep reaches a definition every term is known and the adjoint is
/// written once (<c>double dY = …</c>). Where an <c>if</c> contributes to a variable defined outside it,
/// the adjoint is declared before the mirrored <c>if</c> and the branches add to it.
/// </summary>
internal sealed class ReverseSweep
{
    private readonly Activity _activity;
    private readonly NameAllocator _names;
    private readonly IReadOnlyList<string> _origins;
    private readonly Variable _value;
    private readonly IReadOnlyList<ParameterModel> _parameters;
    private readonly Dictionary<string, string> _adjointNames = new();
    private readonly HashSet<string> _declared = new();
    private readonly Dictionary<string, TypeRef> _types = new();
    private readonly Stack<Dictionary<string, List<Expr>>> _pending = new();
    private string? _comment;

    public ReverseSweep(Activity activity, NameAllocator names, IReadOnlyList<string> origins, Variable value, IEnumerable<ParameterModel> parameters)
    {
        _activity = activity;
        _names = names;
        _origins = origins;
        _value = value;
        _parameters = parameters.ToList();
        foreach (ParameterModel p in _parameters)
        {
            if (p.AdjointName is not null)
            {
                _adjointNames[p.Name] = p.AdjointName;
                _types[p.Name] = p.Type;
            }
        }
    }

    /// <summary>Writes the backward sweep of <paramref name="forward"/>, ending with the parameters' adjoints.</summary>
    public List<Statement> Run(IReadOnlyList<Statement> forward)
    {
        var output = new List<Statement>();
        RecordTypes(forward);
        _pending.Push(new Dictionary<string, List<Expr>>());
        Block(forward, output);
        _comment = "adjoints of the parameters";
        foreach (ParameterModel p in _parameters.Where(p => p.AdjointName is not null))
        {
            Settle(p.Name, output, -1);
        }
        _pending.Pop();
        return output;
    }

    /// <summary>
    /// Writes the terms gathered so far into <paramref name="name"/>'s adjoint variable: added to it when it
    /// exists, else declared with their sum (0 when there are none), so that later terms can be added.
    /// </summary>
    private void Settle(string name, List<Statement> output, int origin)
    {
        List<Expr> terms = Take(name);
        Variable adjoint = AdjointOf(name);
        if (_declared.Add(name))
        {
            Emit(output, new Assignment(adjoint, Sum(terms) ?? Zero(adjoint.Type), origin));
        }
        else if (terms.Count > 0)
        {
            Emit(output, new Accumulation(adjoint, Sum(terms)!, origin));
        }
    }

    private void Block(IReadOnlyList<Statement> forward, List<Statement> output)
    {
        int lastOrigin = int.MinValue;
        for (int k = forward.Count - 1; k >= 0; k--)
        {
            Statement s = forward[k];
            if (s.Origin != lastOrigin && s.Origin >= 0 && s is not IfStatement)
            {
                _comment = _origins[s.Origin];
                lastOrigin = s.Origin;
            }
            switch (s)
            {
                case ReturnStatement r:
                    Visit(r.Value, One(r.Value.Type), _value with { Type = r.Value.Type });
                    break;
                case Assignment a when _activity.IsActive(a.Target.Name):
                {
                    Expr? adjoint = Collect(a.Target, output);
                    if (adjoint is not null)
                    {
                        Visit(a.Value, adjoint, a.Target);
                    }
                    break;
                }
                case DifferentiableCall c when _activity.IsActive(c.Target.Name):
                {
                    Expr? adjoint = Collect(c.Target, output);
                    if (adjoint is null)
                    {
                        break;
                    }
                    for (int i = 0; i < c.Arguments.Count; i++)
                    {
                        if (c.Partials[i].Variable is { } partial && _activity.IsVaried(c.Arguments[i]))
                        {
                            Visit(c.Arguments[i], Convert(Multiply(adjoint, Convert(partial, adjoint.Type)), c.Arguments[i].Type), null);
                        }
                    }
                    break;
                }
                case IfStatement f:
                    If(f, output);
                    lastOrigin = int.MinValue;
                    break;
            }
        }
    }

    private void If(IfStatement f, List<Statement> output)
    {
        var inside = new HashSet<string>();
        VariableUses.Definitions(new[] { f }, inside);
        var readSet = new HashSet<string>();
        VariableUses.Reads(f.Then.Concat(f.Else), readSet, includeConditions: false);
        var read = readSet.OrderBy(n => n, StringComparer.Ordinal).ToList();
        Dictionary<string, List<Expr>> pending = _pending.Peek();

        // Adjoints the branches add to: of variables defined before the if, and of variables the
        // branches define that already have terms from after the if (the joined versions).
        var shared = new List<string>();
        foreach (string name in read)
        {
            if (!inside.Contains(name) && _activity.IsActive(name) && !shared.Contains(name))
            {
                shared.Add(name);
            }
        }
        foreach (string name in pending.Keys.ToList())
        {
            if (inside.Contains(name) && !shared.Contains(name))
            {
                shared.Add(name);
            }
        }
        _comment = f.Origin >= 0 ? _origins[f.Origin] : null;
        // A joined variable whose adjoint is a constant or a single variable needs no local of its own:
        // each branch starts with that term.
        var carried = new Dictionary<string, Expr>();
        foreach (string name in shared.Where(inside.Contains).ToList())
        {
            // Joined versions are defined inside the if; their terms come from after it.
            if (!_declared.Contains(name) && Sum(pending[name]) is { } sum && IsAtomic(sum))
            {
                carried[name] = sum;
                Take(name);
                shared.Remove(name);
            }
        }
        foreach (string name in shared)
        {
            Settle(name, output, f.Origin);
        }
        List<Statement> whenTrue = Branch(f.Then, carried);
        List<Statement> whenFalse = Branch(f.Else, carried);
        if (whenTrue.Count > 0 || whenFalse.Count > 0)
        {
            Emit(output, new IfStatement(f.Condition, whenTrue.ToEquatableArray(), whenFalse.ToEquatableArray(), f.Origin));
        }
    }

    private List<Statement> Branch(EquatableArray<Statement> forward, Dictionary<string, Expr> carried)
    {
        var output = new List<Statement>();
        var pending = new Dictionary<string, List<Expr>>();
        foreach (KeyValuePair<string, Expr> pair in carried)
        {
            pending[pair.Key] = new List<Expr> { pair.Value };
        }
        _pending.Push(pending);
        string? comment = _comment;
        _comment = null;
        Block(forward, output);
        _comment = null;
        foreach (KeyValuePair<string, List<Expr>> pair in _pending.Pop())
        {
            if (!_declared.Contains(pair.Key))
            {
                throw new InvalidOperationException($"The adjoint of '{pair.Key}' has terms inside a branch but was not declared before it.");
            }
            if (pair.Value.Count > 0)
            {
                output.Add(new Accumulation(AdjointOf(pair.Key), Sum(pair.Value)!, -1));
            }
        }
        _comment = comment;
        return output;
    }

    /// <summary>The adjoint of <paramref name="target"/> at its definition, or null when nothing depends on it.</summary>
    private Expr? Collect(Variable target, List<Statement> output)
    {
        List<Expr> terms = Take(target.Name);
        if (_declared.Contains(target.Name))
        {
            if (terms.Count > 0)
            {
                Emit(output, new Accumulation(AdjointOf(target.Name), Sum(terms)!, -1));
            }
            return AdjointOf(target.Name);
        }
        Expr? sum = Sum(terms);
        if (sum is null || IsAtomic(sum))
        {
            return sum;
        }
        Variable adjoint = AdjointOf(target.Name);
        Emit(output, new Assignment(adjoint, sum, -1));
        _declared.Add(target.Name);
        return adjoint;
    }

    /// <summary>Propagates <paramref name="adjoint"/> (the adjoint of <paramref name="e"/>'s value) into its variables.</summary>
    private void Visit(Expr e, Expr adjoint, Variable? result)
    {
        if (!_activity.IsVaried(e))
        {
            return;
        }
        if (e is Variable v)
        {
            if (_activity.IsActive(v.Name))
            {
                AddTerm(v.Name, adjoint);
            }
            return;
        }
        IReadOnlyList<Expr> operands = DerivativeRules.Operands(e);
        for (int i = 0; i < operands.Count; i++)
        {
            if (!_activity.IsVaried(operands[i]))
            {
                continue;
            }
            Expr? partial = DerivativeRules.Partial(e, i, (Expr?)result ?? e);
            if (partial is null)
            {
                continue;
            }
            Visit(operands[i], Convert(Multiply(adjoint, partial), operands[i].Type), null);
        }
    }

    private void AddTerm(string name, Expr term)
    {
        if (IsConstant(term, 0))
        {
            return;
        }
        Dictionary<string, List<Expr>> pending = _pending.Peek();
        if (!pending.TryGetValue(name, out List<Expr>? terms))
        {
            pending[name] = terms = new List<Expr>();
        }
        terms.Add(term);
    }

    private List<Expr> Take(string name)
    {
        Dictionary<string, List<Expr>> pending = _pending.Peek();
        if (pending.TryGetValue(name, out List<Expr>? terms))
        {
            pending.Remove(name);
            return terms;
        }
        return new List<Expr>();
    }

    private Variable AdjointOf(string name)
    {
        if (!_adjointNames.TryGetValue(name, out string? adjoint))
        {
            adjoint = _names.Fresh(NameAllocator.AdjointStem(name));
            _adjointNames[name] = adjoint;
        }
        return new Variable(adjoint, _types.TryGetValue(name, out TypeRef? type) ? type : TypeRef.Double);
    }

    private void Emit(List<Statement> output, Statement statement)
    {
        if (_comment is not null)
        {
            output.Add(new CommentStatement(_comment));
            _comment = null;
        }
        output.Add(statement);
    }

    private void RecordTypes(IEnumerable<Statement> forward)
    {
        foreach (Statement s in forward)
        {
            switch (s)
            {
                case Assignment a:
                    _types[a.Target.Name] = a.Target.Type;
                    break;
                case DifferentiableCall c:
                    _types[c.Target.Name] = c.Target.Type;
                    break;
                case IfStatement f:
                    RecordTypes(f.Then);
                    RecordTypes(f.Else);
                    break;
            }
        }
    }
}
