using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

internal sealed partial class TensorReverseWriter
{
    /// <summary>
    /// The backward step of <c>y = x.Reshape(…)</c>: x's adjoint is y's adjoint seen with x's shape. When nothing has
    /// written x's adjoint yet it becomes that view of y's adjoint (no copy: y's adjoint is complete here, since every
    /// reader of y comes later in the forward sweep and has been reversed already). Otherwise y's adjoint is added to
    /// it (or copied into a parameter's adjoint not yet written). A layer's result adjoint belongs to its caller, so
    /// it is never taken over as a view.
    /// </summary>
    private void WriteReshapeBackward(KernelStep k)
    {
        if (!_tensorAdjoints.TryGetValue(k.Target.Name, out string? dOut)
            || k.Operation.Arguments[0] is not Variable x || !Program.Active.Contains(x.Name))
        {
            return;
        }
        Comment(k.Origin);
        string dY = Identifier(dOut);
        bool callers = IsLayer && Program.Steps.OfType<ReturnStep>().Any(r => r.Value is Variable v && v.Name == k.Target.Name);
        if (!callers && !_tensorAdjoints.ContainsKey(x.Name))
        {
            string name = Names.Fresh(NameAllocator.AdjointStem(x.Name));
            Writer.Line(TensorGradientEmitter.TensorType + " " + Identifier(name) + " = " + dY + ".Reshape(" + Identifier(x.Name) + ".Shape);");
            _tensorAdjoints[x.Name] = name;
            return;
        }
        IfNeeded(x, (adjoint, overwrite) => overwrite
            ? dY + ".Span.CopyTo(" + adjoint + ".Span);"
            : "global::Backprop.Symbolic.Kernels.SpanKernels.AddScaled(" + adjoint + ".Span, 1f, " + dY + ".Span);");
    }
}
