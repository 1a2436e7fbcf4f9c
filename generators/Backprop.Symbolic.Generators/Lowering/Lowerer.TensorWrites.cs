using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Symbolic.Generators.Lowering;

// Tensors: writes the per-expression rules would otherwise name as something else, found before anything is lowered.
// A tensor's memory is written through its span (w.Span.Fill(0f), w.Span.Clear(), x.Span.CopyTo(w.Span)), through a
// local span taken from it (Span<float> s = w.Span; s[0] = 1f), or by a method of the user's it is passed to that
// writes its parameter (BPS0019). Reading a tensor's span into a local, and tensor instance methods that return
// something (x.ToArray()), are named as the tensor operations they are (BPS0018).
internal sealed partial class Lowerer
{
    /// <summary>Calls of the user's methods already reported as writing a tensor: the general refusal skips them.</summary>
    private readonly HashSet<SyntaxNode> _writingCalls = new();

    /// <summary>Reports the writes and reads described above; the caller counts them as refusals.</summary>
    private void RefuseTensorWrites(IOperation body)
    {
        // Local spans taken from a tensor's memory, and the tensor each one shows.
        var aliases = new Dictionary<ILocalSymbol, IOperation>(SymbolEqualityComparer.Default);
        var declarations = new List<(ILocalSymbol Local, IOperation Span)>();
        foreach (IOperation op in body.Descendants())
        {
            if (op is IVariableDeclaratorOperation { Initializer.Value: { } value } declarator && TensorBehind(value, aliases) is { } shown)
            {
                aliases[declarator.Symbol] = shown;
                declarations.Add((declarator.Symbol, value));
            }
        }
        var writtenThrough = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation op in body.Descendants())
        {
            switch (op)
            {
                case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation
                    when ((op as IAssignmentOperation)?.Target ?? ((IIncrementOrDecrementOperation)op).Target) is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } span }
                    && !TypeMapper.IsTensor(span.Type) && TensorBehind(span, aliases) is { } viaSpan:
                    ReportWrite(op, viaSpan);
                    if (Unconverted(span) is ILocalReferenceOperation alias)
                    {
                        writtenThrough.Add(alias.Local);
                    }
                    break;
                case IInvocationOperation call when call.Instance is { } receiver && !TypeMapper.IsTensor(receiver.Type)
                    && call.TargetMethod.Name is "Clear" or "Fill" && TensorBehind(receiver, aliases) is { } cleared:
                    ReportWrite(call, cleared);
                    break;
                case IInvocationOperation call when call.Instance is { } source && !TypeMapper.IsTensor(source.Type)
                    && call.TargetMethod.Name is "CopyTo" or "TryCopyTo" && call.Arguments.Length == 1 && TensorBehind(call.Arguments[0].Value, aliases) is { } target:
                    ReportWrite(call, target);
                    break;
                case IInvocationOperation { Instance: { } tensor } call when TypeMapper.IsTensor(tensor.Type) && !call.TargetMethod.ReturnsVoid && !IsReshape(call):
                    ReportTensor(call.Syntax.GetLocation(), "calling the tensor method '" + call.TargetMethod.Name + "' is not supported",
                        "use the static Tensor operations (MatMul, +, Tanh, Sum, …) and x.Reshape(…)");
                    break;
                case IInvocationOperation call when !TypeMapper.IsTensor(call.TargetMethod.ContainingType) && !IsLayer(call.TargetMethod):
                    foreach (IArgumentOperation argument in call.Arguments)
                    {
                        if (TypeMapper.IsTensor(argument.Value.Type) && argument.Parameter is { } parameter && WritesParameter(call.TargetMethod, parameter))
                        {
                            ReportWrite(call, argument.Value);
                            _writingCalls.Add(call.Syntax);
                            break;
                        }
                    }
                    break;
            }
        }
        foreach ((ILocalSymbol local, IOperation span) in declarations)
        {
            if (!writtenThrough.Contains(local))
            {
                ReportTensor(span.Syntax.GetLocation(), "reading '" + span.Syntax + "' into a local span is not supported",
                    "use the Tensor operations, which work on every element (Sum and Mean reduce to a float)");
            }
        }
    }

    private void ReportWrite(IOperation op, IOperation tensor) =>
        Report(DiagnosticDescriptors.TensorWritten, op.Syntax, op.Syntax.ToString(), Unconverted(tensor).Syntax.ToString());

    /// <summary>
    /// The tensor whose memory <paramref name="span"/> is (<c>w.Span</c>, <c>w.Span.Slice(1)</c>, a local span taken
    /// from one), or null.
    /// </summary>
    private static IOperation? TensorBehind(IOperation span, Dictionary<ILocalSymbol, IOperation> aliases) => Unconverted(span) switch
    {
        IPropertyReferenceOperation { Property.Name: "Span", Instance: { } tensor } when TypeMapper.IsTensor(tensor.Type) => tensor,
        IInvocationOperation { TargetMethod.Name: "Slice", Instance: { } inner } when !TypeMapper.IsTensor(inner.Type) => TensorBehind(inner, aliases),
        ILocalReferenceOperation local when aliases.TryGetValue(local.Local, out IOperation? tensor) => tensor,
        _ => null,
    };

    private static IOperation Unconverted(IOperation op) => op is IConversionOperation c ? Unconverted(c.Operand) : op;

    /// <summary>
    /// True when the user's method <paramref name="method"/>, whose source is in this compilation, writes into the
    /// tensor it receives as <paramref name="parameter"/> (an element, its span, <c>Fill</c>, <c>CopyTo</c>).
    /// </summary>
    private bool WritesParameter(IMethodSymbol method, IParameterSymbol parameter)
    {
        foreach (SyntaxReference reference in method.OriginalDefinition.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(_cancellationToken) is not BaseMethodDeclarationSyntax declaration
                || !_semanticModel.Compilation.ContainsSyntaxTree(declaration.SyntaxTree))
            {
                continue;
            }
            SyntaxNode? bodySyntax = (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody;
            if (bodySyntax is null)
            {
                continue;
            }
            IOperation? body = _semanticModel.Compilation.GetSemanticModel(declaration.SyntaxTree).GetOperation(bodySyntax, _cancellationToken);
            if (body is null)
            {
                continue;
            }
            var aliases = new Dictionary<ILocalSymbol, IOperation>(SymbolEqualityComparer.Default);
            foreach (IOperation op in body.Descendants())
            {
                if (op is IVariableDeclaratorOperation { Initializer.Value: { } value } declarator && TensorBehind(value, aliases) is { } shown)
                {
                    aliases[declarator.Symbol] = shown;
                }
                IOperation? written = op switch
                {
                    IAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } }
                        => TypeMapper.IsTensor(instance.Type) ? instance : TensorBehind(instance, aliases),
                    IIncrementOrDecrementOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } }
                        => TypeMapper.IsTensor(instance.Type) ? instance : TensorBehind(instance, aliases),
                    IInvocationOperation { TargetMethod.Name: "Fill", Instance: { } filled } when TypeMapper.IsTensor(filled.Type) => filled,
                    IInvocationOperation { TargetMethod.Name: "Clear" or "Fill", Instance: { } span } => TensorBehind(span, aliases),
                    IInvocationOperation { TargetMethod.Name: "CopyTo" or "TryCopyTo", Arguments.Length: 1 } copy
                        => TypeMapper.IsTensor(copy.Arguments[0].Value.Type) ? copy.Arguments[0].Value : TensorBehind(copy.Arguments[0].Value, aliases),
                    _ => null,
                };
                if (written is not null && Unconverted(written) is IParameterReferenceOperation p && SymbolEqualityComparer.Default.Equals(p.Parameter.OriginalDefinition, parameter.OriginalDefinition))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
