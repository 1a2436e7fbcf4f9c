using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Simplification;

/// <summary>
/// Rebuilds statements with their variables replaced: every read through <c>read</c> (a variable may become
/// a constant), every defined variable through <c>defined</c> (a rename; loop counters and reverse-loop
/// indices too). Statements <c>keep</c> rejects, after rewriting, are left out.
/// </summary>
internal static class VariableRewriter
{
    public static List<Statement> Rewrite(IEnumerable<Statement> body, Func<Variable, Expr> read, Func<Variable, Variable> defined, Func<Statement, bool> keep,
        Func<ElementRead, ElementRead?>? element = null)
    {
        var output = new List<Statement>();
        foreach (Statement s in body)
        {
            Statement rewritten = Rewrite(s, read, defined, keep, element);
            if (keep(rewritten))
            {
                output.Add(rewritten);
            }
        }
        return output;
    }

    private static Statement Rewrite(Statement s, Func<Variable, Expr> read, Func<Variable, Variable> defined, Func<Statement, bool> keep,
        Func<ElementRead, ElementRead?>? element)
    {
        Expr R(Expr e) => Replace(e, read, element);
        Variable Sequence(Variable v) => Replace(v, read) as Variable ?? v;
        EquatableArray<Statement> Block(EquatableArray<Statement> block) => Rewrite(block, read, defined, keep, element).ToEquatableArray();
        return s switch
        {
            Assignment a => a with { Target = defined(a.Target), Value = R(a.Value) },
            Accumulation a => a with { Target = defined(a.Target), Value = R(a.Value) },
            DifferentiableCall c => c with
            {
                Target = defined(c.Target),
                Arguments = c.Arguments.Select(R).ToEquatableArray(),
                Partials = c.Partials.Select(p => p.Variable is null ? p : new PartialSlot(defined(p.Variable))).ToEquatableArray(),
            },
            IfStatement f => f with { Condition = R(f.Condition), Then = Block(f.Then), Else = Block(f.Else) },
            ReturnStatement r => r with { Value = R(r.Value) },
            ExpressionStatement x => x with { Value = R(x.Value) },
            LoopStatement l => l with
            {
                Header = Block(l.Header),
                Condition = R(l.Condition),
                Body = Block(l.Body),
                Counter = l.Counter is null ? null : defined(new Variable(l.Counter, TypeRef.Int32)).Name,
                Initializer = Block(l.Initializer),
                Step = Block(l.Step),
            },
            ElementWrite w => w with { Sequence = Sequence(w.Sequence), Index = R(w.Index), Value = R(w.Value) },
            ElementAccumulation w when element?.Invoke(new ElementRead(w.Sequence, w.Index, w.Value.Type)) is { } target
                => w with { Sequence = target.Sequence, Index = R(target.Index), Value = R(w.Value) },
            ElementAccumulation w => w with { Sequence = Sequence(w.Sequence), Index = R(w.Index), Value = R(w.Value) },
            ArrayAllocation a => a with { Target = defined(a.Target), Length = R(a.Length), Elements = a.Elements.Select(R).ToEquatableArray() },
            TapePush p => p with { Value = R(p.Value) },
            TapeReserve r => r with { Count = R(r.Count) },
            TapePop p => p with { Target = defined(p.Target) },
            ReverseLoop r => r with
            {
                Count = Sequence(new Variable(r.Count, TypeRef.Int32)).Name,
                Index = defined(new Variable(r.Index, TypeRef.Int32)).Name,
                Body = Block(r.Body),
            },
            SpanAccumulation a => a with { Target = Sequence(a.Target), Scale = R(a.Scale), Values = Sequence(a.Values) },
            _ => s,
        };
    }

    /// <summary>
    /// <paramref name="e"/> with every variable in it replaced by <paramref name="read"/>, and every element read that
    /// <paramref name="element"/> maps (when given) replaced by what it returns (whose index is then rewritten too).
    /// </summary>
    public static Expr Replace(Expr e, Func<Variable, Expr> read, Func<ElementRead, ElementRead?>? element = null)
    {
        Variable Sequence(Variable v) => read(v) as Variable ?? v;
        Expr R(Expr x) => Replace(x, read, element);
        return e switch
        {
            Variable v => read(v),
            Unary u => u with { Operand = R(u.Operand) },
            Binary b => b with { Left = R(b.Left), Right = R(b.Right) },
            Conversion c => c with { Operand = R(c.Operand) },
            MathCall m => m with { Arguments = m.Arguments.Select(R).ToEquatableArray() },
            PassiveCall p => p with { Arguments = p.Arguments.Select(R).ToEquatableArray() },
            Select s => s with { Condition = R(s.Condition), WhenTrue = R(s.WhenTrue), WhenFalse = R(s.WhenFalse) },
            ElementRead r when element?.Invoke(r) is { } mapped => mapped with { Index = R(mapped.Index) },
            ElementRead r => r with { Sequence = Sequence(r.Sequence), Index = R(r.Index) },
            LengthRead l => l with { Sequence = Sequence(l.Sequence) },
            SpanDot d => d with { Left = Sequence(d.Left), Right = Sequence(d.Right) },
            TensorIndex t => t with { Indices = t.Indices.Select(R).ToEquatableArray() },
            TensorShapeRead s => s with { Tensor = Sequence(s.Tensor), Axis = s.Axis is null ? null : R(s.Axis) },
            _ => e,
        };
    }
}
