using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Simplification;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// The backward sweep of a method of element loops reads tensor elements by position. Every element it reads
/// (<c>w[i, j]</c> for a derivative rule) or adds into (<c>dW[i, j] += …</c>) is one the forward sweep read through the
/// tensor's own indexer at the same indices, so the rank and every index were checked there, and the adjoint has the
/// tensor's shape (checked on entry). The backward sweep therefore reads <c>wElements[i * wShape1 + j]</c>: the
/// element's position in the tensor's span, still bounds-checked by the span, without the indexer's rank and
/// per-axis checks. The forward sweep, and forward mode, keep the indexer, so a tensor of the wrong rank or an index
/// outside its axis throws exactly where and as the method itself does.
/// </summary>
internal static class BackwardTensorElements
{
    /// <summary>
    /// <paramref name="backward"/> with its tensor element reads and adjoint additions by position, and the
    /// declarations (spans and dimensions, taken on entry, none of which can throw) they read.
    /// </summary>
    public static (List<Statement> Backward, List<string> Declarations) Run(List<Statement> backward, MethodModel model, NameAllocator names)
    {
        var owners = new Dictionary<string, ParameterModel>();
        foreach (ParameterModel p in model.Parameters.Where(p => p.Type.IsTensor))
        {
            owners[p.Name] = p;
            if (p.AdjointName is not null)
            {
                owners[p.AdjointName] = p;
            }
        }
        var spans = new Dictionary<string, Variable>();
        var dimensions = new Dictionary<(string Tensor, int Axis), Variable>();
        var declarations = new List<(int Order, string Line)>();
        List<ParameterModel> parameters = model.Parameters.ToList();
        int Order(ParameterModel p, int kind) => (parameters.IndexOf(p) * 8) + kind; // per tensor: its span, its adjoint's, its dimensions
        List<Statement> rewritten = VariableRewriter.Rewrite(backward, v => v, v => v, _ => true, element =>
        {
            if (!owners.TryGetValue(element.Sequence.Name, out ParameterModel? owner))
            {
                return null;
            }
            IReadOnlyList<Expr> indices = element.Index is TensorIndex t ? t.Indices : new[] { element.Index };
            Expr position = indices[0];
            for (int axis = 1; axis < indices.Count; axis++)
            {
                position = new Binary(BinaryOperator.Add, new Binary(BinaryOperator.Multiply, position, Dimension(owner, axis), TypeRef.Int32), indices[axis], TypeRef.Int32);
            }
            return new ElementRead(Span(owner, isAdjoint: element.Sequence.Name != owner.Name), position, element.Type);
        });
        return (rewritten, declarations.OrderBy(d => d.Order).Select(d => d.Line).ToList());

        Variable Span(ParameterModel owner, bool isAdjoint)
        {
            string tensor = isAdjoint ? owner.AdjointName! : owner.Name;
            if (!spans.TryGetValue(tensor, out Variable? span))
            {
                span = new Variable(names.Fresh(tensor + "Elements"), isAdjoint ? TypeRef.SpanOf(TypeRef.Single) : TypeRef.ReadOnlySpanOf(TypeRef.Single));
                spans[tensor] = span;
                declarations.Add((Order(owner, isAdjoint ? 1 : 0), span.Type.Name + " " + Identifier(span.Name) + " = " + Identifier(tensor) + ".Span;"));
            }
            return span;
        }

        Variable Dimension(ParameterModel tensor, int axis)
        {
            if (!dimensions.TryGetValue((tensor.Name, axis), out Variable? dimension))
            {
                dimension = new Variable(names.Fresh(tensor.Name + "Shape" + axis), TypeRef.Int32);
                dimensions[(tensor.Name, axis)] = dimension;
                // Read only when the rank has the axis, so taking it on entry cannot throw.
                declarations.Add((Order(tensor, 1 + axis), "int " + Identifier(dimension.Name) + " = " + Identifier(tensor.Name) + ".Rank > " + axis + " ? "
                    + Identifier(tensor.Name) + ".Shape[" + axis + "] : 0;"));
            }
            return dimension;
        }
    }
}
