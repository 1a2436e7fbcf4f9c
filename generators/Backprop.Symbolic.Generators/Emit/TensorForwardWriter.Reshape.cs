using Backprop.Symbolic.Generators.Differentiation;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

internal sealed partial class TensorForwardWriter
{
    /// <summary>The tangent of <c>y = x.Reshape(…)</c>: x's tangent seen with y's shape (a view, no copy).</summary>
    private void WriteReshapeTangent(KernelStep k)
    {
        if (TensorTangent(k.Operation.Arguments[0]) is { } tX)
        {
            Declare(k.Target, TensorGradientEmitter.TensorType, tX + ".Reshape(" + Identifier(k.Target.Name) + ".Shape)");
        }
    }
}
