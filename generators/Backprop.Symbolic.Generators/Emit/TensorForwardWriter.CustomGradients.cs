using System.Collections.Generic;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Emit;

// Forward mode through a custom loss: its tangent is the inner product of its partials with its arguments' tangents.
internal sealed partial class TensorForwardWriter
{
    /// <summary>The loss's value and partials from one call of its gradient; its tangent Σ ⟨∂f/∂x, dx⟩ + Σ ∂f/∂s · ds.</summary>
    private void WriteCustomLossWithTangent(KernelStep k)
    {
        List<string?> partials = WriteCustomGradientCall(k, "float " + Identifier(k.Target.Name) + " = ");
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
            Declare(k.Target, "float", string.Join(" + ", terms));
        }
    }
}
