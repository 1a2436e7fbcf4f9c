using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Backprop.Symbolic.Generators.Parsing;

/// <summary>Reads [Differentiable] off a method symbol.</summary>
internal static class DifferentiableAttributeReader
{
    public const string MetadataName = "Backprop.Symbolic.DifferentiableAttribute";

    public static AttributeData? Find(IMethodSymbol method) => Find(method, MetadataName);

    /// <summary>The method's attribute of the class <paramref name="metadataName"/>, if it has one.</summary>
    public static AttributeData? Find(IMethodSymbol method, string metadataName) =>
        method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == metadataName);

    public static bool IsDifferentiable(IMethodSymbol method) => Find(method) is not null;

    /// <summary>The name of the attribute's property that asks for the overloads reporting to an instrument sink.</summary>
    public const string InstrumentedProperty = "Instrumented";

    /// <summary>True when the method's attribute sets <c>Instrumented = true</c>.</summary>
    public static bool IsInstrumented(IMethodSymbol method) =>
        Find(method) is { } attribute
        && attribute.NamedArguments.Any(a => a.Key == InstrumentedProperty && a.Value.Value is true);

    /// <summary>The names given to the attribute, or null when it names none (every float/double parameter).</summary>
    public static IReadOnlyList<string?>? NamedParameters(AttributeData attribute)
    {
        if (attribute.ConstructorArguments.Length == 0)
        {
            return null;
        }
        TypedConstant argument = attribute.ConstructorArguments[0];
        if (argument.Kind == TypedConstantKind.Array)
        {
            if (argument.IsNull || argument.Values.Length == 0)
            {
                return null;
            }
            return argument.Values.Select(v => v.Value as string).ToList();
        }
        return new[] { argument.Value as string };
    }

    /// <summary>For each parameter of <paramref name="method"/>, whether it is differentiated.</summary>
    public static bool[] DifferentiatedParameters(IMethodSymbol method)
    {
        AttributeData? attribute = Find(method);
        IReadOnlyList<string?>? names = attribute is null ? null : NamedParameters(attribute);
        var result = new bool[method.Parameters.Length];
        for (int i = 0; i < result.Length; i++)
        {
            IParameterSymbol p = method.Parameters[i];
            bool floating = TypeMapper.Map(p.Type).IsDifferentiable && p.RefKind == RefKind.None;
            result[i] = floating && (names is null || names.Contains(p.Name));
        }
        return result;
    }
}

/// <summary>Maps Roslyn types to the IR's <see cref="TypeRef"/>.</summary>
internal static class TypeMapper
{
    public static TypeRef Map(ITypeSymbol type)
    {
        if (IsTensor(type))
        {
            return TypeRef.Tensor;
        }
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            return Sequence(type, array.ElementType);
        }
        if (type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", Arity: 1, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } span)
        {
            return Sequence(type, span.TypeArguments[0]);
        }
        switch (type.SpecialType)
        {
            case SpecialType.System_Double:
                return TypeRef.Double;
            case SpecialType.System_Single:
                return TypeRef.Single;
            case SpecialType.System_Boolean:
                return TypeRef.Bool;
            case SpecialType.System_Int32:
                return TypeRef.Int32;
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr:
                return new TypeRef(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), ScalarKind.Integer);
            default:
                return new TypeRef(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), ScalarKind.Other);
        }
    }

    private static TypeRef Sequence(ITypeSymbol type, ITypeSymbol element) =>
        new(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), ScalarKind.Sequence, Map(element));

    /// <summary>True for <c>Backprop.Symbolic.Tensors.Tensor</c>.</summary>
    public static bool IsTensor(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "Tensor", Arity: 0, ContainingNamespace: { Name: "Tensors", ContainingNamespace: { Name: "Symbolic", ContainingNamespace: { Name: "Backprop", ContainingNamespace.IsGlobalNamespace: true } } } };

    /// <summary>True for <c>ReadOnlySpan&lt;T&gt;</c>, which the generated code never writes to.</summary>
    public static bool IsReadOnlySpan(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "ReadOnlySpan", Arity: 1, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };
}
