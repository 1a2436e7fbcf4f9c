using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Differentiation;

/// <summary>
/// The tape plan of the reverse mode. Inside loops the backward sweep reads forward values after the
/// forward sweep has overwritten them; each mirrored block (a loop's backward body, a branch's mirror)
/// asks <see cref="Restore"/> for what it reads: recomputed where <see cref="LoopFacts"/> allows, else
/// popped from the tape. The plan remembers the pushes that go with the pops, and <see cref="Instrument"/>
/// adds them to the forward sweep: at the end of the block, before each <c>break</c> that leaves it, and
/// copies of a loop's carried values at the start of each iteration.
/// </summary>
internal sealed partial class TapePlan
{
    private readonly Scopes _scopes;
    private readonly LoopFacts _facts;
    private readonly NameAllocator _names;
    private readonly IReadOnlyDictionary<string, TypeRef> _types;
    private readonly Dictionary<ScopeKey, List<Variable>> _pushes = new();
    private readonly Dictionary<ScopeKey, List<Assignment>> _copies = new();

    // Sequences recorded whole: a callee's partials for a span argument, and local arrays filled then only read
    // within each iteration of their loop (StableArrays.FindPerIteration).
    private readonly HashSet<string> _wholeSequences;

    // A value stored once into an element of a stable array (h[j] = t, in the loop j counts): the element it is read back from.
    private readonly Dictionary<string, ElementRead> _storedIn = new();

    /// <param name="stableArrays">The local arrays whose elements hold, when the backward sweep reads them, what the forward sweep stored.</param>
    /// <param name="arraysRecordedWhole">Those of them the tape records whole, once per iteration of their loop.</param>
    public TapePlan(Scopes scopes, LoopFacts facts, NameAllocator names, IReadOnlyDictionary<string, TypeRef> types, IReadOnlyList<Statement> forward,
        ISet<string> stableArrays, IEnumerable<string> arraysRecordedWhole)
    {
        _scopes = scopes;
        _facts = facts;
        _names = names;
        _types = types;
        _wholeSequences = new HashSet<string>(VariableUses.Descendants(forward).OfType<DifferentiableCall>()
            .SelectMany(c => c.Partials).Select(p => p.Variable).OfType<Variable>().Where(v => v.Type.Kind == ScalarKind.Sequence).Select(v => v.Name));
        _wholeSequences.UnionWith(arraysRecordedWhole);
        FindStoredValues(forward, stableArrays);
    }

    /// <summary>
    /// Values the backward sweep can read back from a stable array instead of the tape: <c>h[j] = t</c> at the top of
    /// the body of a loop that steps <c>j</c> by a constant (so each iteration stores into its own element), after
    /// <c>t</c>'s one definition and before anything else changes <c>j</c>, where nothing else writes into <c>h</c>.
    /// </summary>
    private void FindStoredValues(IReadOnlyList<Statement> forward, ISet<string> stableArrays)
    {
        var writes = new Dictionary<string, int>();
        foreach (ElementWrite w in VariableUses.Descendants(forward).OfType<ElementWrite>())
        {
            writes[w.Sequence.Name] = writes.TryGetValue(w.Sequence.Name, out int n) ? n + 1 : 1;
        }
        foreach (LoopStatement loop in VariableUses.Descendants(forward).OfType<LoopStatement>())
        {
            for (int i = 0; i < loop.Body.Count; i++)
            {
                if (loop.Body[i] is not ElementWrite { Index: Variable counter, Value: Variable value } w
                    || !stableArrays.Contains(w.Sequence.Name) || writes[w.Sequence.Name] != 1
                    || w.Sequence.Type.Element?.Kind != value.Type.Kind || !value.Type.IsFloating
                    || !_scopes.HeadersOf(loop).Contains(counter.Name) || _facts.Induction(loop, counter.Name, counter.Name) is null
                    || _scopes.DefinitionOf(value.Name) is not { } definition)
                {
                    continue;
                }
                var before = new HashSet<string>();
                VariableUses.Definitions(loop.Body.Take(i), before);
                if (!before.Contains(counter.Name) && loop.Body.Take(i).Any(s => ReferenceEquals(s, definition)))
                {
                    _storedIn[value.Name] = new ElementRead(w.Sequence, counter, value.Type);
                }
            }
        }
    }

    /// <summary>Gives every loop a counter, which the backward sweep's loop reads when it needs one.</summary>
    public static List<Statement> CountIterations(IEnumerable<Statement> body, NameAllocator names) => body.Select(s => s switch
    {
        LoopStatement l => l with
        {
            Header = CountIterations(l.Header, names).ToEquatableArray(),
            Body = CountIterations(l.Body, names).ToEquatableArray(),
            Counter = names.FreshNumbered("_n"),
        },
        IfStatement f => f with { Then = CountIterations(f.Then, names).ToEquatableArray(), Else = CountIterations(f.Else, names).ToEquatableArray() },
        _ => s,
    }).ToList();

