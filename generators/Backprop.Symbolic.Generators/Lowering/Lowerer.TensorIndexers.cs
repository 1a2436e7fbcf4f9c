using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Symbolic.Generators.Lowering;

// Element loops over tensors: a float-returning method that reads elements of its tensor parameters (x[i, j]) is
// ordinary scalar code for the scalar core, each element read an element of a span would be. Such a method reads
// its tensors only through x[i, …], x.Shape[k], x.Length and x.Rank (BPS0025 for anything else) and never writes
// into them (BPS0024). A tensor element keeps the tensor's own indexer in the generated code, so the rank and every
// index are checked as the eager code checks them.
internal sealed partial class Lowerer
{
    /// <summary>True when the method reads elements of its tensors: the scalar core differentiates it.</summary>
    public bool ReadsTensorElements { get; private set; }

    /// <summary>
    /// Decides, before anything is lowered, whether the method is one of element loops (a float-returning method that
    /// reads a tensor element); if so it leaves the tensor rules for the scalar core and reports what such a method
    /// cannot hold. True when it reported anything (the method then gets no gradient).
    /// </summary>
    private bool TakeTensorElementsPath(IOperation body)
    {
        if (!_returnType.IsFloating || !body.Descendants().Any(IsTensorElementRead))
        {
            return false;
        }
        ReadsTensorElements = true;
        _hasTensors = false;
        int before = _diagnostics.Count;
        RefuseInElementMethod(body);
        return _diagnostics.Count > before;
    }

