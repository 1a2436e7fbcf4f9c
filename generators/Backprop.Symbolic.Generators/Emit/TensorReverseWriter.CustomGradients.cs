using System.Collections.Generic;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Emit;

// Reverse mode through a custom loss: its hand-written gradient overwrites the partials it is given, so it writes into
// scratch from the workspace, and the backward sweep adds the partials, scaled by the loss's adjoint, into the adjoints.
internal sealed partial class TensorReverseWriter
{
    // The partials of each custom loss the forward sweep computed, per argument (null: no partial).
    private readonly Dictionary<string, List<string?>> _customPartials = new();

    /// <summary>
    /// In a forward sweep its backward sweep follows, outside loops, a custom loss that carries derivatives calls its
    /// gradient: one call gives the value and the partials. Elsewhere it calls the method.
    /// </summary>
    protected override void WriteCustomLoss(KernelStep k)
    {
        if (!PartialsInForward || LoopDepth > 0 || !Program.Active.Contains(k.Target.Name))
        {
            base.WriteCustomLoss(k);
            return;
        }
        _customPartials[k.Target.Name] = WriteCustomGradientCall(k, k.Target.Type.Name + " " + Identifier(k.Target.Name) + " = ");
    }

    /// <summary>
    /// Adds each partial of a custom loss, times the loss's adjoint, to its argument's adjoint: where nothing wrote a
    /// tensor's adjoint before, the scaled scratch becomes it (a parameter's is written with one multiplication); the partials come from the forward sweep, or from a call
    /// of the gradient here (inside a loop over time steps).
    /// </summary>
    private void WriteCustomLossBackward(KernelStep k)
    {
        if (ScalarAdjoint(k.Target) is not { } adjoint)
        {
            return;
        }
        Comment(k.Origin);
        if (!_customPartials.TryGetValue(k.Target.Name, out List<string?>? partials))
        {
            partials = WriteCustomGradientCall(k, "");
        }
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        // A [Differentiable] callee may return a double; tensors take the scale as a float.
        string scale = Print(Convert(adjoint, Single));
        for (int i = 0; i < a.Count; i++)
        {
            if (partials[i] is not { } partial)
            {
                continue;
            }
            if (a[i] is Variable { Type.IsTensor: true } x)
            {
                if (Program.Active.Contains(x.Name) && !_tensorAdjoints.ContainsKey(x.Name) && !_optional.Contains(x.Name))
                {
                    // Nothing wrote the adjoint yet and it is not the caller's: the scratch, scaled in place, becomes it.
                    if (adjoint is not Constant { Value: 1 })
                    {
                        Writer.Line(Primitives + ".Multiply((global::System.ReadOnlySpan<float>)" + partial + ".Span, " + scale + ", " + partial + ".Span);");
                    }
                    _tensorAdjoints[x.Name] = partial;
                }
                else if (Program.Active.Contains(x.Name))
                {
                    IfNeeded(x, (dX, overwrite) => overwrite
                        ? Primitives + ".Multiply((global::System.ReadOnlySpan<float>)" + partial + ".Span, " + scale + ", " + dX + ".Span);"
                        : "global::Backprop.Symbolic.Kernels.SpanKernels.AddScaled(" + dX + ".Span, " + scale + ", " + partial + ".Span);");
                }
            }
            else if (a[i].Type.IsFloating && Activity.IsVaried(a[i], Program.Active))
            {
                PropagateScalar(a[i], Convert(Multiply(adjoint, new Variable(partial, a[i].Type)), a[i].Type), Writer.Line, inLoop: false);
            }
        }
    }
}