    /// <summary>
    /// What a mirrored block must restore before its backward statements run: the values it reads that
    /// its forward block defined (recorded there, popped here), and for a loop's body, the carried
    /// variables' values at the start of the iteration.
    /// </summary>
    public List<Statement> Restore(Statement forward, ScopeKey scope, List<Statement> backward, string? index)
    {
        var exposed = new HashSet<string>();
        VariableUses.ExposedReads(backward, exposed);
        var pushes = new List<Variable>();
        var pops = new List<Statement>();
        var recomputed = new List<Statement>();
        var done = new HashSet<string>();
        foreach (string name in exposed.Where(_scopes.Knows).OrderBy(n => n, StringComparer.Ordinal))
        {
            Visit(name);
        }
        if (pushes.Count > 0)
        {
            _pushes[scope] = pushes;
        }
        // Popped in the reverse of the order pushed; recomputed values after what they read.
        pops.Reverse();
        pops.AddRange(recomputed);
        return pops;

        void Visit(string name)
        {
            if (!_scopes.Knows(name) || !done.Add(name))
            {
                return;
            }
            TypeRef type = _types.TryGetValue(name, out TypeRef? t) ? t : TypeRef.Double;
            var variable = new Variable(name, type);
            if (forward is LoopStatement loop && _scopes.HeadersOf(loop).Contains(name))
            {
                if (_facts.Induction(loop, name, index!) is { } value)
                {
                    Recompute(variable, value);
                    return;
                }
                // Its value at the start of the iteration, copied before the body overwrites it.
                var copy = new Variable(_names.Fresh(name + "_start"), type);
                if (!_copies.TryGetValue(scope, out List<Assignment>? copies))
                {
                    _copies[scope] = copies = new List<Assignment>();
                }
                copies.Add(new Assignment(copy, variable, -1));
                pushes.Add(copy);
                pops.Add(new TapePop(variable));
                return;
            }
            if (_scopes.OwnerOf(name) is not { } owner || !owner.Equals(scope))
            {
                return; // defined outside this block: its own block restores it, or it never changes
            }
            if (_scopes.LoopCountedBy(name) is { } counted && _facts.TripCount(counted) is { } count)
            {
                Recompute(variable, count);
                return;
            }
            if (_scopes.DefinitionOf(name) is { } definition && _facts.IsRecomputable(definition.Value)
                && (type.Kind is ScalarKind.Integer or ScalarKind.Bool || _facts.Operations(definition.Value) <= LoopFacts.CheapOperations))
            {
                // Integer arithmetic (indices, counters), and a floating value one or two additions or
                // multiplications away from values at hand, are cheaper to redo than to record.
                Recompute(variable, definition.Value);
                return;
            }
            if (_storedIn.TryGetValue(name, out ElementRead? stored) && _facts.IsRecomputable(stored))
            {
                // Stored into a stable array's element: read back from there.
                Recompute(variable, stored);
                return;
            }
            if (type.Kind is ScalarKind.Other || type.Kind is ScalarKind.Sequence && !_wholeSequences.Contains(name))
            {
                throw new InvalidOperationException($"'{name}' of type {type.Name} would have to be recorded on the tape.");
            }
            // A callee's partials for a span argument, or an array filled then read in the iteration, are recorded
            // like a scalar, all elements at once.
            pushes.Add(variable);
            pops.Add(new TapePop(variable));
        }

        void Recompute(Variable variable, Expr value)
        {
            value = _facts.WithAllocatedLengths(value);
            var reads = new HashSet<string>();
            VariableUses.Names(value, reads);
            foreach (string read in reads.OrderBy(n => n, StringComparer.Ordinal))
            {
                Visit(read);
            }
            recomputed.Add(new Assignment(variable, value, -1));
        }
    }

    /// <summary>The forward sweep with the recording the plan asked for.</summary>
    public List<Statement> Instrument(IEnumerable<Statement> forward) => Instrument(forward, new List<List<Variable>>(), null);