    /// <summary><c>x[i, …]</c> on a tensor that is read, not written.</summary>
    private static bool IsTensorElementRead(IOperation op) =>
        op is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } && TypeMapper.IsTensor(instance.Type)
        && WriteOf(op) is null;

    /// <summary>The assignment, compound assignment or <c>++</c>/<c>--</c> whose target is <paramref name="target"/>, or null.</summary>
    private static IOperation? WriteOf(IOperation target) => target.Parent switch
    {
        IAssignmentOperation a when a.Target == target => a,
        IIncrementOrDecrementOperation i when i.Target == target => i,
        _ => null,
    };

    /// <summary>Reports, outermost first, every use of a tensor other than reading its elements and shape.</summary>
    private void RefuseInElementMethod(IOperation op)
    {
        if (op is IInvalidOperation)
        {
            return; // the compiler reports it
        }
        if (TensorMember(op) is { } member)
        {
            foreach (IOperation child in member.Indices)
            {
                RefuseInElementMethod(child);
            }
            return;
        }
        if (op is IAssignmentOperation or IIncrementOrDecrementOperation
            && WrittenTensor((op as IAssignmentOperation)?.Target ?? ((IIncrementOrDecrementOperation)op).Target) is { } written)
        {
            Report(DiagnosticDescriptors.TensorElementWritten, op.Syntax, op.Syntax.ToString(), written.Syntax.ToString());
            return;
        }
        if (op is IInvocationOperation { Instance: { } receiver, TargetMethod.Name: "Fill" or "CopyTo" } fill && TypeMapper.IsTensor(receiver.Type))
        {
            IOperation target = fill.TargetMethod.Name == "Fill" ? receiver : fill.Arguments[0].Value;
            Report(DiagnosticDescriptors.TensorElementWritten, op.Syntax, op.Syntax.ToString(), target.Syntax.ToString());
            return;
        }
        if (op is IVariableDeclaratorOperation declarator && TypeMapper.IsTensor(declarator.Symbol.Type))
        {
            Report(DiagnosticDescriptors.TensorElementMethodUsesTensor, op.Syntax, "the tensor local '" + declarator.Symbol.Name + "'",
                "index the tensor parameters themselves");
            return;
        }
        if (op is IInvocationOperation call && PassesTensorParametersToFloatMethod(call))
        {
            // The scalar core calls its gradient; the tensors' partials come back in tensors of their shapes.
            foreach (IArgumentOperation argument in call.Arguments.Where(a => !TypeMapper.IsTensor(a.Value.Type)))
            {
                RefuseInElementMethod(argument);
            }
            return;
        }
        if (op is ILocalReferenceOperation && TypeMapper.IsTensor(op.Type))
        {
            return; // its declaration is reported
        }
        if (TypeMapper.IsTensor(op.Type) || op.ChildOperations.Any(c => c is not ILocalReferenceOperation && TypeMapper.IsTensor(c.Type) || c is IArgumentOperation a && TypeMapper.IsTensor(a.Value.Type)))
        {
            Report(DiagnosticDescriptors.TensorElementMethodUsesTensor, op.Syntax, WholeTensorUse(op), WholeTensorTodo(op));
            return;
        }
        foreach (IOperation child in op.ChildOperations)
        {
            RefuseInElementMethod(child);
        }
    }

    /// <summary>
    /// A call, outside every loop, of a [Differentiable] method that returns a float, each tensor argument a tensor
    /// parameter: another method of element loops, or a loss of tensor operations.
    /// </summary>
    private static bool PassesTensorParametersToFloatMethod(IInvocationOperation call)
    {
        return IsGeneratedFloatMethodOutsideLoops(call)
            && call.Arguments.All(a => !TypeMapper.IsTensor(a.Value.Type) || a.Value is IParameterReferenceOperation);
    }

    /// <summary>A call of a [Differentiable] method that returns a float.</summary>
    private static bool IsFloatMethod(IInvocationOperation call) =>
        DifferentiableAttributeReader.IsDifferentiable(call.TargetMethod.OriginalDefinition) && TypeMapper.Map(call.TargetMethod.ReturnType).IsFloating;

    private static bool InLoop(IOperation op)
    {
        for (IOperation? parent = op.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is ILoopOperation)
            {
                return true;
            }
        }
        return false;
    }

    private static string WholeTensorUse(IOperation op) => op switch
    {
        IInvocationOperation call when TypeMapper.IsTensor(call.TargetMethod.ContainingType) && call.TargetMethod.IsStatic
            => "the tensor operation '" + op.Syntax + "'",
        IBinaryOperation or IUnaryOperation or ICompoundAssignmentOperation when TypeMapper.IsTensor(op.Type)
            => "the tensor operation '" + op.Syntax + "'",
        IInvocationOperation call when IsFloatMethod(call)
            => "passing a tensor to the [Differentiable] method '" + DisplayName(call.TargetMethod) + "' ('" + op.Syntax + "')",
        IInvocationOperation call => "passing a tensor to '" + DisplayName(call.TargetMethod) + "' ('" + op.Syntax + "')",
        _ => "'" + op.Syntax + "' uses a tensor as a whole",
    };

    private static string WholeTensorTodo(IOperation op) => op switch
    {
        IInvocationOperation call when IsFloatMethod(call) && InLoop(call)
            => "call it outside the loop, where it reads the whole tensor once",
        IInvocationOperation call when IsFloatMethod(call)
            => "pass it the tensor parameters themselves, or write its loops here",
        _ => "write it as a loop over the elements, or compute it in a [Differentiable] method of tensor operations that calls this one with the result",
    };

    /// <summary>
    /// <c>x[i, …]</c>, <c>x.Shape[k]</c>, <c>x.Shape.Length</c>, <c>x.Rank</c> or <c>x.Length</c> read on a tensor
    /// parameter: the tensor and the index operations (none for <c>Length</c> and <c>Rank</c>); null for anything else.
    /// </summary>
    private static (IParameterReferenceOperation Tensor, IOperation[] Indices)? TensorMember(IOperation op)
    {
        static IParameterReferenceOperation? Parameter(IOperation? instance) =>
            instance is IParameterReferenceOperation p && TypeMapper.IsTensor(p.Type) ? p : null;
        switch (op)
        {
            case IPropertyReferenceOperation { Property.IsIndexer: true } element when IsTensorElementRead(element) && Parameter(element.Instance) is { } tensor:
                return (tensor, element.Arguments.Select(a => a.Value).ToArray());
            case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: IPropertyReferenceOperation { Property.Name: "Shape" } shape } dimension
                when Parameter(shape.Instance) is { } tensor:
                return (tensor, dimension.Arguments.Select(a => a.Value).ToArray());
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: IPropertyReferenceOperation { Property.Name: "Shape" } shape }
                when Parameter(shape.Instance) is { } tensor:
                return (tensor, new IOperation[0]);
            case IPropertyReferenceOperation { Property.Name: "Length" or "Rank" } member when Parameter(member.Instance) is { } tensor:
                return (tensor, new IOperation[0]);
            default:
                return null;
        }
    }

    /// <summary>Lowers a tensor element or shape read in a method of element loops; false for anything else.</summary>
    private bool TryLowerTensorElement(IOperation op, Env env, List<Statement> output, out Expr result)
    {
        result = null!;
        if (TensorMember(op) is not { } member || Read(member.Tensor.Parameter, env, member.Tensor.Syntax) is not Variable tensor)
        {
            return false;
        }
        var indices = new List<Expr>();
        foreach (IOperation index in member.Indices)
        {
            if (CheckIndex(index) is { } refused)
            {
                result = refused;
                return true;
            }
            indices.Add(LowerExpression(index, env, output));
        }
        var property = (IPropertyReferenceOperation)op;
        result = property switch
        {
            { Property.IsIndexer: true, Instance: IPropertyReferenceOperation } => new TensorShapeRead(tensor, indices[0]),
            { Property.IsIndexer: true } => new ElementRead(tensor, indices.Count == 1 ? indices[0] : new TensorIndex(indices.ToEquatableArray()), TypeRef.Single),
            { Property.Name: "Length", Instance: IParameterReferenceOperation } => new LengthRead(tensor),
            _ => new TensorShapeRead(tensor, null),
        };
        return true;
    }
}
