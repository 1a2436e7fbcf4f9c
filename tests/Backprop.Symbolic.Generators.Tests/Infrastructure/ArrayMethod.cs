using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>How a parameter of a [Differentiable] method carries its value.</summary>
public enum ArrayParameterKind
{
    /// <summary>A number or a bool, passed by value; a differentiable one gets an <c>out T</c> adjoint.</summary>
    Scalar,

    /// <summary><c>ReadOnlySpan&lt;T&gt;</c> (or <c>Span&lt;T&gt;</c>); a differentiable one gets a <c>Span&lt;T&gt;</c> adjoint.</summary>
    Span,

    /// <summary><c>T[]</c>; a differentiable one gets a <c>Span&lt;T&gt;</c> adjoint.</summary>
    Array,
}

/// <summary>
/// One parameter of a [Differentiable] method as <see cref="ArrayInvoke"/> passes it: a scalar, or a span or array
/// that the tests give as a <c>T[]</c>.
/// </summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Kind">Scalar, span or array.</param>
/// <param name="ElementType">The scalar's type, or the element type of the span or array.</param>
/// <param name="TypeName">The parameter's type as C# spells it (<c>global::System.ReadOnlySpan&lt;double&gt;</c>).</param>
/// <param name="ElementTypeName">The element type as C# spells it (<c>double</c>).</param>
/// <param name="IsDifferentiable">Whether the documented API gives this parameter an adjoint and a tangent.</param>
public sealed record ArrayParameter(
    string Name,
    ArrayParameterKind Kind,
    Type ElementType,
    string TypeName,
    string ElementTypeName,
    bool IsDifferentiable)
{
    /// <summary>The adjoint's (and the tangent's) name: <c>d</c> + the name with its first letter upper-cased.</summary>
    public string AdjointName => GradientAssert.AdjointName(Name);

    /// <summary>True for a span or an array.</summary>
    public bool IsSequence => Kind != ArrayParameterKind.Scalar;

    /// <summary>True when the element type is <see cref="float"/>.</summary>
    public bool IsFloat => ElementType == typeof(float);
}

