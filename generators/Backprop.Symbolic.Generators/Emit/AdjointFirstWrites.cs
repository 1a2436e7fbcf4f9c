using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// The span adjoints the backward sweep writes exactly once per element, so they need not be zeroed first: the
/// whole backward sweep touches <c>dX</c> in one statement, <c>dX[i] += v</c> directly in the body of a backward loop
/// that runs once (at the sweep's top level), where <c>i</c> is the loop's count over 0 … n − 1, or that count plus
/// or minus a value the loop does not change (<c>k − _k0</c> for a loop counting down): one element per iteration.
/// That statement becomes <c>dX[i] = v</c>, and the elements the loop does not reach are zeroed just before it
/// (<c>SpanKernels.ZeroOutside</c>), instead of all of them before the forward sweep. A dot product's gradient then
/// writes each adjoint once instead of clearing it and adding to it.
/// </summary>
internal static class AdjointFirstWrites
{
    private const string ZeroOutside = "global::Backprop.Symbolic.Kernels.SpanKernels.ZeroOutside";

    /// <summary>The backward sweep with those writes, and the adjoints it assigns (not to be zeroed up front).</summary>
    public static (List<Statement> Backward, HashSet<string> Assigned) Run(IReadOnlyList<Statement> backward, IEnumerable<Variable> adjoints)
    {
        var result = backward.ToList();
        var assigned = new HashSet<string>();
        foreach (Variable adjoint in adjoints)
        {
            var at = Enumerable.Range(0, result.Count).Where(i => Mentions(result[i], adjoint.Name)).ToList();
            if (at.Count != 1 || result[at[0]] is not ReverseLoop loop)
            {
                continue;
            }
            var inside = Enumerable.Range(0, loop.Body.Count).Where(i => Mentions(loop.Body[i], adjoint.Name)).ToList();
            if (inside.Count != 1 || loop.Body[inside[0]] is not ElementAccumulation { Index: Variable index } write
                || write.Sequence.Name != adjoint.Name || Names(write.Value).Contains(adjoint.Name))
            {
                continue;
            }
            var defined = new HashSet<string>();
            VariableUses.Definitions(loop.Body, defined);
            if (defined.Contains(loop.Index) || Lowest(loop, index, inside[0], defined) is not { } lowest)
            {
                continue;
            }
            Statement[] body = loop.Body.ToArray();
            body[inside[0]] = new ElementWrite(write.Sequence, write.Index, write.Value, write.Origin);
            result[at[0]] = loop with { Body = body.ToEquatableArray() };
            var zero = new ExpressionStatement(
                new PassiveCall(ZeroOutside, new Expr[] { adjoint, lowest, new Variable(loop.Count, TypeRef.Int32) }.ToEquatableArray(), TypeRef.Int32), -1);
            result.Insert(EarliestBefore(result, at[0], zero.Value), zero);
            assigned.Add(adjoint.Name);
        }
        return (result, assigned);
    }

    /// <summary>
    /// The zeroing call goes before the assignments and comments just ahead of the loop that it does not read (the
    /// scalar adjoints' <c>double dX_1 = 0.0;</c>), so those floating-point values are not live across a call: the
    /// JIT would otherwise keep them in memory for the whole loop.
    /// </summary>
    private static int EarliestBefore(List<Statement> statements, int position, Expr call)
    {
        var reads = new HashSet<string>();
        VariableUses.Names(call, reads);
        while (position > 0 && (statements[position - 1] is CommentStatement
            || statements[position - 1] is Assignment a && !reads.Contains(a.Target.Name)))
        {
            position--;
        }
        return position;
    }

    /// <summary>
    /// The lowest element <paramref name="index"/> reaches over the loop's iterations when it is the count itself
    /// (0), the count plus an invariant a (a), or an invariant a minus the count (a − n + 1), assigned once in the
    /// body before the write at <paramref name="write"/>; null otherwise.
    /// </summary>
    private static Expr? Lowest(ReverseLoop loop, Variable index, int write, HashSet<string> defined)
    {
        if (index.Name == loop.Index)
        {
            return new Constant(0, TypeRef.Int32);
        }
        var definitions = loop.Body.OfType<Assignment>().Where(a => a.Target.Name == index.Name).ToList();
        int at = definitions.Count == 1 ? loop.Body.ToList().FindIndex(s => ReferenceEquals(s, definitions[0])) : -1;
        if (at < 0 || at > write)
        {
            return null;
        }
        bool Invariant(Expr e) => !Names(e).Overlaps(defined) && !Names(e).Contains(loop.Index);
        switch (definitions[0].Value)
        {
            case Binary { Operator: BinaryOperator.Add, Left: var a, Right: Variable k } when k.Name == loop.Index && Invariant(a):
                return a;
            case Binary { Operator: BinaryOperator.Add, Left: Variable k, Right: var a } when k.Name == loop.Index && Invariant(a):
                return a;
            case Binary { Operator: BinaryOperator.Subtract, Left: var a, Right: Variable k } when k.Name == loop.Index && Invariant(a):
                // a − n + 1
                return new Binary(BinaryOperator.Add, new Binary(BinaryOperator.Subtract, a, new Variable(loop.Count, TypeRef.Int32), TypeRef.Int32),
                    new Constant(1, TypeRef.Int32), TypeRef.Int32);
            default:
                return null;
        }
    }

    private static bool Mentions(Statement s, string name)
    {
        var names = new HashSet<string>();
        VariableUses.Reads(new[] { s }, names);
        VariableUses.Definitions(new[] { s }, names, includeAccumulations: true);
        return names.Contains(name);
    }

    private static HashSet<string> Names(Expr e)
    {
        var names = new HashSet<string>();
        VariableUses.Names(e, names);
        return names;
    }
}
