using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Symbolic.Generators.Lowering;

/// <summary>
/// Shapes known when the code is compiled (BPS0023). A method with tensors is read in order, and every tensor gets
/// what is known of its shape: nothing (a parameter), its rank (a product is a matrix, a convolution rank 4), or its
/// rank and some dimensions (<c>x.Reshape(4, -1)</c>, <c>Zeros(2, 3)</c>, and what the operations derive from them).
/// An operation whose operands' known facts already break the rule the runtime checks is reported with the message
/// the runtime would throw; a dimension that is not known never produces a diagnostic.
/// </summary>
internal sealed partial class TensorShapeCheck
{
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<ISymbol, Shape?> _variables = new(SymbolEqualityComparer.Default);

    private TensorShapeCheck(List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Reports into <paramref name="diagnostics"/> every shape mismatch the constant shapes in <paramref name="body"/> show.</summary>
    public static void Run(IOperation body, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken) =>
        new TensorShapeCheck(diagnostics, cancellationToken).Statement(body);

    /// <summary>What is known of a tensor's shape: its rank, and each dimension or null where it is not known.</summary>
    internal sealed class Shape
    {
        public Shape(params int?[] dimensions) => Dimensions = dimensions;

        public int?[] Dimensions { get; }

        public int Rank => Dimensions.Length;

        public int? this[int axis] => Dimensions[axis];

        public int? Last => Dimensions[Rank - 1];

        /// <summary>The number of elements, when every dimension is known.</summary>
        public long? Count
        {
            get
            {
                long count = 1;
                foreach (int? d in Dimensions)
                {
                    if (d is not { } known)
                    {
                        return null;
                    }
                    count *= known;
                }
                return count;
            }
        }

        public static Shape OfRank(int rank) => new(new int?[rank]);

        /// <summary>As the runtime prints shapes, with <c>?</c> for a dimension not known: <c>[?, 3]</c>.</summary>
        public override string ToString() => "[" + string.Join(", ", Dimensions.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?")) + "]";
    }

    // ----- statements -------------------------------------------------------------------------------

    private void Statement(IOperation op)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        switch (op)
        {
            case IBlockOperation block:
                foreach (IOperation statement in block.Operations)
                {
                    Statement(statement);
                }
                break;
            case IVariableDeclarationGroupOperation group:
                foreach (IVariableDeclarationOperation declaration in group.Declarations)
                {
                    foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                    {
                        IOperation? initializer = declarator.GetVariableInitializer()?.Value;
                        Shape? shape = initializer is null ? null : Evaluate(initializer);
                        if (TypeMapper.IsTensor(declarator.Symbol.Type))
                        {
                            _variables[declarator.Symbol] = shape;
                        }
                    }
                }
                break;
            case IExpressionStatementOperation expression:
                Evaluate(expression.Operation);
                break;
            case IReturnOperation { ReturnedValue: { } returned }:
                Evaluate(returned);
                break;
            case IForLoopOperation loop:
                foreach (IOperation before in loop.Before)
                {
                    Statement(before);
                }
                // A variable the body assigns holds, in a step, what the previous step left: not known.
                Forget(loop);
                if (loop.Condition is { } condition)
                {
                    Evaluate(condition);
                }
                Statement(loop.Body);
                foreach (IOperation bottom in loop.AtLoopBottom)
                {
                    Statement(bottom);
                }
                Forget(loop);
                break;
            default:
                // Anything else (refused by the other checks) is read for its expressions; what it assigns is not known
                // in any of its parts (a branch, a loop's body) or after it.
                foreach (IOperation child in op.ChildOperations)
                {
                    Forget(op);
                    if (child is IBlockOperation or IVariableDeclarationGroupOperation or IExpressionStatementOperation or IReturnOperation or ILoopOperation)
                    {
                        Statement(child);
                    }
                    else
                    {
                        Evaluate(child);
                    }
                }
                Forget(op);
                break;
        }
    }

    /// <summary>Forgets the shapes of the variables <paramref name="op"/> assigns.</summary>
    private void Forget(IOperation op)
    {
        foreach (IOperation d in op.DescendantsAndSelf())
        {
            ISymbol? symbol = (d as IAssignmentOperation)?.Target switch
            {
                ILocalReferenceOperation l => l.Local,
                IParameterReferenceOperation p => p.Parameter,
                _ => null,
            };
            if (symbol is not null)
            {
                _variables[symbol] = null;
            }
        }
    }

    // ----- expressions ------------------------------------------------------------------------------