/// <summary>
/// A [Differentiable] method of the test source, read off its symbol before the generator runs, with the signatures
/// of <c>{Name}Gradient</c> and <c>{Name}Derivative</c> that the documented API gives it.
/// </summary>
/// <param name="TypeMetadataName">The containing type's metadata name (<c>Ns.Outer+Inner</c>).</param>
/// <param name="TypeDisplayName">The containing type as C# spells it (<c>global::Ns.Outer.Inner</c>).</param>
/// <param name="Name">The method's name.</param>
/// <param name="ReturnType">float or double.</param>
/// <param name="ReturnTypeName">The return type as C# spells it.</param>
/// <param name="Parameters">The parameters, in order.</param>
/// <param name="Unsupported">Why <see cref="ArrayInvoke"/> cannot call this method at all, or null.</param>
/// <param name="Location">The method's declaration in the test source, for attributing diagnostics to it.</param>
public sealed record ArrayMethod(
    string TypeMetadataName,
    string TypeDisplayName,
    string Name,
    Type ReturnType,
    string ReturnTypeName,
    ImmutableArray<ArrayParameter> Parameters,
    string? Unsupported,
    Location Location)
{
    private const string AttributeName = "Backprop.Symbolic.DifferentiableAttribute";

    /// <summary>The differentiable parameters, in order: one adjoint (and one tangent) each.</summary>
    public ImmutableArray<ArrayParameter> Differentiable => Parameters.Where(p => p.IsDifferentiable).ToImmutableArray();

    /// <summary>The method as the test source declares it, for messages.</summary>
    public string Signature => $"{ReturnTypeName} {Name}({string.Join(", ", Parameters.Select(p => p.TypeName + " " + p.Name))})";

    /// <summary>The documented <c>{Name}Gradient</c> parameter list: (C# type, ref kind, name).</summary>
    public ImmutableArray<(string Type, RefKind RefKind, string Name)> ExpectedGradientParameters =>
        Parameters.Select(p => (p.TypeName, RefKind.None, p.Name))
            .Concat(Differentiable.Select(p => p.IsSequence
                ? ("global::System.Span<" + p.ElementTypeName + ">", RefKind.None, p.AdjointName)
                : (p.ElementTypeName, RefKind.Out, p.AdjointName)))
            .ToImmutableArray();

    /// <summary>The documented <c>{Name}Derivative</c> parameter list: (C# type, ref kind, name).</summary>
    public ImmutableArray<(string Type, RefKind RefKind, string Name)> ExpectedDerivativeParameters =>
        Parameters.Select(p => (p.TypeName, RefKind.None, p.Name))
            .Concat(Differentiable.Select(p => p.IsSequence
                ? ("global::System.ReadOnlySpan<" + p.ElementTypeName + ">", RefKind.None, p.AdjointName)
                : (p.ElementTypeName, RefKind.None, p.AdjointName)))
            .Append((ReturnTypeName, RefKind.Out, "derivative"))
            .ToImmutableArray();

    /// <summary>True when the symbol carries <c>[Differentiable]</c>.</summary>
    public static bool IsDifferentiable(IMethodSymbol method) =>
        method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeName);

    /// <summary>Describes a [Differentiable] method symbol.</summary>
    public static ArrayMethod FromSymbol(IMethodSymbol method)
    {
        INamedTypeSymbol type = method.ContainingType;
        string? unsupported = null;

        string[]? names = NamedParameters(method);
        var parameters = ImmutableArray.CreateBuilder<ArrayParameter>(method.Parameters.Length);
        foreach (IParameterSymbol p in method.Parameters)
        {
            (ArrayParameterKind kind, ITypeSymbol element) = Classify(p.Type);
            Type? elementType = ClrType(element);
            if (elementType is null || p.RefKind != RefKind.None)
            {
                unsupported ??= $"ArrayInvoke passes only by-value numbers and bools, and spans and arrays of them; parameter '{p.Name}' is {p.RefKind} {p.Type}.";
                elementType ??= typeof(object);
            }
            bool floating = elementType == typeof(double) || elementType == typeof(float);
            parameters.Add(new ArrayParameter(
                p.Name,
                kind,
                elementType,
                p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                element.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                floating && p.RefKind == RefKind.None && (names is null || names.Contains(p.Name))));
        }

        Type returnType = ClrType(method.ReturnType) ?? typeof(object);
        if (returnType != typeof(double) && returnType != typeof(float))
        {
            unsupported ??= $"ArrayInvoke calls methods that return float or double; {method.Name} returns {method.ReturnType}.";
        }
        if (method.IsGenericMethod || AnyGenericContainer(type))
        {
            unsupported ??= "ArrayInvoke does not call generic methods or methods of generic types.";
        }
        if (!Reachable(method))
        {
            unsupported ??= $"ArrayInvoke's driver calls {method.Name} from another class of the same assembly: make it and its containing types internal or public.";
        }

        return new ArrayMethod(
            MetadataName(type),
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            method.Name,
            returnType,
            method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            parameters.MoveToImmutable(),
            unsupported,
            method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax().GetLocation() ?? Location.None);
    }

    /// <summary>The names listed in <c>[Differentiable(...)]</c>, or null when it lists none (every floating parameter).</summary>
    private static string[]? NamedParameters(IMethodSymbol method)
    {
        AttributeData attribute = method.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == AttributeName);
        if (attribute.ConstructorArguments.Length == 0)
        {
            return null;
        }
        TypedConstant argument = attribute.ConstructorArguments[0];
        if (argument.Kind == TypedConstantKind.Array)
        {
            return argument.IsNull || argument.Values.Length == 0
                ? null
                : argument.Values.Select(v => v.Value as string ?? "").ToArray();
        }
        return new[] { argument.Value as string ?? "" };
    }

    private static (ArrayParameterKind Kind, ITypeSymbol Element) Classify(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            return (ArrayParameterKind.Array, array.ElementType);
        }
        if (type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", Arity: 1, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } span)
        {
            return (ArrayParameterKind.Span, span.TypeArguments[0]);
        }
        return (ArrayParameterKind.Scalar, type);
    }

    private static Type? ClrType(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Double => typeof(double),
        SpecialType.System_Single => typeof(float),
        SpecialType.System_Int32 => typeof(int),
        SpecialType.System_Int64 => typeof(long),
        SpecialType.System_Int16 => typeof(short),
        SpecialType.System_Byte => typeof(byte),
        SpecialType.System_SByte => typeof(sbyte),
        SpecialType.System_UInt16 => typeof(ushort),
        SpecialType.System_UInt32 => typeof(uint),
        SpecialType.System_UInt64 => typeof(ulong),
        SpecialType.System_Boolean => typeof(bool),
        _ => null,
    };

    private static bool AnyGenericContainer(INamedTypeSymbol? type)
    {
        for (; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType)
            {
                return true;
            }
        }
        return false;
    }

    private static bool Reachable(ISymbol symbol)
    {
        for (ISymbol? s = symbol; s is not null and not INamespaceSymbol; s = s.ContainingSymbol)
        {
            if (s.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }
        return true;
    }

    private static string MetadataName(INamedTypeSymbol type)
    {
        string name = type.MetadataName;
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.MetadataName + "+" + name;
            type = outer;
        }
        string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString() + ".";
        return ns + name;
    }
}
