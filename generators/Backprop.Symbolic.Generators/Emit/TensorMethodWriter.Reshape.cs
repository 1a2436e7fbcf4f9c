using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

internal abstract partial class TensorMethodWriter
{
    /// <summary>
    /// <c>y = x.Reshape(d0, …)</c>: a view of x's elements, through the runtime's int overloads (no copy, no allocation);
    /// the runtime checks that the element counts agree and infers a -1.
    /// </summary>
    private void WriteReshape(KernelStep k)
    {
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        Writer.Line(TensorGradientEmitter.TensorType + " " + Identifier(k.Target.Name) + " = " + Print(a[0]) + ".Reshape("
            + string.Join(", ", a.Skip(1).Select(Print)) + ");");
    }
}
