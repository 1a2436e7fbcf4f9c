using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Symbolic.Generators.Lowering;

// Calls of methods with tensors that have hand-written derivatives ([CustomGradient]): a float-returning one is a
// CustomLoss operation (its gradient gives the partials in both modes), a Tensor-returning one a Layer whose value,
// pullback and tangent are the hand-written methods instead of generated ones.
internal sealed partial class Lowerer
{
    /// <summary>True for a method with a <c>Tensor</c> parameter or result declared <c>[CustomGradient]</c>.</summary>
    private static bool IsCustomTensorCall(IMethodSymbol method) =>
        CustomGradientReader.Find(method.OriginalDefinition) is not null && CustomTensorGradientReader.IsTensorMethod(method.OriginalDefinition);

    /// <summary>
    /// A call of a method with hand-written tensor derivatives. A value that depends on the differentiated parameters
    /// must go to a tensor or float parameter (the ones the hand-written methods have partials for), and a layer called
    /// with such a value needs a tangent, since the caller gets a forward mode too (BPS0027).
    /// </summary>
    private Expr LowerCustomTensorCall(IInvocationOperation call, Env env, List<Statement> output)
    {
        IMethodSymbol method = call.TargetMethod.OriginalDefinition;
        bool layer = TypeMapper.IsTensor(method.ReturnType);
        AttributeData attribute = CustomGradientReader.Find(method)!;
        // A declaration in this compilation has its own diagnostics; a referenced one is reported here.
        List<CustomGradientProblem>? problems = method.Locations.Any(l => l.IsInSource) ? null : new List<CustomGradientProblem>();
        if (CustomTensorGradientReader.Resolve(method, attribute, problems) is not { } custom)
        {
            if (problems is null)
            {
                _failedSilently = true;
            }
            else
            {
                foreach (CustomGradientProblem problem in problems)
                {
                    Report(problem.Descriptor, call.Syntax, problem.Arguments);
                }
            }
            return new Constant(0, TypeRef.Single);
        }
        bool[] differentiated = CustomTensorGradientReader.DifferentiatedParameters(method);
        EquatableArray<Expr> arguments = LowerArguments(call, env, output);
        var ordered = OrderedArguments(call);
        bool anyVaried = false;
        for (int i = 0; i < arguments.Count; i++)
        {
            if (!(arguments[i].Type.IsFloating || arguments[i].Type.IsTensor || arguments[i].Type.IsFloatingSequence) || !Activity.IsVaried(arguments[i], _varied))
            {
                continue;
            }
            if (!differentiated[i])
            {
                Report(DiagnosticDescriptors.ArgumentNotDifferentiated, ordered[i].Syntax, ordered[i].Syntax.ToString(), method.Name, method.Parameters[i].Name,
                    DiagnosticDescriptors.CustomTensorPartialsOnly);
                return new Constant(0, TypeRef.Single);
            }
            anyVaried = true;
        }
        if (layer && anyVaried && custom.Tangent is null)
        {
            string caller = _semanticModel.GetEnclosingSymbol(call.Syntax.SpanStart, _cancellationToken)?.Name ?? "";
            string suggested = method.Name + "Derivative";
            Report(DiagnosticDescriptors.CustomLayerWithoutTangent, call.Syntax, DisplayName(method), caller + "Derivative", suggested,
                CustomTensorGradientReader.TangentSignature(method, suggested));
            return new Constant(0, TypeRef.Single);
        }
        return new TensorOperation(layer ? TensorFunction.Layer : TensorFunction.CustomLoss, arguments, layer ? TypeRef.Tensor : TypeRef.Single)
        {
            Method = TypeName(method.ContainingType) + "." + method.Name,
            Differentiated = differentiated.ToEquatableArray(),
            Custom = custom,
        };
    }
}
