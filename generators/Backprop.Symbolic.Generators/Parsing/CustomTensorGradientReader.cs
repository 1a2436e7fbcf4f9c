using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Symbolic.Generators.Parsing;

/// <summary>
/// Reads <c>[CustomGradient]</c> on a method with tensors, whose hand-written derivatives have the shapes of the
/// generator's own tensor methods, so a custom operation and a generated one are interchangeable for callers:
/// <list type="bullet">
/// <item>a loss (returns <c>float</c>): <c>static float G(&lt;parameters&gt;, Tensor dX…, out float dS…)</c>, the shape of a
/// generated tensor loss's <c>{Name}Gradient</c>: one partial per tensor (fully overwritten) and per float parameter;</item>
/// <item>a layer (returns <c>Tensor</c>): <c>static void P(&lt;parameters&gt;, Tensor dResult, Tensor dX…, ref float dS…)</c>,
/// a generated layer's <c>{Name}Pullback</c> (accumulates; a <c>default</c> adjoint is not needed); optionally
/// <c>Tangent</c>, a <c>{Name}Derivative</c> (<c>static Tensor T(&lt;parameters&gt;, Tensor dX…, float dS…, out Tensor
/// derivative)</c>), and <c>Value</c>, a <c>{Name}Value</c> (<c>static Tensor V(&lt;parameters&gt;)</c>) computing into the
/// workspace.</item>
/// </list>
/// Tensor and float parameters are differentiated; every other parameter (integers, labels) is passed through.
/// </summary>
internal static class CustomTensorGradientReader
{
    /// <summary>The attribute's property naming a layer's Jacobian-vector product.</summary>
    public const string TangentProperty = "Tangent";

    /// <summary>The attribute's property naming a layer's value computed into the workspace.</summary>
    public const string ValueProperty = "Value";

    /// <summary>The name of the result's adjoint in a pullback, as generated pullbacks call it.</summary>
    private const string ResultAdjoint = "dResult";

    /// <summary>True for a method with a <c>Tensor</c> parameter or result: its custom gradient takes the tensor shapes.</summary>
    public static bool IsTensorMethod(IMethodSymbol method) =>
        TypeMapper.IsTensor(method.ReturnType) || method.Parameters.Any(p => TypeMapper.IsTensor(p.Type));

    /// <summary>For each parameter, whether the hand-written derivatives have a partial for it: by-value tensors and floats.</summary>
    public static bool[] DifferentiatedParameters(IMethodSymbol method) =>
        method.Parameters.Select(Differentiated).ToArray();

    private static bool Differentiated(IParameterSymbol p) =>
        p.RefKind == RefKind.None && (TypeMapper.IsTensor(p.Type) || p.Type.SpecialType == SpecialType.System_Single);

    /// <summary>The name a property of the attribute gives, or null when it is not set.</summary>
    public static string? Property(AttributeData attribute, string property) =>
        attribute.NamedArguments.FirstOrDefault(a => a.Key == property).Value.Value as string;