    /// <summary>
    /// Adds to the forward sweep the recording the backward sweep asked for: each block's values pushed
    /// at its end (and before each <c>break</c> that leaves it), a loop's carried values copied at the
    /// start of each iteration.
    /// </summary>
    private List<Statement> Instrument(IEnumerable<Statement> body, List<List<Variable>> enclosing, List<Variable>? own)
    {
        var output = new List<Statement>();
        foreach (Statement s in body)
        {
            switch (s)
            {
                case LoopStatement l:
                {
                    var key = new ScopeKey(l, 0);
                    List<Variable> pushes = _pushes.TryGetValue(key, out List<Variable>? p) ? p : new List<Variable>();
                    var inner = new List<List<Variable>> { pushes };
                    List<Statement> header = Instrument(l.Header, inner, null);
                    List<Statement> statements = Instrument(l.Body, inner, pushes);
                    if (_copies.TryGetValue(key, out List<Assignment>? copies))
                    {
                        (header.Count > 0 ? header : statements).InsertRange(0, copies);
                    }
                    if (Reservation(l, statements, pushes) is { } reserve)
                    {
                        output.Insert(ReservePosition(output, reserve), reserve);
                    }
                    else if (pushes.Count == 0 && NestReservation(l, statements) is { } nest)
                    {
                        output.Insert(ReservePosition(output, nest), nest);
                    }
                    output.Add(l with { Header = header.ToEquatableArray(), Body = statements.ToEquatableArray() });
                    break;
                }
                case IfStatement f:
                {
                    List<Variable> thenPushes = _pushes.TryGetValue(new ScopeKey(f, 0), out List<Variable>? t) ? t : new List<Variable>();
                    List<Variable> elsePushes = _pushes.TryGetValue(new ScopeKey(f, 1), out List<Variable>? e) ? e : new List<Variable>();
                    var thenEnclosing = new List<List<Variable>> { thenPushes };
                    thenEnclosing.AddRange(enclosing);
                    var elseEnclosing = new List<List<Variable>> { elsePushes };
                    elseEnclosing.AddRange(enclosing);
                    output.Add(f with
                    {
                        Then = Instrument(f.Then, thenEnclosing, thenPushes).ToEquatableArray(),
                        Else = Instrument(f.Else, elseEnclosing, elsePushes).ToEquatableArray(),
                    });
                    break;
                }
                case BreakStatement:
                    foreach (List<Variable> pushes in enclosing)
                    {
                        output.AddRange(pushes.Select(v => (Statement)new TapePush(v)));
                    }
                    output.Add(s);
                    break;
                default:
                    output.Add(s);
                    break;
            }
        }
        if (own is { Count: > 0 } && !EndsInBreak(output))
        {
            output.AddRange(own.Select(v => (Statement)new TapePush(v)));
        }
        return output;
    }

    /// <summary>
    /// When a loop's trip count is known before it starts and the only pushes in its body are the floating-point
    /// values it records at the end of each iteration, room for all of them is made before the loop and the pushes
    /// become <see cref="TapePush.Reserved"/> (rewritten in <paramref name="body"/>): the body then calls nothing
    /// that could grow the stack, so the JIT can keep the loop's floating-point values in registers.
    /// </summary>
    private TapeReserve? Reservation(LoopStatement loop, List<Statement> body, List<Variable> pushes)
    {
        if (pushes.Count == 0 || pushes.Any(v => v.Type.Kind is not (ScalarKind.Double or ScalarKind.Single))
            || VariableUses.Descendants(body).OfType<TapePush>().Count() != pushes.Count
            || body.Count < pushes.Count || _facts.TripCount(loop) is not { } count)
        {
            return null;
        }
        for (int i = body.Count - pushes.Count; i < body.Count; i++)
        {
            if (body[i] is not TapePush push)
            {
                return null;
            }
            body[i] = push with { Reserved = true };
        }
        return new TapeReserve(pushes.Count == 1
            ? count
            : new Binary(BinaryOperator.Multiply, count, new Constant(pushes.Count, TypeRef.Int32), TypeRef.Int32));
    }

    /// <summary>
    /// Where a reservation goes: as early as it can, before the assignments just ahead of the loop that it does not
    /// read (<c>double p = 0.0;</c>), so no floating-point value that the loop carries is live across its call. When
    /// the count itself may throw (it reads an inner loop's bound, <c>w.Shape[1]</c>), only before assignments that
    /// cannot throw, so that whatever the method throws first is still thrown first.
    /// </summary>
    private static int ReservePosition(List<Statement> output, TapeReserve reserve)
    {
        var reads = new HashSet<string>();
        VariableUses.Names(reserve.Count, reads);
        bool countThrows = !CannotThrow(reserve.Count);
        int position = output.Count;
        while (position > 0 && output[position - 1] is Assignment a && !reads.Contains(a.Target.Name) && !(countThrows && !CannotThrow(a.Value)))
        {
            position--;
        }
        return position;
    }

    private static bool EndsInBreak(IReadOnlyList<Statement> body) =>
        body.Count > 0 && (body[body.Count - 1] is BreakStatement
            || body[body.Count - 1] is IfStatement { Then.Count: > 0, Else.Count: > 0 } f && EndsInBreak(f.Then) && EndsInBreak(f.Else));
}
