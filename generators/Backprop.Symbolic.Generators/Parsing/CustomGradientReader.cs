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

    /// <summary>For each parameter, whether the custom gradient has a partial for it: every by-value float and double parameter.</summary>
    public static bool[] DifferentiatedParameters(IMethodSymbol method) =>
        method.Parameters.Select(p => p.RefKind == RefKind.None && TypeMapper.Map(p.Type).IsFloating).ToArray();

    /// <summary>The gradient method the attribute names, when it has the expected signature; else null and the signature it should have.</summary>
    public static IMethodSymbol? Resolve(IMethodSymbol method, AttributeData attribute, out string expected)
    {
        string? name = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        bool[] differentiated = DifferentiatedParameters(method);
        string returnType = method.ReturnType.ToDisplayString();
        var parameters = method.Parameters.Select(p => p.Type.ToDisplayString() + " " + p.Name)
            .Concat(method.Parameters.Where((p, i) => differentiated[i]).Select(p => "out " + p.Type.ToDisplayString() + " " + NameAllocator.AdjointStem(p.Name)));
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
            if (p.RefKind != RefKind.Out || !SymbolEqualityComparer.Default.Equals(p.Type, outs[k].Type))
            {
                return false;
            }
        }
        return true;
    }
}