    /// <summary>
    /// The hand-written methods of a tensor method, when every one it names has the expected signature; else null, and
    /// <paramref name="problems"/> (when given) receives a diagnostic for each wrong one, without a location.
    /// </summary>
    public static CustomTensorMethods? Resolve(IMethodSymbol method, AttributeData attribute, List<CustomGradientProblem>? problems)
    {
        string display = method.ContainingType.Name + "." + method.Name;
        string? name = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        string? tangent = Property(attribute, TangentProperty);
        string? value = Property(attribute, ValueProperty);
        bool layer = TypeMapper.IsTensor(method.ReturnType);
        bool ok = true;
        if (!layer && method.ReturnType.SpecialType != SpecialType.System_Single)
        {
            problems?.Add(new(DiagnosticDescriptors.CustomTensorGradientDeclaration, null, display,
                "a method with tensors returns float (a loss) or Tensor (a layer), not '" + Show(method.ReturnType) + "'; return one of them"));
            return null;
        }
        if (!method.IsStatic)
        {
            problems?.Add(new(DiagnosticDescriptors.CustomTensorGradientDeclaration, null, display, "the method must be static; pass any state it reads as parameters"));
            return null;
        }
        if (!layer && (tangent is not null || value is not null))
        {
            problems?.Add(PropertiesOnALoss(display, tangent is not null ? TangentProperty : ValueProperty));
            ok = false;
        }

        string gradientName = string.IsNullOrEmpty(name) ? method.Name + (layer ? "Pullback" : "Gradient") : name!;
        string expected = layer ? PullbackSignature(method, gradientName) : GradientSignature(method, gradientName);
        IMethodSymbol? gradient = string.IsNullOrEmpty(name) ? null : Find(method, gradientName, c => layer ? IsPullback(method, c) : IsGradient(method, c));
        if (gradient is null)
        {
            problems?.Add(new(DiagnosticDescriptors.CustomGradientMismatch, null, display, expected));
            ok = false;
        }
        if (layer && tangent is not null && Find(method, tangent, c => IsTangent(method, c)) is null)
        {
            problems?.Add(new(DiagnosticDescriptors.CustomTensorGradientDeclaration, TangentProperty, display,
                "the tangent '" + tangent + "' it names must be declared in the same type as: " + TangentSignature(method, tangent)));
            ok = false;
        }
        if (layer && value is not null && Find(method, value, c => IsValue(method, c)) is null)
        {
            problems?.Add(new(DiagnosticDescriptors.CustomTensorGradientDeclaration, ValueProperty, display,
                "the value '" + value + "' it names must be declared in the same type as: " + ValueSignature(method, value)));
            ok = false;
        }
        if (!ok)
        {
            return null;
        }
        string type = Lowerer.TypeName(method.ContainingType) + ".";
        return new CustomTensorMethods(type + gradientName, layer ? type + (value ?? method.Name) : null, layer && tangent is not null ? type + tangent : null);
    }

    /// <summary>
    /// BPS0026 for <c>Tangent</c> or <c>Value</c> (<paramref name="property"/>) on a method that returns a float, whose
    /// partials already give its forward mode.
    /// </summary>
    public static CustomGradientProblem PropertiesOnALoss(string display, string property) =>
        new(DiagnosticDescriptors.CustomTensorGradientDeclaration, property, display,
            "'" + TangentProperty + "' and '" + ValueProperty + "' apply only to a method that returns a Tensor, since the partials of a float give its forward mode; remove '" + property + "'");

    /// <summary>
    /// The checks of one <c>[CustomGradient]</c> declaration on a method with tensors, or of the properties of one on a
    /// method without: each problem at the attribute, or at the property it concerns.
    /// </summary>
    public static EquatableArray<DiagnosticInfo> Check(IMethodSymbol method, AttributeData attribute, SyntaxNode where)
    {
        var problems = new List<CustomGradientProblem>();
        if (IsTensorMethod(method))
        {
            Resolve(method, attribute, problems);
        }
        else if (Property(attribute, TangentProperty) is not null || Property(attribute, ValueProperty) is not null)
        {
            problems.Add(PropertiesOnALoss(method.ContainingType.Name + "." + method.Name,
                Property(attribute, TangentProperty) is not null ? TangentProperty : ValueProperty));
        }
        return problems.Select(p => DiagnosticFactory.Create(p.Descriptor, At(where, p.Property), p.Arguments)).ToEquatableArray();
    }

