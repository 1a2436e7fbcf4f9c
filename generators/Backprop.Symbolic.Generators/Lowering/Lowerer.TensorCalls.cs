using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Symbolic.Generators.Lowering;

// A loss of tensor operations may call another [Differentiable] method that returns a float: a custom operation written
// as loops over tensor elements, a scalar helper, or another loss. It is called as a [CustomGradient] loss is
// (TensorFunction.CustomLoss): the gradient takes the callee's partials from its {Name}Gradient and adds them, times the
// call's adjoint, to the adjoints of its arguments; forward mode calls its {Name}Derivative with the arguments' tangents.
// Not yet inside layers and loops over time steps (BPS0018 there).
internal sealed partial class Lowerer
{
    /// <summary>A call, in a float-returning method with tensors and outside its loops, of a [Differentiable] method that returns a float.</summary>
    private bool IsCallOfFloatMethod(IInvocationOperation call) => _returnType.IsFloating && IsGeneratedFloatMethodOutsideLoops(call);

    /// <summary>
    /// A call, outside every loop, of a static [Differentiable] method that returns a float and whose derivatives are
    /// generated (not [CustomGradient]): the callee has a {Name}Gradient and a {Name}Derivative to call.
    /// </summary>
    private static bool IsGeneratedFloatMethodOutsideLoops(IInvocationOperation call)
    {
        IMethodSymbol method = call.TargetMethod.OriginalDefinition;
        return method.IsStatic && TypeMapper.Map(method.ReturnType).IsFloating && DifferentiableAttributeReader.IsDifferentiable(method)
            && CustomGradientReader.Find(method) is null && !InLoop(call);
    }

    private Expr LowerCallOfFloatMethod(IInvocationOperation call, Env env, List<Statement> output)
    {
        IMethodSymbol method = call.TargetMethod.OriginalDefinition;
        TypeRef type = TypeMapper.Map(method.ReturnType);
        if (_calleeHasErrors(method))
        {
            Report(DiagnosticDescriptors.CalleeNotDifferentiable, call.Syntax, method.Name);
            return new Constant(0, type);
        }
        bool[] differentiated = DifferentiableAttributeReader.DifferentiatedParameters(method);
        EquatableArray<Expr> arguments = LowerArguments(call, env, output);
        var ordered = OrderedArguments(call);
        for (int i = 0; i < arguments.Count; i++)
        {
            if (!Activity.IsVaried(arguments[i], _varied))
            {
                if (differentiated[i] && arguments[i].Type.IsFloatingSequence)
                {
                    // The callee's gradient wants an adjoint span for it and its derivative a tangent span: not given yet.
                    return RefuseTensor(ordered[i], "passing the span '" + ordered[i].Syntax + "' to '" + DisplayName(method) + "', which differentiates its span parameter '"
                        + method.Parameters[i].Name + "', is not supported yet", "name only the callee's other parameters in its [Differentiable(…)], or pass the values as a Tensor");
                }
                continue;
            }
            if (arguments[i].Type.IsFloatingSequence)
            {
                return RefuseTensor(ordered[i], "passing the span '" + ordered[i].Syntax + "', whose elements are differentiated, to '" + DisplayName(method) + "' is not supported yet",
                    "pass the values as a Tensor");
            }
            if (!differentiated[i])
            {
                Report(DiagnosticDescriptors.ArgumentNotDifferentiated, ordered[i].Syntax, ordered[i].Syntax.ToString(), method.Name, method.Parameters[i].Name,
                    DiagnosticDescriptors.AddToDifferentiable(method.Parameters[i].Name));
                return new Constant(0, type);
            }
        }
        // Called like a [CustomGradient] loss: its generated gradient gives the partials, its derivative the tangent.
        string name = TypeName(method.ContainingType) + "." + method.Name;
        return new TensorOperation(TensorFunction.CustomLoss, arguments, type)
        {
            Method = name,
            Differentiated = differentiated.ToEquatableArray(),
            Custom = new CustomTensorMethods(name + "Gradient", Value: null, Tangent: name + "Derivative"),
        };
    }
}
