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
/// the adjoint is declared before the mirrored <c>if</c> and the branches add to it. A loop is mirrored by
/// a loop that runs its iterations last first: the adjoints of what the body reads from outside are
/// declared before it and added to in each iteration; a carried variable's adjoint is handed to the value
/// assigned at the end of the iteration and starts again from zero (<see cref="_zeroed"/>); the values the
/// backward body reads come back through the <see cref="TapePlan"/>.
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
    private readonly List<(Variable Sequence, Expr Index, Expr Term)> _elementTerms = new();
    private HashSet<string> _zeroed = new();
    private int _loopDepth;
    private List<ArrayAllocation> _allocations = new();
    private Scopes _scopes = null!;
    private TapePlan _tape = null!;
    private LoopFacts _facts = null!;
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
            _types[p.Name] = p.Type;
            if (p.AdjointName is not null)
            {
                _adjointNames[p.Name] = p.AdjointName;
            }
        }
    }

    /// <summary>
    /// Writes the backward sweep of <paramref name="forward"/>, ending with the parameters' adjoints, and
    /// the forward sweep that goes with it: <paramref name="forward"/> with each loop counting its
    /// iterations and recording the values its backward sweep reads after they are overwritten.
    /// </summary>
    public (List<Statement> Forward, List<Statement> Backward) Run(IReadOnlyList<Statement> forward)
    {
        forward = TapePlan.CountIterations(forward, _names);
        _scopes = new Scopes(forward);
        RecordTypes(forward);
        _allocations = VariableUses.Descendants(forward).OfType<ArrayAllocation>().ToList();
        HashSet<string> perIteration = StableArrays.FindPerIteration(forward);
        var stable = StableArrays.Find(forward);
        stable.UnionWith(perIteration);
        _facts = new LoopFacts(_scopes, _types, forward, stable);
        _tape = new TapePlan(_scopes, _facts, _names, _types, forward, stable, perIteration);
        var output = new List<Statement>();
        output.AddRange(AdjointArrays(null));

        // A parameter a loop reads gets its adjoint summed in a local: an out parameter is written
        // through a reference, which would put every iteration's += through memory.
        var readInLoops = new HashSet<string>();
        VariableUses.Reads(VariableUses.Descendants(forward).OfType<LoopStatement>(), readInLoops);
        var summed = new List<(ParameterModel Parameter, string Local)>();
        foreach (ParameterModel p in _parameters.Where(p => p.AdjointName is not null && p.Type.IsFloating && readInLoops.Contains(p.Name)))
        {
            string local = _names.Fresh(p.AdjointName!);
            _adjointNames[p.Name] = local;
            summed.Add((p, local));
        }

        _pending.Push(new Dictionary<string, List<Expr>>());
        Block(forward, output);
        _comment = "adjoints of the parameters";
        foreach (ParameterModel p in _parameters.Where(p => p.AdjointName is not null && !p.Type.IsFloatingSequence && !p.Type.IsTensor))
        {
            Settle(p.Name, output, -1);
        }
        foreach ((ParameterModel p, string local) in summed)
        {
            Emit(output, new Assignment(new Variable(p.AdjointName!, p.Type), new Variable(local, p.Type), -1));
        }
        _pending.Pop();
        return (_tape.Instrument(forward), output);
    }


    /// <summary>
    /// Writes the terms gathered so far into <paramref name="name"/>'s adjoint variable: added to it when it
    /// exists, else declared with their sum (0 when there are none), so that later terms can be added.
    /// </summary>
    private void Settle(string name, List<Statement> output, int origin)
    {
        List<Expr> terms = Take(name);
        Variable adjoint = AdjointOf(name);
        if (_declared.Add(name) || _zeroed.Remove(name))
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
                case Assignment a when _activity.IsActive(a.Target.Name) && _scopes.IsHeader(a.Target.Name):
                {
                    // A carried variable is overwritten: its adjoint so far goes to the value assigned,
                    // and starts again from zero for the value it held before.
                    Settle(a.Target.Name, output, -1);
                    Variable adjoint = AdjointOf(a.Target.Name);
                    Visit(a.Value, adjoint, a.Target);
                    var assigned = new HashSet<string>();
                    VariableUses.Names(a.Value, assigned);
                    foreach (string name in assigned.Where(n => _activity.IsActive(n) && IsScalar(n)).OrderBy(n => n, StringComparer.Ordinal))
                    {
                        Settle(name, output, a.Origin);
                    }
                    _zeroed.Add(a.Target.Name);
                    break;
                }
                case LoopStatement l:
                    Loop(l, output);
                    lastOrigin = int.MinValue;
                    break;
                case ElementWrite w when _activity.IsActive(w.Sequence.Name):
                {
                    // The element's adjoint goes to the value written; the element held before starts again from zero.
                    Variable adjoint = AdjointOf(w.Sequence.Name);
                    var taken = new Variable(_names.FreshNumbered("_a"), w.Sequence.Type.Element!);
                    Emit(output, new Assignment(taken, new ElementRead(adjoint, w.Index, taken.Type), w.Origin));
                    Emit(output, new ElementWrite(adjoint, w.Index, Zero(taken.Type), w.Origin));
                    Visit(w.Value, taken, null);
                    break;
                }
                case ArrayAllocation a when _activity.IsActive(a.Target.Name):
                {
                    Variable adjoint = AdjointOf(a.Target.Name);
                    for (int i = 0; i < a.Elements.Count; i++)
                    {
                        Visit(a.Elements[i], new ElementRead(adjoint, new Constant(i, TypeRef.Int32), a.Target.Type.Element!), null);
                    }
                    break;
                }
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
                        if (c.Partials[i].Variable is { Type.Kind: ScalarKind.Sequence or ScalarKind.Tensor } elements && c.Arguments[i] is Variable sequence)
                        {
                            // A span or tensor argument: its adjoint takes the call's adjoint times the callee's partials.
                            if (_activity.IsActive(sequence.Name))
                            {
                                Emit(output, new SpanAccumulation(AdjointOf(sequence.Name), Convert(adjoint, sequence.Type.Element ?? TypeRef.Single), elements, c.Origin));
                            }
                            continue;
                        }
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
            FlushElementTerms(output, s.Origin);
        }
    }

    /// <summary>Adds the terms gathered for span and array elements to their adjoints, one statement per element read.</summary>
    private void FlushElementTerms(List<Statement> output, int origin)
    {
        while (_elementTerms.Count > 0)
        {
            (Variable sequence, Expr index, Expr _) = _elementTerms[0];
            var same = _elementTerms.Where(t => t.Sequence.Equals(sequence) && t.Index.Equals(index)).ToList();
            _elementTerms.RemoveAll(t => t.Sequence.Equals(sequence) && t.Index.Equals(index));
            Variable adjoint = AdjointOf(sequence.Name);
            Emit(output, new ElementAccumulation(adjoint, index, Sum(same.Select(t => t.Term).ToList())!, origin));
        }
    }

    /// <summary>
    /// The adjoints of the active local arrays created in <paramref name="scope"/> (null: the method's top
    /// level): zeroed scratch of the same length, at the start of the block's mirror, before anything adds to them.
    /// </summary>
    private List<Statement> AdjointArrays(ScopeKey? scope)
    {
        var output = new List<Statement>();
        foreach (ArrayAllocation a in _allocations)
        {
            ScopeKey? owner = _scopes.OwnerOf(a.Target.Name);
            if (_activity.IsActive(a.Target.Name) && (owner is null ? scope is null : scope is { } s && owner.Value.Equals(s)))
            {
                output.Add(new ArrayAllocation(AdjointOf(a.Target.Name) with { Type = a.Target.Type }, _facts.WithAllocatedLengths(a.Length), EquatableArray<Expr>.Empty, -1));
            }
        }
        return output;
    }

    private bool IsScalar(string name) => !_types.TryGetValue(name, out TypeRef? type) || type.Kind is not ScalarKind.Sequence and not ScalarKind.Tensor;

    /// <summary>
    /// The backward sweep of a loop: one backward iteration per forward iteration, last first. Each starts
    /// by restoring what the forward iteration overwrote (popped from the tape, or recomputed for counters
    /// that step by a constant), runs the body's backward sweep, and ends by adding the iteration's terms
    /// to the adjoints of the variables it read from outside.
    /// </summary>
    private void Loop(LoopStatement l, List<Statement> output)
    {
        var inside = new HashSet<string>();
        VariableUses.Definitions(l.Header.Concat(l.Body), inside);
        var readSet = new HashSet<string>();
        VariableUses.Reads(l.Header.Concat(l.Body), readSet);
        readSet.UnionWith(_scopes.HeadersOf(l));
        var outer = readSet.Where(n => (!inside.Contains(n) || _scopes.HeadersOf(l).Contains(n)) && _activity.IsActive(n) && IsScalar(n))
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        _comment = l.Origin >= 0 ? _origins[l.Origin] : null;
        var before = new List<Statement>();
        foreach (string name in outer)
        {
            Settle(name, before, l.Origin);
        }

        var body = new List<Statement>();
        _pending.Push(new Dictionary<string, List<Expr>>());
        _loopDepth++;
        _comment = null;
        Block(l.Body, body);
        Block(l.Header, body);
        _comment = null;
        foreach (string name in outer)
        {
            Settle(name, body, -1);
        }
        _loopDepth--;
        foreach (KeyValuePair<string, List<Expr>> pair in _pending.Pop())
        {
            if (pair.Value.Count > 0)
            {
                throw new InvalidOperationException($"The adjoint of '{pair.Key}' has terms inside a loop but was not settled in it.");
            }
        }
        // The adjoints of what only lives in the loop's iterations are done with: a later reset of one
        // would declare it again outside the block that declares it.
        _zeroed.RemoveWhere(n => inside.Contains(n) && !_scopes.HeadersOf(l).Contains(n));
        bool any = body.Any(st => st is not CommentStatement);
        output.AddRange(before);
        if (!any)
        {
            return;
        }
        string index = _names.FreshNumbered("_k");
        body.InsertRange(0, AdjointArrays(new ScopeKey(l, 0)));
        body.InsertRange(0, _tape.Restore(l, new ScopeKey(l, 0), body, index));
        var mirror = new ReverseLoop(l.Counter!, index, body.ToEquatableArray(), l.Origin);
        KeepValuesTheMirrorRestores(mirror, output);
        Emit(output, mirror);
    }

    /// <summary>
    /// The backward loop restores, iteration by iteration, the values the forward loop overwrote, and ends
    /// with each holding its value from before the loop. Terms still waiting to be added that read one of
    /// them want its value after the loop: they read a copy taken before the backward loop starts.
    /// </summary>
    private void KeepValuesTheMirrorRestores(ReverseLoop mirror, List<Statement> output)
    {
        var restored = new HashSet<string>();
        VariableUses.Definitions(new[] { mirror }, restored);
        var copies = new Dictionary<string, Variable>();
        Dictionary<string, List<Expr>> pending = _pending.Peek();
        foreach (string name in pending.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList())
        {
            pending[name] = pending[name].Select(term => ReadCopies(term, restored, copies, output)).ToList();
        }
        foreach (Dictionary<string, List<Expr>> enclosing in _pending.Skip(1))
        {
            var read = new HashSet<string>();
            foreach (Expr term in enclosing.Values.SelectMany(t => t))
            {
                VariableUses.Names(term, read);
            }
            if (read.Overlaps(restored))
            {
                throw new InvalidOperationException($"A term of an enclosing block reads '{read.First(restored.Contains)}', which a backward loop inside the block restores.");
            }
        }
    }

    /// <summary><paramref name="term"/> reading, for each variable in <paramref name="restored"/>, a copy of it declared now.</summary>
    private Expr ReadCopies(Expr term, ISet<string> restored, Dictionary<string, Variable> copies, List<Statement> output)
    {
        if (term is Variable v && restored.Contains(v.Name))
        {
            if (!copies.TryGetValue(v.Name, out Variable? copy))
            {
                copy = new Variable(_names.Fresh(v.Name + "_end"), v.Type);
                copies[v.Name] = copy;
                output.Add(new Assignment(copy, v, -1));
            }
            return copy;
        }
        IReadOnlyList<Expr> children = Simplification.CommonSubexpressions.Children(term);
        if (children.Count == 0)
        {
            return term;
        }
        var rewritten = children.Select(c => ReadCopies(c, restored, copies, output)).ToList();
        return rewritten.SequenceEqual(children) ? term : Simplification.CommonSubexpressions.WithChildren(term, rewritten);
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
            if (!inside.Contains(name) && _activity.IsActive(name) && IsScalar(name) && !shared.Contains(name))
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
        whenTrue.InsertRange(0, AdjointArrays(new ScopeKey(f, 0)));
        whenFalse.InsertRange(0, AdjointArrays(new ScopeKey(f, 1)));
        if (_loopDepth > 0)
        {
            // Inside a loop the branch's values are gone by the time its mirror runs: restore them.
            whenTrue.InsertRange(0, _tape.Restore(f, new ScopeKey(f, 0), whenTrue, null));
            whenFalse.InsertRange(0, _tape.Restore(f, new ScopeKey(f, 1), whenFalse, null));
        }
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
        HashSet<string> zeroed = _zeroed;
        _zeroed = new HashSet<string>(zeroed);
        string? comment = _comment;
        _comment = null;
        Block(forward, output);
        _comment = null;
        // A carried adjoint reset in this branch only is written out here, so both branches leave it alike.
        foreach (string name in _zeroed.Where(n => !zeroed.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList())
        {
            Settle(name, output, -1);
        }
        _zeroed = zeroed;
        foreach (KeyValuePair<string, List<Expr>> pair in _pending.Pop())
        {
            if (!_declared.Contains(pair.Key))
            {
                throw new InvalidOperationException($"The adjoint of '{pair.Key}' has terms inside a branch but was not declared before it.");
            }
            if (pair.Value.Count > 0)
            {
                output.Add(WithAllocatedLengths(new Accumulation(AdjointOf(pair.Key), Sum(pair.Value)!, -1)));
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
        if (e is ElementRead element)
        {
            if (_activity.IsActive(element.Sequence.Name) && !IsConstant(adjoint, 0))
            {
                _elementTerms.Add((element.Sequence, element.Index, adjoint));
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
        output.Add(WithAllocatedLengths(statement));
    }

    /// <summary>A backward statement reading the lengths of local arrays created in loops as the lengths they were allocated with.</summary>
    private Statement WithAllocatedLengths(Statement s) => s switch
    {
        Assignment a => a with { Value = _facts.WithAllocatedLengths(a.Value) },
        Accumulation a => a with { Value = _facts.WithAllocatedLengths(a.Value) },
        ElementAccumulation a => a with { Index = _facts.WithAllocatedLengths(a.Index), Value = _facts.WithAllocatedLengths(a.Value) },
        ElementWrite w => w with { Index = _facts.WithAllocatedLengths(w.Index), Value = _facts.WithAllocatedLengths(w.Value) },
        SpanAccumulation a => a with { Scale = _facts.WithAllocatedLengths(a.Scale) },
        IfStatement f => f with { Condition = _facts.WithAllocatedLengths(f.Condition) },
        _ => s,
    };

    private void RecordTypes(IEnumerable<Statement> forward)
    {
        foreach (Statement s in VariableUses.Descendants(forward))
        {
            switch (s)
            {
                case Assignment a:
                    _types[a.Target.Name] = a.Target.Type;
                    break;
                case DifferentiableCall c:
                    _types[c.Target.Name] = c.Target.Type;
                    foreach (Variable partial in c.Partials.Select(p => p.Variable).OfType<Variable>())
                    {
                        _types[partial.Name] = partial.Type;
                    }
                    break;
                case LoopStatement { Counter: { } counter }:
                    _types[counter] = TypeRef.Int32;
                    break;
                case ArrayAllocation a:
                    _types[a.Target.Name] = a.Target.Type;
                    break;
            }
        }
    }
}
