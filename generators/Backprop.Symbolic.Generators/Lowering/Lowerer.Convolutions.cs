using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace Backprop.Symbolic.Generators.Lowering;

// Convolutional layers: Conv2D (with or without its per-channel bias), MaxPool2D and AvgPool2D (with or without a
// stride) and Flatten, recognised by their overloads on Tensor.
internal sealed partial class Lowerer
{
    /// <summary>The convolution operation <paramref name="method"/> (a static member of Tensor) is, or null.</summary>
    private static TensorFunction? ConvolutionFunction(IMethodSymbol method)
    {
        var p = method.Parameters;
        bool Tensor(int i) => TypeMapper.IsTensor(p[i].Type);
        bool Int(int i) => p[i].Type.SpecialType == SpecialType.System_Int32;
        return method.Name switch
        {
            "Conv2D" when p.Length == 4 && Tensor(0) && Tensor(1) && Int(2) && Int(3) => TensorFunction.Conv2D,
            "Conv2D" when p.Length == 5 && Tensor(0) && Tensor(1) && Tensor(2) && Int(3) && Int(4) => TensorFunction.Conv2D,
            "MaxPool2D" when p.Length is 2 or 3 && Tensor(0) && Int(1) && (p.Length == 2 || Int(2)) => TensorFunction.MaxPool2D,
            "AvgPool2D" when p.Length is 2 or 3 && Tensor(0) && Int(1) && (p.Length == 2 || Int(2)) => TensorFunction.AvgPool2D,
            "Flatten" when p.Length == 1 && Tensor(0) => TensorFunction.Flatten,
            _ => null,
        };
    }

    /// <summary>A pooling called without a stride gets its size as the stride (the runtime's overload does the same).</summary>
    private static EquatableArray<Expr> WithPoolStride(TensorFunction function, EquatableArray<Expr> arguments) =>
        function is TensorFunction.MaxPool2D or TensorFunction.AvgPool2D && arguments.Count == 2
            ? EquatableArray.Create(arguments[0], arguments[1], arguments[1])
            : arguments;
}