    /// <summary>The argument <c>Property = …</c> of the attribute, or the whole attribute.</summary>
    private static SyntaxNode At(SyntaxNode attribute, string? property) =>
        property is not null && attribute is AttributeSyntax { ArgumentList: { } list }
        && list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == property) is { } argument
            ? argument
            : attribute;

    /// <summary>What the tangent <paramref name="name"/> of a layer must look like (for BPS0027's message too).</summary>
    public static string TangentSignature(IMethodSymbol method, string name) =>
        "static Tensor " + name + "(" + string.Join(", ", Parameters(method)
            .Concat(Partials(method, p => Show(p.Type) + " " + NameAllocator.AdjointStem(p.Name)))
            .Concat(new[] { "out Tensor derivative" })) + ")";

    private static string GradientSignature(IMethodSymbol method, string name) =>
        "static float " + name + "(" + string.Join(", ", Parameters(method)
            .Concat(Partials(method, p => (TypeMapper.IsTensor(p.Type) ? "" : "out ") + Show(p.Type) + " " + NameAllocator.AdjointStem(p.Name)))) + ")";

    private static string PullbackSignature(IMethodSymbol method, string name) =>
        "static void " + name + "(" + string.Join(", ", Parameters(method)
            .Concat(new[] { "Tensor " + ResultAdjoint })
            .Concat(Partials(method, p => (TypeMapper.IsTensor(p.Type) ? "" : "ref ") + Show(p.Type) + " " + NameAllocator.AdjointStem(p.Name)))) + ")";

    private static string ValueSignature(IMethodSymbol method, string name) =>
        "static Tensor " + name + "(" + string.Join(", ", Parameters(method)) + ")";

    private static IEnumerable<string> Parameters(IMethodSymbol method) => method.Parameters.Select(p => Show(p.Type) + " " + p.Name);

    private static IEnumerable<string> Partials(IMethodSymbol method, System.Func<IParameterSymbol, string> show) =>
        method.Parameters.Where(Differentiated).Select(show);

    private static string Show(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    private static IMethodSymbol? Find(IMethodSymbol method, string name, System.Func<IMethodSymbol, bool> matches) =>
        method.ContainingType.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault(c => c.IsStatic && !c.IsGenericMethod && matches(c));

    private static bool IsGradient(IMethodSymbol method, IMethodSymbol g) =>
        g.ReturnType.SpecialType == SpecialType.System_Single
        && Signature(method, g, method.Parameters.Where(Differentiated).Select(p => TypeMapper.IsTensor(p.Type) ? (p.Type, RefKind.None) : (p.Type, RefKind.Out)));

    private static bool IsPullback(IMethodSymbol method, IMethodSymbol g) =>
        g.ReturnsVoid
        && Signature(method, g, new[] { (method.ReturnType, RefKind.None) }
            .Concat(method.Parameters.Where(Differentiated).Select(p => TypeMapper.IsTensor(p.Type) ? (p.Type, RefKind.None) : (p.Type, RefKind.Ref))));

    private static bool IsTangent(IMethodSymbol method, IMethodSymbol g) =>
        TypeMapper.IsTensor(g.ReturnType)
        && Signature(method, g, method.Parameters.Where(Differentiated).Select(p => (p.Type, RefKind.None)).Concat(new[] { (method.ReturnType, RefKind.Out) }));

    private static bool IsValue(IMethodSymbol method, IMethodSymbol g) =>
        TypeMapper.IsTensor(g.ReturnType) && Signature(method, g, Enumerable.Empty<(ITypeSymbol, RefKind)>());

    /// <summary>True when <paramref name="g"/> takes the method's parameters, then exactly <paramref name="extra"/>.</summary>
    private static bool Signature(IMethodSymbol method, IMethodSymbol g, IEnumerable<(ITypeSymbol Type, RefKind RefKind)> extra)
    {
        var expected = method.Parameters.Select(p => (p.Type, p.RefKind)).Concat(extra).ToList();
        if (g.Parameters.Length != expected.Count)
        {
            return false;
        }
        for (int i = 0; i < expected.Count; i++)
        {
            if (g.Parameters[i].RefKind != expected[i].RefKind || !SymbolEqualityComparer.Default.Equals(g.Parameters[i].Type, expected[i].Type))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>A problem with a custom gradient's declaration: a diagnostic, the attribute property it concerns (null: the attribute), its arguments.</summary>
internal sealed class CustomGradientProblem
{
    public CustomGradientProblem(DiagnosticDescriptor descriptor, string? property, params string[] arguments) =>
        (Descriptor, Property, Arguments) = (descriptor, property, arguments);

    public DiagnosticDescriptor Descriptor { get; }

    public string? Property { get; }

    public string[] Arguments { get; }
}
