using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Lowering;
using Microsoft.CodeAnalysis;

namespace Backprop.Symbolic.Generators.Parsing;

/// <summary>
/// Reads <c>[CustomGradient(nameof(G))]</c>: a hand-written gradient <c>G</c> for a method, which calls from
/// [Differentiable] methods use exactly as they use a generated one.
/// </summary>
internal static class CustomGradientReader
{
    public const string MetadataName = "Backprop.Symbolic.CustomGradientAttribute";

    public static AttributeData? Find(IMethodSymbol method) => DifferentiableAttributeReader.Find(method, MetadataName);

    /// <summary>
    /// For each parameter, whether the custom gradient has a partial for it: every by-value float and double
    /// parameter, and every <c>ReadOnlySpan&lt;T&gt;</c> or <c>T[]</c> of them.
    /// </summary>
    public static bool[] DifferentiatedParameters(IMethodSymbol method) =>
        method.Parameters.Select(p => p.RefKind == RefKind.None && (TypeMapper.Map(p.Type).IsFloating || ReadOnlyElement(p.Type) is not null)).ToArray();

    /// <summary>
    /// The gradient method the attribute names, when it has the expected signature; else null and the signature
    /// it should have: the method's parameters, then one partial per differentiated parameter in their order
    /// (<c>out T dX</c> for a scalar, a <c>Span&lt;T&gt; dX</c> of the span's length, fully written, for a span
    /// or array), returning the value — the shape of a generated gradient.
    /// </summary>
    public static IMethodSymbol? Resolve(IMethodSymbol method, AttributeData attribute, out string expected)
    {
        string? name = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        bool[] differentiated = DifferentiatedParameters(method);
        string returnType = method.ReturnType.ToDisplayString();
        var parameters = method.Parameters.Select(p => p.Type.ToDisplayString() + " " + p.Name)
            .Concat(method.Parameters.Where((p, i) => differentiated[i]).Select(p => ReadOnlyElement(p.Type) is { } element
                ? "System.Span<" + element.ToDisplayString() + "> " + NameAllocator.AdjointStem(p.Name)
                : "out " + p.Type.ToDisplayString() + " " + NameAllocator.AdjointStem(p.Name)));
        expected = "static " + returnType + " " + (string.IsNullOrEmpty(name) ? method.Name + "Gradient" : name) + "(" + string.Join(", ", parameters) + ")";
        if (string.IsNullOrEmpty(name) || !method.IsStatic || !TypeMapper.Map(method.ReturnType).IsFloating)
        {
            return null;
        }
        foreach (IMethodSymbol candidate in method.ContainingType.GetMembers(name!).OfType<IMethodSymbol>())
        {
            if (Matches(method, candidate, differentiated))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>The float or double element of a <c>ReadOnlySpan&lt;T&gt;</c> or <c>T[]</c>; null for any other type.</summary>
    private static ITypeSymbol? ReadOnlyElement(ITypeSymbol type)
    {
        ITypeSymbol? element = type switch
        {
            IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
            INamedTypeSymbol named when TypeMapper.IsReadOnlySpan(named) => named.TypeArguments[0],
            _ => null,
        };
        return element is not null && TypeMapper.Map(element).IsFloating ? element : null;
    }

    private static bool IsSpanOf(ITypeSymbol type, ITypeSymbol element) =>
        type is INamedTypeSymbol { Name: "Span", Arity: 1, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } span
        && SymbolEqualityComparer.Default.Equals(span.TypeArguments[0], element);

    private static bool Matches(IMethodSymbol method, IMethodSymbol gradient, bool[] differentiated)
    {
        if (!gradient.IsStatic || gradient.IsGenericMethod || !SymbolEqualityComparer.Default.Equals(gradient.ReturnType, method.ReturnType))
        {
            return false;
        }
        var outs = new List<IParameterSymbol>();
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            if (differentiated[i])
            {
                outs.Add(method.Parameters[i]);
            }
        }
        if (gradient.Parameters.Length != method.Parameters.Length + outs.Count)
        {
            return false;
        }
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            IParameterSymbol p = gradient.Parameters[i];
            if (p.RefKind != method.Parameters[i].RefKind || !SymbolEqualityComparer.Default.Equals(p.Type, method.Parameters[i].Type))
            {
                return false;
            }
        }
        for (int k = 0; k < outs.Count; k++)
        {
            IParameterSymbol p = gradient.Parameters[method.Parameters.Length + k];
            bool matches = ReadOnlyElement(outs[k].Type) is { } element
                ? p.RefKind == RefKind.None && IsSpanOf(p.Type, element)
                : p.RefKind == RefKind.Out && SymbolEqualityComparer.Default.Equals(p.Type, outs[k].Type);
            if (!matches)
            {
                return false;
            }
        }
        return true;
    }
}
