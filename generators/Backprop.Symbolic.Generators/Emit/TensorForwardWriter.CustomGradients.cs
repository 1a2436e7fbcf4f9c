using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Emit;

// Forward mode through a custom loss: its tangent is the inner product of its partials with its arguments' tangents; a
// [Differentiable] callee's own {Name}Derivative gives it directly, from the arguments' tangents.
internal sealed partial class TensorForwardWriter
{
    /// <summary>The loss's value and partials from one call of its gradient; its tangent Σ ⟨∂f/∂x, dx⟩ + Σ ∂f/∂s · ds.</summary>
    private void WriteCustomLossWithTangent(KernelStep k)
    {
        if (k.Operation.Custom!.Tangent is { } derivative)
        {
            WriteDerivativeCall(k, derivative);
            return;
        }
        List<string?> partials = WriteCustomGradientCall(k, k.Target.Type.Name + " " + Identifier(k.Target.Name) + " = ");
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        var terms = new List<string>();
        for (int i = 0; i < a.Count; i++)
        {
            if (partials[i] is not { } partial)
            {
                continue;
            }
            if (a[i].Type.IsTensor)
            {
                if (TensorTangent(a[i]) is { } tangent)
                {
                    terms.Add("global::Backprop.Symbolic.Kernels.SpanKernels.Dot(" + partial + ".Span, " + tangent + ".Span)");
                }
            }
            else if (Tangent(a[i]) is { } tangent)
            {
                terms.Add(Print(Multiply(new Variable(partial, a[i].Type), tangent)));
            }
        }
        if (terms.Count > 0)
        {
            Declare(k.Target, k.Target.Type.Name, string.Join(" + ", terms));
        }
    }

    /// <summary>
    /// The callee's derivative with the arguments' tangents (a zeroed tensor of the argument's shape where the argument has
    /// none) gives the value and its tangent: <c>float _s0 = Type.PenaltyDerivative(w, dW, out float d_s0);</c>.
    /// </summary>
    private void WriteDerivativeCall(KernelStep k, string derivative)
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
        Writer.Line(k.Target.Type.Name + " " + Identifier(k.Target.Name) + " = " + derivative + "(" + string.Join(", ", arguments) + ");");
    }
}
