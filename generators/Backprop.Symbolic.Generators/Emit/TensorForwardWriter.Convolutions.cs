using System.Collections.Generic;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

// The tangents of the convolutional operations (forward mode). Conv2D is linear in each operand:
// d(conv(x, K) + b) = conv(dx, K) + conv(x, dK) + db, two kernel calls (the bias tangent rides on one of them). AvgPool2D
// is linear: its tangent is the pooled tangent. MaxPool2D's tangent is the input's tangent at each window's largest
// element. Flatten's tangent is the flattened tangent (a view).
internal sealed partial class TensorForwardWriter
{
    private void WriteConvolutionTangent(KernelStep k)
    {
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        string kernels = TensorGradientEmitter.Kernels, tensor = TensorGradientEmitter.TensorType;
        switch (k.Operation.Function)
        {
            case TensorFunction.Conv2D:
            {
                (Expr input, Expr kernel, Expr? bias, Expr stride, Expr padding) = ConvolutionArguments(k.Operation);
                string? tInput = TensorTangent(input), tKernel = TensorTangent(kernel), tBias = bias is null ? null : TensorTangent(bias);
                if (tInput is null && tKernel is null && tBias is null)
                {
                    return;
                }
                // A convolution overwrites the tangent; a bias alone adds to a cleared one.
                Declare(k.Target, tensor, tInput is null && tKernel is null ? Rent(Identifier(k.Target.Name) + ".Shape") : RentOverwritten(Identifier(k.Target.Name) + ".Shape"));
                string tangent = Identifier(_tangents[k.Target.Name]);
                string geometry = ", " + Print(stride) + ", " + Print(padding);
                if (tInput is not null)
                {
                    Writer.Line(kernels + ".Conv2D(" + tInput + ", " + Print(kernel) + ", " + (tBias ?? "default") + ", " + tangent + geometry + ");");
                }
                if (tKernel is not null)
                {
                    string biasHere = tInput is null ? tBias ?? "default" : "default";
                    Writer.Line(kernels + ".Conv2D(" + Print(input) + ", " + tKernel + ", " + biasHere + ", " + tangent + geometry + (tInput is null ? "" : ", accumulate: true") + ");");
                }
                if (tInput is null && tKernel is null)
                {
                    Writer.Line(kernels + ".AddChannelBias(" + tBias + ", " + tangent + ");");
                }
                break;
            }
            case TensorFunction.MaxPool2D:
                if (TensorTangent(a[0]) is { } tMax)
                {
                    Declare(k.Target, tensor, RentOverwritten(Identifier(k.Target.Name) + ".Shape"));
                    Writer.Line(kernels + ".MaxPool2DTangent(" + Print(a[0]) + ", " + tMax + ", " + Identifier(_tangents[k.Target.Name]) + ", " + Print(a[1]) + ", " + Print(a[2]) + ");");
                }
                break;
            case TensorFunction.AvgPool2D:
                if (TensorTangent(a[0]) is { } tMean)
                {
                    Declare(k.Target, tensor, RentOverwritten(Identifier(k.Target.Name) + ".Shape"));
                    Writer.Line(kernels + ".AvgPool2D(" + tMean + ", " + Identifier(_tangents[k.Target.Name]) + ", " + Print(a[1]) + ", " + Print(a[2]) + ");");
                }
                break;
            case TensorFunction.Flatten:
                if (TensorTangent(a[0]) is { } tFlat)
                {
                    Declare(k.Target, tensor, tensor + ".Flatten(" + tFlat + ")");
                }
                break;
        }
    }
}
