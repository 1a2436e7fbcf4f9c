using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

// Float-returning methods whose gradient is a method of their own (a [CustomGradient] loss with tensors, or another
// [Differentiable] method's generated {Name}Gradient): the primal call, and the call of the gradient with fresh partials
// that both modes read. (A custom layer is a Layer step whose value, pullback
// and tangent methods are the hand-written ones.)
internal abstract partial class TensorMethodWriter
{
    /// <summary>
    /// True while writing the forward sweep of a method whose backward sweep follows in the same method (a gradient, a
    /// pullback computing its layer again): a custom loss there calls its gradient at once, so its value and partials
    /// come from one call.
    /// </summary>
    protected bool PartialsInForward { get; set; }

    /// <summary>A custom loss's value: the method itself.</summary>
    protected virtual void WriteCustomLoss(KernelStep k) =>
        Writer.Line(k.Target.Type.Name + " " + Identifier(k.Target.Name) + " = " + k.Operation.Method + "(" + string.Join(", ", k.Operation.Arguments.Select(Print)) + ");");

    /// <summary>
    /// Calls a custom loss's gradient, its value assigned by <paramref name="assignment"/> (<c>"float loss = "</c>, or
    /// <c>""</c> to discard it), with a zeroed tensor from the workspace for each tensor partial (the gradient overwrites
    /// it) and an <c>out float</c> local for each float one. Returns, per argument, the partial's local (null for an
    /// argument without one).
    /// </summary>
    protected List<string?> WriteCustomGradientCall(KernelStep k, string assignment)
    {
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        var arguments = a.Select(Print).ToList();
        var partials = new List<string?>();
        var rents = new List<string>();
        for (int i = 0; i < a.Count; i++)
        {
            if (!k.Operation.Differentiated[i])
            {
                partials.Add(null);
                continue;
            }
            string stem = a[i] is Variable v ? NameAllocator.AdjointStem(v.Name) : "d" + k.Target.Name.TrimStart('_');
            string partial = Names.Fresh(stem + "Partial");
            partials.Add(partial);
            if (a[i].Type.IsTensor)
            {
                rents.Add(TensorGradientEmitter.TensorType + " " + partial + " = " + Rent(Print(a[i]) + ".Shape") + ";");
                arguments.Add(partial);
            }
            else
            {
                arguments.Add("out " + a[i].Type.Name + " " + partial);
            }
        }
        foreach (string rent in rents)
        {
            Writer.Line(rent);
        }
        Writer.Line(assignment + k.Operation.Custom!.Gradient + "(" + string.Join(", ", arguments) + ");");
        return partials;
    }
}
