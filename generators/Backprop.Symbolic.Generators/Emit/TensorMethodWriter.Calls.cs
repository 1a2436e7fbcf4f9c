using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

// Calls of [Differentiable] methods that return a float (TensorFunction.Call): where no derivative passes through the
// call, the method itself; the reverse and forward writers call its gradient and derivative instead.
internal abstract partial class TensorMethodWriter
{
    /// <summary>Writes the call's value: <c>float _s0 = Type.Method(arguments);</c>.</summary>
    protected virtual void WriteCall(KernelStep k) =>
        Writer.Line(k.Target.Type.Name + " " + Identifier(k.Target.Name) + " = " + k.Operation.Method + "(" + string.Join(", ", k.Operation.Arguments.Select(Print)) + ");");

    /// <summary>The stem of the locals holding a call's partials: <c>_penalty</c> for <c>Penalty</c>.</summary>
    protected static string CallStem(TensorOperation call)
    {
        string method = call.Method!.Substring(call.Method.LastIndexOf('.') + 1);
        return "_" + char.ToLowerInvariant(method[0]) + method.Substring(1);
    }
}
