using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Simplification;

namespace Backprop.Symbolic.Generators.Differentiation;

// Loop nests: an inner loop that reserves its pushes (record.Reserve) would make that call once per outer
// iteration, and then every floating-point value the outer loop carries (a running sum) is live across a call
// and kept in memory for the whole loop. When the inner loop's trip count does not change in the outer loop and
// the outer loop's trip count is known before it starts, the whole nest reserves once, before the outer loop.
internal sealed partial class TapePlan
{
    /// <summary>
    /// The reservation of a whole nest, taken out of <paramref name="body"/> (the outer loop's body, rewritten), or
    /// null when the nest cannot reserve up front: the outer loop must push nothing of its own, its body must hold
    /// exactly one reservation (an inner loop's, or that of a nest inside it) with only assignments that cannot throw
    /// before it, and that reservation's count must read nothing the outer loop assigns.
    /// </summary>
    /// <remarks>
    /// The count is <c>outer &gt; 0 ? outer · inner : 0</c>: the inner count is evaluated only when the outer loop
    /// runs at least once, as the inner loop's bound is, so a bound that throws (<c>w.Shape[1]</c> on a tensor of
    /// rank 1) throws only where the method itself would, and the same exception.
    /// </remarks>
    private TapeReserve? NestReservation(LoopStatement loop, List<Statement> body)
    {
        int at = body.FindIndex(s => s is TapeReserve);
        if (at < 0 || _facts.TripCount(loop) is not { } outer
            || VariableUses.Descendants(body).OfType<TapeReserve>().Count() != 1
            || VariableUses.Descendants(body).OfType<TapePush>().Any(p => !p.Reserved))
        {
            return null;
        }
        for (int i = 0; i < at; i++)
        {
            if (body[i] is not Assignment a || !CannotThrow(a.Value))
            {
                return null;
            }
        }
        var inner = (TapeReserve)body[at];
        var assigned = new HashSet<string>();
        VariableUses.Definitions(new[] { loop }, assigned);
        Dictionary<string, int> definitions = VariableUses.DefinitionCounts(new[] { loop });
        // The inner loop's start (j = 0) is assigned in the outer body, before the reservation: its value stands in.
        var starts = new Dictionary<string, Expr>();
        for (int i = 0; i < at; i++)
        {
            var a = (Assignment)body[i];
            var reads = new HashSet<string>();
            VariableUses.Names(a.Value, reads);
            if (!reads.Overlaps(assigned) && definitions.TryGetValue(a.Target.Name, out int count) && count == 1)
            {
                starts[a.Target.Name] = a.Value;
            }
        }
        Expr innerCount = VariableRewriter.Replace(inner.Count, v => starts.TryGetValue(v.Name, out Expr? start) ? start : v);
        var countReads = new HashSet<string>();
        VariableUses.Names(innerCount, countReads);
        if (countReads.Overlaps(assigned))
        {
            return null;
        }
        body.RemoveAt(at);
        return new TapeReserve(new Select(
            // max(0, d) > 0 is d > 0
            new Binary(BinaryOperator.GreaterThan, outer is MathCall { Function: "Max", Arguments: [Constant { Value: 0 }, var d] } ? d : outer,
                new Constant(0, TypeRef.Int32), TypeRef.Bool),
            new Binary(BinaryOperator.Multiply, outer, innerCount, TypeRef.Int32),
            new Constant(0, TypeRef.Int32),
            TypeRef.Int32));
    }

    /// <summary>True for arithmetic on variables and constants that cannot throw (no integer division, no element read, no call that checks its arguments).</summary>
    private static bool CannotThrow(Expr e) => e switch
    {
        Variable or Constant or Literal => true,
        Unary u => CannotThrow(u.Operand),
        Conversion c => CannotThrow(c.Operand),
        Binary { Operator: BinaryOperator.Divide or BinaryOperator.Remainder } b when b.Type.Kind is not (ScalarKind.Single or ScalarKind.Double) => false,
        Binary b => CannotThrow(b.Left) && CannotThrow(b.Right),
        Select s => CannotThrow(s.Condition) && CannotThrow(s.WhenTrue) && CannotThrow(s.WhenFalse),
        MathCall { Function: "Max" or "Min" } m => m.Arguments.All(CannotThrow),
        MathCall { Function: not ("Clamp" or "Round") } m when m.Type.Kind is ScalarKind.Single or ScalarKind.Double => m.Arguments.All(CannotThrow),
        _ => false,
    };
}
