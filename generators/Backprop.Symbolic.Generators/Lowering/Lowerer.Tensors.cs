using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Symbolic.Generators.Lowering;

// Tensors: the static operations of Backprop.Symbolic.Tensors.Tensor and its operators become TensorOperation
// expressions, nested as the user wrote them. A method with tensor parameters is straight-line code: branches,
// loops, calls to other [Differentiable] methods and element access are refused up front (BPS0018), and so is
// anything that writes into a tensor (BPS0019).
internal sealed partial class Lowerer
{
    /// <summary>True when the method has a <c>Tensor</c> parameter: its body goes through the tensor rules.</summary>
    private bool _hasTensors;

    private static readonly Dictionary<string, TensorFunction> Elementwise = new()
    {
        ["Tanh"] = TensorFunction.Tanh,
        ["Sigmoid"] = TensorFunction.Sigmoid,
        ["Relu"] = TensorFunction.Relu,
        ["Softplus"] = TensorFunction.Softplus,
        ["Exp"] = TensorFunction.Exp,
        ["Log"] = TensorFunction.Log,
        ["Square"] = TensorFunction.Square,
        ["Sqrt"] = TensorFunction.Sqrt,
    };

    /// <summary>
    /// Reports the constructs a method with tensors cannot hold yet, before anything is lowered; true when it
    /// reported any (the method then gets no gradient).
    /// </summary>
    private bool RefuseTensorConstructs(IOperation body)
    {
        if (body.Descendants().Any(d => d is IInvalidOperation))
        {
            return false; // the compiler reports the errors; lowering notices them
        }
        TensorShapeCheck.Run(body, _diagnostics, _cancellationToken); // BPS0023; lowering goes on, for the other diagnostics
        int before = _diagnostics.Count;
        RefuseTensorWrites(body);
        foreach (IOperation op in body.Descendants())
        {
            switch (op)
            {
                case IExpressionStatementOperation { Operation: IInvocationOperation { Instance: { } receiver, TargetMethod.ReturnsVoid: true } call }
                    when TypeMapper.IsTensor(receiver.Type):
                    TryLowerTensor(call, new Env(), new List<Statement>(), out _); // reports it
                    break;
                case IArrayCreationOperation { IsImplicit: false }:
                case { Syntax: StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax }:
                    ReportTensor(op.Syntax.GetLocation(), "local arrays are not supported yet", "use tensors, passed in as parameters or computed with the Tensor operations");
                    break;
                case IConditionalOperation { Syntax: IfStatementSyntax statement }:
                    ReportTensor(Header(statement.IfKeyword, statement.CloseParenToken), "'if' statements are not supported yet",
                        "compute the loss without branching (Relu, LeakyRelu and arithmetic on tensors cover most piecewise formulas)");
                    break;
                case IConditionalOperation:
                    ReportTensor(op.Syntax.GetLocation(), "conditional expressions are not supported yet",
                        "compute the loss without branching (Relu, LeakyRelu and arithmetic on tensors cover most piecewise formulas)");
                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr }:
                    ReportTensor(op.Syntax.GetLocation(), "'&&' and '||' are not supported yet", "compute the loss without branching");
                    break;
                case ILoopOperation loop:
                    CheckTensorLoop(loop); // loops over time steps are lowered, anything else reported
                    break;
                case IInvocationOperation call when IsCustomTensorCall(call.TargetMethod):
                    break; // lowered to its hand-written derivatives
                case IInvocationOperation call when IsLayer(call.TargetMethod):
                    break; // lowered to the layer's value and pullback
                case IInvocationOperation call when IsCallOfFloatMethod(call):
                    break; // lowered to the method's gradient and derivative
                case IInvocationOperation call when DifferentiableAttributeReader.IsDifferentiable(call.TargetMethod)
                    || CustomGradientReader.Find(call.TargetMethod.OriginalDefinition) is not null:
                    ReportTensor(op.Syntax.GetLocation(), "calls to [CustomGradient] methods, and to [Differentiable] methods that return a float from a layer or a loop over time steps, are not supported yet",
                        "call the [Differentiable] method from a loss (a method that returns a float), outside its loops, or write the computation in this method");
                    break;
                case IInvocationOperation call when !TypeMapper.IsTensor(call.TargetMethod.ContainingType)
                    && call.Arguments.Any(a => TypeMapper.IsTensor(a.Value.Type)) && !_writingCalls.Contains(call.Syntax):
                    ReportTensor(op.Syntax.GetLocation(), "passing a tensor to '" + DisplayName(call.TargetMethod) + "' is not supported",
                        "only the operations of Tensor take tensors in a [Differentiable] method");
                    break;
            }
        }
        return _diagnostics.Count > before;
    }

    /// <summary>
    /// Lowers <paramref name="op"/> when it is a tensor operation, an operator on tensors, or a use of a tensor the
    /// rules refuse; false when it is none of these (the ordinary rules apply).
    /// </summary>
    private bool TryLowerTensor(IOperation op, Env env, List<Statement> output, out Expr result)
    {
        result = null!;
        switch (op)
        {
            case IInvocationOperation call when IsCustomTensorCall(call.TargetMethod):
                result = LowerCustomTensorCall(call, env, output);
                return true;
            case IInvocationOperation call when IsLayer(call.TargetMethod):
                result = LowerLayerCall(call, env, output);
                return true;
            case IInvocationOperation call when IsCallOfFloatMethod(call):
                result = LowerCallOfFloatMethod(call, env, output);
                return true;
            case IInvocationOperation call when TypeMapper.IsTensor(call.TargetMethod.ContainingType) && call.TargetMethod.IsStatic:
                result = LowerTensorCall(call, env, output);
                return true;
            case IBinaryOperation binary when TypeMapper.IsTensor(binary.OperatorMethod?.ContainingType):
            {
                TensorFunction? function = binary.OperatorKind switch
                {
                    BinaryOperatorKind.Add => TensorFunction.Add,
                    BinaryOperatorKind.Subtract => TensorFunction.Subtract,
                    BinaryOperatorKind.Multiply => TensorFunction.Multiply,
                    BinaryOperatorKind.Divide => TensorFunction.Divide,
                    _ => null,
                };
                if (function is null)
                {
                    result = RefuseTensor(op, "the operator '" + OperatorText(binary.Syntax) + "' on tensors is not supported", "use + - * / and the Tensor operations");
                    return true;
                }
                Expr left = LowerExpression(binary.LeftOperand, env, output);
                Expr right = LowerExpression(binary.RightOperand, env, output);
                result = new TensorOperation(function.Value, EquatableArray.Create(left, right), TypeRef.Tensor);
                return true;
            }
            case IUnaryOperation unary when TypeMapper.IsTensor(unary.OperatorMethod?.ContainingType):
            {
                Expr operand = LowerExpression(unary.Operand, env, output);
                result = unary.OperatorKind switch
                {
                    UnaryOperatorKind.Plus => operand,
                    UnaryOperatorKind.Minus => new TensorOperation(TensorFunction.Multiply, EquatableArray.Create(operand, (Expr)new Constant(-1, TypeRef.Single)), TypeRef.Tensor),
                    _ => RefuseTensor(op, "this operator on tensors is not supported", "use + - * / and the Tensor operations"),
                };
                return true;
            }
            case ICompoundAssignmentOperation compound when TypeMapper.IsTensor(compound.OperatorMethod?.ContainingType)
                && AssignableTarget(compound.Target) is { } target:
            {
                TensorFunction? function = compound.OperatorKind switch
                {
                    BinaryOperatorKind.Add => TensorFunction.Add,
                    BinaryOperatorKind.Subtract => TensorFunction.Subtract,
                    BinaryOperatorKind.Multiply => TensorFunction.Multiply,
                    BinaryOperatorKind.Divide => TensorFunction.Divide,
                    _ => null,
                };
                if (function is null)
                {
                    result = RefuseTensor(op, "this compound assignment on tensors is not supported", "use + - * / and the Tensor operations");
                    return true;
                }
                Expr current = Read(target, env, compound.Target.Syntax);
                Expr value = LowerExpression(compound.Value, env, output);
                result = Define(target, TypeRef.Tensor, new TensorOperation(function.Value, EquatableArray.Create(current, value), TypeRef.Tensor), env, output);
                return true;
            }
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation
                when WrittenTensor(((op as IAssignmentOperation)?.Target ?? ((IIncrementOrDecrementOperation)op).Target)) is { } written:
                Report(DiagnosticDescriptors.TensorWritten, op.Syntax, op.Syntax.ToString(), written.Syntax.ToString());
                result = new Constant(0, TypeRef.Single);
                return true;
            case IInvocationOperation call when IsReshape(call):
                result = LowerReshape(call, env, output);
                return true;
            case IInvocationOperation { Instance: { } instance } call when TypeMapper.IsTensor(instance.Type):
                if (call.TargetMethod.Name is "Fill" or "CopyTo")
                {
                    IOperation written = call.TargetMethod.Name == "Fill" ? instance : call.Arguments[0].Value;
                    Report(DiagnosticDescriptors.TensorWritten, op.Syntax, op.Syntax.ToString(), written.Syntax.ToString());
                    result = new Constant(0, TypeRef.Single);
                    return true;
                }
                result = RefuseTensor(op, "calling the tensor method '" + call.TargetMethod.Name + "' is not supported",
                    "use the static Tensor operations (MatMul, +, Tanh, Sum, …) and x.Reshape(…)");
                return true;
            case IPropertyReferenceOperation read when IsDimensionRead(read):
                result = LowerDimensionRead(read, env, output);
                return true;
            case IPropertyReferenceOperation or IFieldReferenceOperation or IInvocationOperation when ReadsTensorMember(op):
                result = RefuseTensor(op, "reading '" + op.Syntax + "' is not supported yet",
                    "use the Tensor operations, which work on every element (Sum and Mean reduce to a float)");
                return true;
            default:
                return false;
        }
    }

    private Expr LowerTensorCall(IInvocationOperation call, Env env, List<Statement> output)
    {
        IMethodSymbol method = call.TargetMethod;
        var parameters = method.Parameters;
        bool OneTensor() => parameters.Length == 1 && TypeMapper.IsTensor(parameters[0].Type);
        bool TensorAndInt() => parameters.Length == 2 && TypeMapper.IsTensor(parameters[0].Type) && parameters[1].Type.SpecialType == SpecialType.System_Int32;
        bool TwoTensors() => parameters.Length == 2 && TypeMapper.IsTensor(parameters[0].Type) && TypeMapper.IsTensor(parameters[1].Type);
        (TensorFunction Function, TypeRef Type)? known = method.Name switch
        {
            "MatMul" when TwoTensors() => (TensorFunction.MatMul, TypeRef.Tensor),
            "MeanSquaredError" when TwoTensors() => (TensorFunction.MeanSquaredError, TypeRef.Single),
            "Sum" when OneTensor() => (TensorFunction.Sum, TypeRef.Single),
            "Mean" when OneTensor() => (TensorFunction.Mean, TypeRef.Single),
            "Sum" when TensorAndInt() => (TensorFunction.SumAxis, TypeRef.Tensor),
            "Mean" when TensorAndInt() => (TensorFunction.MeanAxis, TypeRef.Tensor),
            "Softmax" when OneTensor() => (TensorFunction.Softmax, TypeRef.Tensor),
            "LogSoftmax" when OneTensor() => (TensorFunction.LogSoftmax, TypeRef.Tensor),
            "Concat" when parameters.Length == 3 && parameters[0].Type.SpecialType == SpecialType.System_Int32 && TypeMapper.IsTensor(parameters[1].Type) && TypeMapper.IsTensor(parameters[2].Type)
                => (TensorFunction.Concat, TypeRef.Tensor),
            "Gather" when parameters.Length == 2 && TypeMapper.IsTensor(parameters[0].Type) && TypeMapper.Map(parameters[1].Type) is { Kind: ScalarKind.Sequence, Element.Kind: ScalarKind.Integer }
                => (TensorFunction.Gather, TypeRef.Tensor),
            "LeakyRelu" when parameters.Length == 2 && TypeMapper.IsTensor(parameters[0].Type) && parameters[1].Type.SpecialType == SpecialType.System_Single
                => (TensorFunction.LeakyRelu, TypeRef.Tensor),
            "SoftmaxCrossEntropy" when parameters.Length == 2 && TypeMapper.IsTensor(parameters[0].Type) && TypeMapper.Map(parameters[1].Type) is { Kind: ScalarKind.Sequence, Element.Kind: ScalarKind.Integer }
                => (TensorFunction.SoftmaxCrossEntropy, TypeRef.Single),
            "TimeStep" when TensorAndInt() => (TensorFunction.TimeStep, TypeRef.Tensor),
            "Chunk" when parameters.Length == 3 && TypeMapper.IsTensor(parameters[0].Type) && parameters[1].Type.SpecialType == SpecialType.System_Int32 && parameters[2].Type.SpecialType == SpecialType.System_Int32
                => (TensorFunction.Chunk, TypeRef.Tensor),
            _ when OneTensor() && Elementwise.TryGetValue(method.Name, out TensorFunction f) => (f, TypeRef.Tensor),
            _ when ConvolutionFunction(method) is { } convolution => (convolution, TypeRef.Tensor),
            _ => null,
        };
        if (known is null)
        {
            return RefuseTensor(call, "'Tensor." + method.Name + "' cannot be differentiated yet", TensorTodo(method.Name));
        }
        EquatableArray<Expr> arguments = WithPoolStride(known.Value.Function, LowerArguments(call, env, output));
        return new TensorOperation(known.Value.Function, arguments, known.Value.Type);
    }

    /// <summary>A [Differentiable] method that returns a tensor: a layer other [Differentiable] methods call.</summary>
    private static bool IsLayer(IMethodSymbol method) =>
        TypeMapper.IsTensor(method.ReturnType) && DifferentiableAttributeReader.IsDifferentiable(method.OriginalDefinition);

    /// <summary>
    /// A call of a layer: the forward sweep calls its generated <c>{Name}Value</c>, the backward sweep its
    /// <c>{Name}Pullback</c>. A value that depends on the differentiated parameters must go to a parameter the layer
    /// differentiates.
    /// </summary>
    private Expr LowerLayerCall(IInvocationOperation call, Env env, List<Statement> output)
    {
        IMethodSymbol method = call.TargetMethod.OriginalDefinition;
        if (_calleeHasErrors(method))
        {
            Report(DiagnosticDescriptors.CalleeNotDifferentiable, call.Syntax, method.Name);
            return new Constant(0, TypeRef.Single);
        }
        bool[] differentiated = DifferentiableAttributeReader.DifferentiatedParameters(method);
        EquatableArray<Expr> arguments = LowerArguments(call, env, output);
        var ordered = OrderedArguments(call);
        for (int i = 0; i < arguments.Count; i++)
        {
            if (!differentiated[i] && (arguments[i].Type.IsFloating || arguments[i].Type.IsTensor) && Activity.IsVaried(arguments[i], _varied))
            {
                Report(DiagnosticDescriptors.ArgumentNotDifferentiated, ordered[i].Syntax, ordered[i].Syntax.ToString(), method.Name, method.Parameters[i].Name,
                    DiagnosticDescriptors.AddToDifferentiable(method.Parameters[i].Name));
                return new Constant(0, TypeRef.Single);
            }
        }
        return new TensorOperation(TensorFunction.Layer, arguments, TypeRef.Tensor)
        {
            Method = TypeName(method.ContainingType) + "." + method.Name,
            Differentiated = differentiated.ToEquatableArray(),
            Instrumented = DifferentiableAttributeReader.IsInstrumented(method),
        };
    }

    private static string TensorTodo(string name) => name switch
    {
        "Zeros" or "FromArray" => "create tensors outside the method and pass them in as parameters",
        _ => "use MatMul, + - * /, Tanh, Sigmoid, Relu, LeakyRelu, Softplus, Exp, Log, Square, Sqrt, Sum, Mean, Softmax, LogSoftmax, Concat, Gather, Conv2D, MaxPool2D, AvgPool2D, Flatten, TimeStep, Chunk, SoftmaxCrossEntropy or MeanSquaredError, and x.Reshape(…)",
    };

    /// <summary>The tensor whose memory an assignment target writes into (<c>x[i, j]</c>, <c>x.Span[i]</c>), or null.</summary>
    private static IOperation? WrittenTensor(IOperation target)
    {
        for (IOperation? current = target; current is not null;)
        {
            IOperation? instance = current switch
            {
                IPropertyReferenceOperation p => p.Instance,
                IFieldReferenceOperation f => f.Instance,
                IArrayElementReferenceOperation a => a.ArrayReference,
                IInvocationOperation i => i.Instance,
                IConversionOperation c => c.Operand,
                _ => null,
            };
            if (instance is not null && TypeMapper.IsTensor(instance.Type))
            {
                return instance;
            }
            current = instance;
        }
        return null;
    }

    /// <summary>True for a member read whose receiver is a tensor, directly or through other members (<c>x.Shape[0]</c>).</summary>
    private static bool ReadsTensorMember(IOperation op) => WrittenTensor(op) is not null;

    private Expr RefuseTensor(IOperation op, string what, string todo)
    {
        ReportTensor(op.Syntax.GetLocation(), what, todo);
        return new Constant(0, op.Type is null || TypeMapper.IsTensor(op.Type) ? TypeRef.Single : TypeMapper.Map(op.Type));
    }

    private void ReportTensor(Location location, string what, string todo)
    {
        LocationInfo? info = DiagnosticFactory.ToInfo(location);
        if (_diagnostics.Any(d => d.Location == info && d.Id == DiagnosticDescriptors.TensorNotSupported.Id))
        {
            return;
        }
        _diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.TensorNotSupported, location, what, todo));
    }

    private static string OperatorText(SyntaxNode syntax) =>
        syntax is BinaryExpressionSyntax b ? b.OperatorToken.Text : syntax.ToString();

    /// <summary>From the first token to the second, inclusive: a statement's header (<c>if (c)</c>, <c>for (…)</c>).</summary>
    private static Location Header(SyntaxToken first, SyntaxToken last) =>
        Location.Create(first.SyntaxTree!, TextSpan.FromBounds(first.SpanStart, last.Span.End));

    private static Location LoopHeader(SyntaxNode loop) => loop switch
    {
        ForStatementSyntax f => Header(f.ForKeyword, f.CloseParenToken),
        CommonForEachStatementSyntax f => Header(f.ForEachKeyword, f.CloseParenToken),
        WhileStatementSyntax w => Header(w.WhileKeyword, w.CloseParenToken),
        DoStatementSyntax d => d.DoKeyword.GetLocation(),
        _ => loop.GetLocation(),
    };
}
