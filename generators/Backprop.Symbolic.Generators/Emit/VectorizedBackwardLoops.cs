using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Simplification;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// Backward loops that are element-wise become calls of <c>TensorPrimitives</c>, which take a vector of elements at a
/// time: a top-level backward loop over its count n whose body only writes or adds into span adjoints at the loop's
/// index, each from a value the loop does not change times the element at that index of a span the loop does not
/// write (<c>dX[i] = dSum * y[i]</c>, <c>dW[i] += g * x[i]</c>), or from the value alone (a fill, or an add). The elements are
/// independent, so their order does not matter; <c>TensorPrimitives.Multiply</c> and <c>MultiplyAdd</c> round as
/// the scalar statements do (a product, then a sum), so the results are the same bit for bit. A dot product's
/// backward sweep is then two vector passes.
/// </summary>
internal static class VectorizedBackwardLoops
{
    private const string Primitives = "global::System.Numerics.Tensors.TensorPrimitives.";
    private const string Fill = "global::Backprop.Symbolic.Kernels.SpanKernels.Fill";

    /// <param name="spans">The method's span parameters and span adjoints: the only spans the calls slice (they are in
    /// scope everywhere, and a slice names its span inside the call it is written as).</param>
    public static List<Statement> Run(IReadOnlyList<Statement> backward, ISet<string> spans)
    {
        var result = new List<Statement>();
        foreach (Statement s in backward)
        {
            if (s is ReverseLoop loop && Vectorize(loop, spans) is { } calls)
            {
                result.AddRange(calls);
            }
            else
            {
                result.Add(s);
            }
        }
        return result;
    }

    private static List<Statement>? Vectorize(ReverseLoop loop, ISet<string> spans)
    {
        var writes = loop.Body.Where(s => s is not CommentStatement).ToList();
        if (writes.Count == 0 || !writes.All(s => s is ElementWrite or ElementAccumulation))
        {
            return null;
        }
        var written = new HashSet<string>();
        foreach (Statement s in writes)
        {
            (Variable target, Expr index, _) = Parts(s);
            if (index is not Variable { } i || i.Name != loop.Index || !spans.Contains(target.Name) || !written.Add(target.Name))
            {
                return null; // not the loop's index, or the same span written twice
            }
        }
        var count = new Variable(loop.Count, TypeRef.Int32);
        var defined = new HashSet<string>();
        VariableUses.Definitions(loop.Body, defined);
        var output = new List<Statement>(loop.Body.OfType<CommentStatement>());
        foreach (Statement s in writes)
        {
            (Variable target, _, Expr value) = Parts(s);
            bool add = s is ElementAccumulation;
            if (Call(target, value, add, loop, written, defined, count, spans) is not { } call)
            {
                return null;
            }
            output.Add(new ExpressionStatement(call, s.Origin));
        }
        return output;
    }

    private static (Variable Target, Expr Index, Expr Value) Parts(Statement s) => s switch
    {
        ElementWrite w => (w.Sequence, w.Index, w.Value),
        ElementAccumulation a => (a.Sequence, a.Index, a.Value),
        _ => throw new System.InvalidOperationException(),
    };

    /// <summary>The TensorPrimitives call for <c>target[i] (+)= value</c> over 0 … n − 1, or null when the value has another shape.</summary>
    private static Expr? Call(Variable target, Expr value, bool add, ReverseLoop loop, HashSet<string> written, HashSet<string> defined,
        Variable count, ISet<string> spans)
    {
        Expr destination = Slice(target, count);
        bool Invariant(Expr e)
        {
            var names = new HashSet<string>();
            VariableUses.Names(e, names);
            return !ReadsElements(e) && !names.Contains(loop.Index) && !names.Overlaps(written) && !names.Overlaps(defined);
        }
        Expr? Elements(Expr e) => e is ElementRead { Index: Variable i } r && i.Name == loop.Index && !written.Contains(r.Sequence.Name) && spans.Contains(r.Sequence.Name)
            ? Slice(r.Sequence, count) : null;

        Expr? elements = null, scale = null;
        switch (value)
        {
            case Binary { Operator: BinaryOperator.Multiply } b when Elements(b.Right) is { } right && Invariant(b.Left):
                (elements, scale) = (right, b.Left);
                break;
            case Binary { Operator: BinaryOperator.Multiply } b when Elements(b.Left) is { } left && Invariant(b.Right):
                (elements, scale) = (left, b.Right);
                break;
            case var e when Invariant(e):
                // The same value for every element.
                return add
                    ? new PassiveCall(Primitives + "Add", new[] { destination, e, destination }.ToEquatableArray(), TypeRef.Int32)
                    : new PassiveCall(Fill, new[] { destination, e }.ToEquatableArray(), TypeRef.Int32);
            default:
                return null;
        }
        EquatableArray<Expr> arguments = (add ? new[] { elements!, scale!, destination, destination } : new[] { elements!, scale!, destination }).ToEquatableArray();
        return new PassiveCall(Primitives + (add ? "MultiplyAdd" : "Multiply"), arguments, TypeRef.Int32);
    }

    private static Expr Slice(Variable span, Variable count) =>
        new PassiveCall(Identifier(span.Name) + ".Slice", new Expr[] { new Constant(0, TypeRef.Int32), count }.ToEquatableArray(), span.Type);

    private static bool ReadsElements(Expr e) => e is ElementRead || CommonSubexpressions.Children(e).Any(ReadsElements);
}
