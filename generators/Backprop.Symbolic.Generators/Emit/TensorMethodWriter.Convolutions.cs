using System;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

// The primal computation of the convolutional operations: Conv2D and the poolings call their kernels into a tensor from
// the workspace; Flatten is a view of its operand (no copy).
internal abstract partial class TensorMethodWriter
{
    /// <summary>The operands of a <c>Conv2D</c>: four arguments without a bias, five with.</summary>
    protected static (Expr Input, Expr Kernel, Expr? Bias, Expr Stride, Expr Padding) ConvolutionArguments(TensorOperation operation)
    {
        var a = operation.Arguments;
        return a.Count == 5 ? (a[0], a[1], a[2], a[3], a[4]) : (a[0], a[1], null, a[2], a[3]);
    }

    private void WriteConvolution(KernelStep k)
    {
        string target = Identifier(k.Target.Name);
        var a = k.Operation.Arguments;
        string kernels = TensorGradientEmitter.Kernels, tensor = TensorGradientEmitter.TensorType, shapes = TensorGradientEmitter.Shapes;
        switch (k.Operation.Function)
        {
            case TensorFunction.Conv2D:
            {
                (Expr input, Expr kernel, Expr? bias, Expr stride, Expr padding) = ConvolutionArguments(k.Operation);
                Writer.Line(tensor + " " + target + " = " + RentOverwritten(shapes + ".Conv2D(" + Print(input) + ".Shape, " + Print(kernel) + ".Shape, " + Print(stride) + ", " + Print(padding) + ")") + ";");
                Writer.Line(kernels + ".Conv2D(" + Print(input) + ", " + Print(kernel) + ", " + (bias is null ? "default" : Print(bias)) + ", " + target + ", " + Print(stride) + ", " + Print(padding) + ");");
                break;
            }
            case TensorFunction.MaxPool2D:
            case TensorFunction.AvgPool2D:
                Writer.Line(tensor + " " + target + " = " + RentOverwritten(shapes + "." + k.Operation.Function + "(" + Print(a[0]) + ".Shape, " + Print(a[1]) + ", " + Print(a[2]) + ")") + ";");
                Writer.Line(kernels + "." + k.Operation.Function + "(" + Print(a[0]) + ", " + target + ", " + Print(a[1]) + ", " + Print(a[2]) + ");");
                break;
            case TensorFunction.Flatten:
                Writer.Line(tensor + " " + target + " = " + tensor + ".Flatten(" + Print(a[0]) + ");");
                break;
            default:
                throw new InvalidOperationException("No convolution kernel for " + k.Operation.Function);
        }
    }
}
