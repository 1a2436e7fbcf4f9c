using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Model;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Symbolic.Generators.Lowering;

// Spans and arrays: element reads with computed indices, Length; local arrays (new T[n], initializers,
// stackalloc), which generated code takes from the per-thread tape's scratch, and writes to their elements.
internal sealed partial class Lowerer
{
    private readonly HashSet<string> _localArrays = new();
    private readonly Dictionary<string, SyntaxNode> _allocationSyntax = new();

    /// <summary><c>T[] a = new T[n]</c>, <c>= { … }</c> or <c>Span&lt;T&gt; a = stackalloc T[n]</c>.</summary>
    private Expr LowerArrayAssignment(object target, ITypeSymbol targetType, IOperation value, Env env, List<Statement> output)
    {
        TypeRef type = TypeMapper.Map(targetType);
        while (value is IConversionOperation { IsImplicit: true } conversion)
        {
            value = conversion.Operand;
        }
        SyntaxNode syntax = value.Syntax;
        if (!type.IsFloatingSequence)
        {
            return Unsupported(value, "arrays and spans of '" + (type.Element?.Name ?? type.Name) + "' are not supported", "use arrays or spans of float or double");
        }
        if (env.ContainsKey(target))
        {
            // Reported, and lowered anyway so that the uses that follow raise nothing more.
            Unsupported(value, "assigning an array variable twice is not supported", "create each local array once and overwrite its elements, or use a second variable");
        }
        Expr length;
        var elements = new List<Expr>();
        if (value is IArrayCreationOperation { DimensionSizes.Length: 1 } creation)
        {
            length = LowerExpression(creation.DimensionSizes[0], env, output);
            if (creation.Initializer is { } initializer)
            {
                foreach (IOperation element in initializer.ElementValues)
                {
                    elements.Add(ConvertTo(LowerExpression(element, env, output), type.Element!));
                }
            }
        }
        else if (syntax is StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax { RankSpecifiers.Count: 1 } array } stackAllocation
            && array.RankSpecifiers[0].Sizes.Count == 1 && stackAllocation.Initializer is null
            && _semanticModel.GetOperation(array.RankSpecifiers[0].Sizes[0], _cancellationToken) is { } size)
        {
            length = LowerExpression(size, env, output);
        }
        else if (value is IArrayInitializerOperation bare)
        {
            length = new Constant(bare.ElementValues.Length, TypeRef.Int32);
            foreach (IOperation element in bare.ElementValues)
            {
                elements.Add(ConvertTo(LowerExpression(element, env, output), type.Element!));
            }
        }
        else
        {
            if (syntax is StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax)
            {
                Unsupported(value, "stackalloc with an initializer is not supported", "write stackalloc T[n] and assign the elements, or use new T[] { … }");
            }
            else
            {
                Unsupported(value, "a local array must be created with new T[n], new T[] { … } or stackalloc T[n]", "create a new array and copy the elements you need into it");
            }
            length = new Constant(0, TypeRef.Int32); // reported; an empty array keeps the uses that follow quiet
        }
        var variable = new Variable(NextVersionName(target, env), TypeRef.SpanOf(type.Element!));
        output.Add(new ArrayAllocation(variable, length, elements.ToEquatableArray(), _origin));
        _localArrays.Add(variable.Name);
        _allocationSyntax[variable.Name] = value.Syntax;
        if (elements.Any(e => Activity.IsVaried(e, _varied)))
        {
            _varied.Add(variable.Name);
        }
        env[target] = variable;
        return variable;
    }

    private static Expr ConvertTo(Expr e, TypeRef type) => e.Type.Equals(type) ? e : new Model.Conversion(e, type);

    /// <summary>The sequence and index of an element being assigned, or null when the target is not an element.</summary>
    private static (IOperation Sequence, IOperation Index)? ElementTarget(IOperation target) => target switch
    {
        IArrayElementReferenceOperation { Indices.Length: 1 } a => (a.ArrayReference, a.Indices[0]),
        IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } p when p.Arguments.Length == 1 && TypeMapper.Map(instance.Type!).Kind == ScalarKind.Sequence
            => (instance, p.Arguments[0].Value),
        _ => null,
    };

    /// <summary><c>a[i] = v</c>, or with <paramref name="compound"/>, <c>a[i] op= v</c>, on a local array.</summary>
    private Expr LowerElementWrite(IOperation write, IOperation sequence, IOperation index, IOperation valueOperation, ICompoundAssignmentOperation? compound, Env env, List<Statement> output)
    {
        if (LowerSequence(sequence, env, output) is not { } array)
        {
            return new Constant(0, TypeRef.Double);
        }
        if (!_localArrays.Contains(array.Name))
        {
            return Unsupported(write, "writing into the parameter '" + array.Name + "' is not supported",
                "a [Differentiable] method only reads its inputs: copy the values into a local array (new double[n]) and write there");
        }
        if (compound is not null && compound.OperatorMethod is not null)
        {
            return Unsupported(compound, "user-defined operators are not supported", "use float or double arithmetic");
        }
        if (CheckIndex(index) is { } refused)
        {
            return refused;
        }
        Expr position = LowerExpression(index, env, output);
        Expr value = LowerExpression(valueOperation, env, output);
        TypeRef element = array.Type.Element!;
        if (compound is not null)
        {
            Expr current = new ElementRead(array, position, element);
            TypeRef operatorType = Wider(element, value.Type);
            value = new Binary(MapBinary(compound.OperatorKind)!.Value, ConvertTo(current, operatorType), ConvertTo(value, operatorType), operatorType);
        }
        value = ConvertTo(value, element);
        if (!IsAtomicIndex(position))
        {
            // The index is read again by the backward sweep: give it a name.
            var name = new Variable(_names.FreshNumbered("_j"), position.Type);
            output.Add(new Assignment(name, position, _origin));
            position = name;
        }
        output.Add(new ElementWrite(array, position, value, _origin));
        if (Activity.IsVaried(value, _varied) && _varied.Add(array.Name))
        {
            // Reads of the array earlier in an enclosing loop's body were lowered as passive: again.
            foreach (LoopContext loop in _loops)
            {
                loop.NeedsAnotherPass = true;
            }
        }
        return value;
    }

    /// <summary>
    /// A local array, or a span whose elements are differentiated, may go to a [Differentiable] or
    /// [CustomGradient] method that takes a <c>ReadOnlySpan&lt;T&gt;</c> (or, for a parameter, the same array
    /// type), inside loops too.
    /// Anything else is reported here; null when the arguments are fine.
    /// </summary>
    private Expr? CheckSequenceArguments(IInvocationOperation invocation, EquatableArray<Expr> arguments)
    {
        IMethodSymbol method = invocation.TargetMethod;
        for (int i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] is not Variable { Type.Kind: ScalarKind.Sequence } sequence
                || !(_localArrays.Contains(sequence.Name) || Activity.IsVaried(sequence, _varied)))
            {
                continue;
            }
            IArgumentOperation argument = OrderedArguments(invocation)[i];
            ITypeSymbol parameter = method.Parameters[i].Type;
            if (!DifferentiableAttributeReader.IsDifferentiable(method) && CustomGradientReader.Find(method.OriginalDefinition) is null)
            {
                return Unsupported(argument, "passing a local array, or a span or array whose elements are differentiated, to a method that is neither [Differentiable] nor [CustomGradient] is not supported",
                    "mark the method [Differentiable] and let it take a ReadOnlySpan<" + sequence.Type.Element!.Name + ">, or pass the elements it needs as separate parameters");
            }
            if (_localArrays.Contains(sequence.Name) && !TypeMapper.IsReadOnlySpan(parameter))
            {
                return Unsupported(argument, "a local array can only be passed to a ReadOnlySpan<" + sequence.Type.Element!.Name + "> parameter",
                    "declare '" + method.Parameters[i].Name + "' of '" + method.Name + "' as ReadOnlySpan<" + sequence.Type.Element!.Name + ">");
            }
            if (!TypeMapper.Map(parameter).Element!.Equals(sequence.Type.Element))
            {
                return Unsupported(argument, "the elements of '" + sequence.Name + "' and of the parameter '" + method.Parameters[i].Name + "' differ in type", "pass a span of the parameter's element type");
            }
        }
        return null;
    }

    /// <summary>Null for an <c>int</c> index; else the reported problem.</summary>
    private Expr? CheckIndex(IOperation index)
    {
        if (index.Type is not { } type || type.SpecialType == SpecialType.System_Int32)
        {
            return null;
        }
        if (type.Name is "Index" or "Range" && type.ContainingNamespace?.Name == "System")
        {
            return Unsupported(index.Parent ?? index, "indexing from the end (^) and ranges (..) are not supported", "index with an int: x[x.Length - 1], or loop over the elements");
        }
        return Unsupported(index, "indexing with a '" + type.ToDisplayString() + "' is not supported", "index with an int");
    }

    private static bool IsAtomicIndex(Expr e) => e is Variable or Constant or Literal;
    private Expr LowerElementRead(IOperation sequence, IOperation index, IOperation op, Env env, List<Statement> output)
    {
        if (LowerSequence(sequence, env, output) is not { } variable)
        {
            return new Constant(0, TypeMapper.Map(op.Type!));
        }
        if (CheckIndex(index) is { } refused)
        {
            return refused;
        }
        Expr position = LowerExpression(index, env, output);
        return new ElementRead(variable, position, variable.Type.Element!);
    }

    private Expr LowerLength(IOperation sequence, IOperation op, Env env, List<Statement> output) =>
        LowerSequence(sequence, env, output) is { } variable ? new LengthRead(variable) : new Constant(0, TypeRef.Int32);

    /// <summary>A span, array or local array the code indexes: it must be a parameter or a local.</summary>
    private Variable? LowerSequence(IOperation sequence, Env env, List<Statement> output)
    {
        if (sequence is IConversionOperation { IsImplicit: true } conversion)
        {
            sequence = conversion.Operand;
        }
        if (sequence is ILocalReferenceOperation or IParameterReferenceOperation && LowerExpression(sequence, env, output) is Variable v)
        {
            return v;
        }
        Unsupported(sequence, "indexing this expression is not supported", "index a parameter or a local array");
        return null;
    }
}
