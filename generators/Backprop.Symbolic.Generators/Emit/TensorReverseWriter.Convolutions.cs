using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

// The backward sweep of the convolutional operations: one Conv2DBackward call for the adjoints of the input, the
// kernel and the bias (a default argument for those not needed); the poolings' backward kernels (the max pool finds each
// window's largest element again in the input it kept); Flatten adds its adjoint back under the input's shape.
internal sealed partial class TensorReverseWriter
{
    private void WriteConvolutionBackward(KernelStep k)
    {
        if (!_tensorAdjoints.TryGetValue(k.Target.Name, out string? dOut))
        {
            return;
        }
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        bool Active(Expr e) => e is Variable v && Program.Active.Contains(v.Name);
        string kernels = TensorGradientEmitter.Kernels, dY = Identifier(dOut);
        switch (k.Operation.Function)
        {
            case TensorFunction.Conv2D:
            {
                (Expr input, Expr kernel, Expr? bias, Expr stride, Expr padding) = ConvolutionArguments(k.Operation);
                bool biasActive = bias is not null && Active(bias);
                if (!Active(input) && !Active(kernel) && !biasActive)
                {
                    return;
                }
                Comment(k.Origin);
                // The kernel skips a default adjoint (a pullback's caller may pass default for one it does not need).
                string dInput = Active(input) ? TensorAdjoint((Variable)input) : "default";
                string dKernel = Active(kernel) ? TensorAdjoint((Variable)kernel) : "default";
                string dBias = biasActive ? TensorAdjoint((Variable)bias!) : "default";
                Writer.Line(kernels + ".Conv2DBackward(" + Print(input) + ", " + Print(kernel) + ", " + dY + ", " + dInput + ", " + dKernel + ", " + dBias
                    + ", " + Print(stride) + ", " + Print(padding) + ");");
                break;
            }
            case TensorFunction.MaxPool2D:
                if (Active(a[0]))
                {
                    Comment(k.Origin);
                    IfNeeded((Variable)a[0], dX => kernels + ".MaxPool2DBackward(" + Print(a[0]) + ", " + dY + ", " + dX + ", " + Print(a[1]) + ", " + Print(a[2]) + ");");
                }
                break;
            case TensorFunction.AvgPool2D:
                if (Active(a[0]))
                {
                    Comment(k.Origin);
                    IfNeeded((Variable)a[0], dX => kernels + ".AvgPool2DBackward(" + dY + ", " + dX + ", " + Print(a[1]) + ", " + Print(a[2]) + ");");
                }
                break;
            case TensorFunction.Flatten:
                if (Active(a[0]))
                {
                    Comment(k.Origin);
                    var x = (Variable)a[0];
                    if (!_tensorAdjoints.ContainsKey(x.Name) && !IsLayerResult(k.Target))
                    {
                        // Nothing has added to the input's adjoint yet and nothing reads the result's after this: the
                        // input's adjoint is the result's under the input's shape (a view, no copy).
                        string name = Names.Fresh(NameAllocator.AdjointStem(x.Name));
                        Writer.Line(TensorGradientEmitter.TensorType + " " + Identifier(name) + " = " + dY + ".Reshape(" + Identifier(x.Name) + ".Shape);");
                        _tensorAdjoints[x.Name] = name;
                    }
                    else
                    {
                        IfNeeded(x, dX => "global::Backprop.Symbolic.Kernels.SpanKernels.AddScaled(" + dX + ".Span, 1f, " + dY + ".Span);");
                    }
                }
                break;
        }
    }

    /// <summary>True for the value a layer returns: its adjoint is the caller's tensor, which the pullback must not write.</summary>
    private bool IsLayerResult(Variable v) =>
        IsLayer && Program.Steps.OfType<ReturnStep>().Any(r => r.Value is Variable returned && returned.Name == v.Name);
}