    /// <summary>Reads <paramref name="op"/> (reporting what it breaks) and returns what is known of its shape, or null.</summary>
    private Shape? Evaluate(IOperation op)
    {
        switch (op)
        {
            case IConversionOperation conversion:
                return Evaluate(conversion.Operand);
            case ILocalReferenceOperation local:
                return _variables.TryGetValue(local.Local, out Shape? l) ? l : null;
            case IParameterReferenceOperation parameter:
                return _variables.TryGetValue(parameter.Parameter, out Shape? p) ? p : null;
            case ISimpleAssignmentOperation assignment when Variable(assignment.Target) is { } target:
            {
                Shape? value = Evaluate(assignment.Value);
                _variables[target] = TypeMapper.IsTensor(assignment.Target.Type) ? value : null;
                return value;
            }
            case ICompoundAssignmentOperation compound when Variable(compound.Target) is { } target
                && TypeMapper.IsTensor(compound.OperatorMethod?.ContainingType):
            {
                Shape? result = Elementwise(compound, OperatorName(compound.OperatorKind), Evaluate(compound.Target), compound.Value);
                _variables[target] = result;
                return result;
            }
            case IBinaryOperation binary when TypeMapper.IsTensor(binary.OperatorMethod?.ContainingType):
                return Elementwise(binary, OperatorName(binary.OperatorKind), Evaluate(binary.LeftOperand), binary.RightOperand);
            case IUnaryOperation unary when TypeMapper.IsTensor(unary.OperatorMethod?.ContainingType):
                return Evaluate(unary.Operand);
            case IInvocationOperation call:
            {
                Shape? instance = call.Instance is null ? null : Evaluate(call.Instance);
                var arguments = call.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? int.MaxValue).Select(a => a.Value).ToList();
                var shapes = arguments.Select(Evaluate).ToList();
                if (call.TargetMethod.Name == "Reshape" && !call.TargetMethod.IsStatic && TypeMapper.IsTensor(call.Instance?.Type))
                {
                    return Reshape(call, instance, arguments);
                }
                return call.TargetMethod.IsStatic && TypeMapper.IsTensor(call.TargetMethod.ContainingType)
                    ? Operation(call, arguments, shapes)
                    : null;
            }
            default:
                foreach (IOperation child in op.ChildOperations)
                {
                    Evaluate(child);
                }
                return null;
        }
    }

    private static ISymbol? Variable(IOperation target) => target switch
    {
        ILocalReferenceOperation l => l.Local,
        IParameterReferenceOperation p => p.Parameter,
        _ => null,
    };

    /// <summary>A static operation of <c>Tensor</c>, its arguments in parameter order with their shapes.</summary>
    private Shape? Operation(IInvocationOperation call, List<IOperation> a, List<Shape?> s)
    {
        IMethodSymbol method = call.TargetMethod;
        bool tensorFirst = a.Count > 0 && TypeMapper.IsTensor(method.Parameters[0].Type);
        switch (method.Name)
        {
            case "Zeros" or "FromArray":
                return Created(method, a);
            case "MatMul" when a.Count == 2:
                return MatMul(call, s[0], s[1]);
            case "Sum" or "Mean" when a.Count == 1:
                return null;
            case "Sum" or "Mean" when a.Count == 2 && tensorFirst:
                return Reduce(call, method.Name, s[0], Constant(a[1]));
            case "Softmax" or "LogSoftmax" or "Tanh" or "Sigmoid" or "Relu" or "Softplus" or "Exp" or "Log" or "Square" or "Sqrt" or "LeakyRelu"
                when tensorFirst:
                return s[0];
            case "Concat" when a.Count == 3:
                return Concat(call, Constant(a[0]), s[1], s[2]);
            case "Gather" when a.Count == 2:
                if (s[0] is { } table && table.Rank != 2)
                {
                    return Report(call, "Gather: the table must be a matrix [rows, width], but has shape " + table,
                        "gather rows of a matrix; reshape the table to [rows, width] first");
                }
                return new Shape(null, s[0]?[1]);
            case "TimeStep" when a.Count == 2:
                return TimeStep(call, s[0], Constant(a[1]));
            case "Chunk" when a.Count == 3:
                return Chunk(call, s[0], Constant(a[1]), Constant(a[2]));
            case "Conv2D" when a.Count is 4 or 5:
                return Conv2D(call, s[0], s[1], a.Count == 5 ? s[2] : null, Constant(a[a.Count - 2]), Constant(a[a.Count - 1]));
            case "MaxPool2D" or "AvgPool2D" when a.Count is 2 or 3:
                int? size = Constant(a[1]);
                return Pool(call, method.Name, s[0], size, a.Count == 3 ? Constant(a[2]) : size);
            case "Flatten" when a.Count == 1:
                return Flatten(call, s[0]);
            case "MeanSquaredError" when a.Count == 2:
                if (s[0] is { } prediction && s[1] is { } target && !Equal(prediction, target))
                {
                    Report(call, Mismatch("MeanSquaredError", prediction, target, "the shapes must be equal"),
                        "compare a prediction with a target of the same shape");
                }
                return null;
            default:
                return null;
        }
    }

    // ----- helpers ----------------------------------------------------------------------------------

    private static int? Constant(IOperation op) =>
        op.ConstantValue is { HasValue: true, Value: int value } ? value : null;

    private static bool Fits(int? a, int? b) => a is null || b is null || a == b;

    private static bool Equal(Shape a, Shape b) => a.Rank == b.Rank && a.Dimensions.Zip(b.Dimensions, Fits).All(f => f);

    private static Shape Merge(Shape a, Shape b) => new(a.Dimensions.Zip(b.Dimensions, (x, y) => x ?? y).ToArray());

    private static string Mismatch(string operation, Shape? a, Shape? b, string rule) =>
        operation + ": shapes " + Print(a) + " and " + Print(b) + " do not match (" + rule + ")";

    private static string Print(Shape? shape) => shape?.ToString() ?? "[…]";

    private static string NoAxis(string operation, Shape shape, int axis) =>
        operation + ": a tensor of shape " + shape + " has no axis " + axis + " (axes are 0 to " + (shape.Rank - 1) + ")";

    private static string OperatorName(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => "operator +",
        BinaryOperatorKind.Subtract => "operator -",
        BinaryOperatorKind.Multiply => "operator *",
        BinaryOperatorKind.Divide => "operator /",
        _ => "operator",
    };

    private Shape? Report(IOperation op, string what, string fix)
    {
        _diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.TensorShapeMismatch, op.Syntax, what, fix));
        return null;
    }
}
