using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Emit;

// A call of a [Differentiable] method that returns a float, in forward mode: its {Name}Derivative with the arguments'
// tangents (a zeroed tensor of the argument's shape where the argument has none) gives the value and its tangent.
internal sealed partial class TensorForwardWriter
{
    private void WriteCallWithTangent(KernelStep k)
    {
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        var arguments = a.Select(Print).ToList();
        for (int i = 0; i < a.Count; i++)
        {
            if (k.Operation.Differentiated[i])
            {
                arguments.Add(a[i].Type.IsTensor ? TensorTangent(a[i]) ?? Rent(Print(a[i]) + ".Shape") : Print(Tangent(a[i]) ?? Const(0, a[i].Type)));
            }
        }
        string tangent = Names.Fresh(NameAllocator.AdjointStem(k.Target.Name));
        _tangents[k.Target.Name] = tangent;
        arguments.Add("out " + k.Target.Type.Name + " " + Identifier(tangent));
        Writer.Line(k.Target.Type.Name + " " + Identifier(k.Target.Name) + " = " + k.Operation.Method + "Derivative(" + string.Join(", ", arguments) + ");");
    }
}
