using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Symbolic.Generators.Lowering;

// Tensors: x.Reshape(d0, …), a view of the same elements under another shape. The dimensions are int expressions
// (passive), given one by one: through the int overloads, or through the params array, whose elements are lowered
// one by one (the generated code calls the int overloads, which allocate nothing).
internal sealed partial class Lowerer
{
    /// <summary>True for <c>x.Reshape(…)</c> on a tensor.</summary>
    private static bool IsReshape(IInvocationOperation call) =>
        call.TargetMethod.Name == "Reshape" && !call.TargetMethod.IsStatic && call.Instance is { } instance && TypeMapper.IsTensor(instance.Type);

    /// <summary>Lowers <c>x.Reshape(d0, …)</c> to a <see cref="TensorFunction.Reshape"/> of the tensor and its 1 to 4 dimensions.</summary>
    private Expr LowerReshape(IInvocationOperation call, Env env, List<Statement> output)
    {
        const string Todo = "give the new shape as 1 to 4 int dimensions, x.Reshape(rows, columns), one of them -1 to infer it";
        var dimensions = new List<IOperation>();
        foreach (IArgumentOperation argument in OrderedArguments(call))
        {
            if (argument.Parameter?.Type.SpecialType == SpecialType.System_Int32)
            {
                dimensions.Add(argument.Value);
            }
            else if (argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } initializer })
            {
                dimensions.AddRange(initializer.ElementValues);
            }
            else
            {
                return RefuseTensor(call, "'" + call.Syntax + "' cannot be differentiated: the shape is not a list of int dimensions", Todo);
            }
        }
        if (dimensions.Count is < 1 or > 4)
        {
            return RefuseTensor(call, "'" + call.Syntax + "' gives " + dimensions.Count + " dimensions, but a tensor has 1 to 4", Todo);
        }
        var arguments = new List<Expr> { LowerExpression(call.Instance!, env, output) };
        arguments.AddRange(dimensions.Select(d => LowerExpression(d, env, output)));
        return new TensorOperation(TensorFunction.Reshape, arguments.ToEquatableArray(), TypeRef.Tensor);
    }
}
