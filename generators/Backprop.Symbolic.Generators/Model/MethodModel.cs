namespace Backprop.Symbolic.Generators.Model;

/// <summary>A type that contains the [Differentiable] method, outermost first.</summary>
public sealed record ContainingType(string Keyword, string Name, string TypeParameters);

/// <summary>A parameter of the [Differentiable] method.</summary>
/// <param name="Name">The parameter's name, also its entry variable in the IR.</param>
/// <param name="TypeName">The type as the generated signature spells it.</param>
/// <param name="Type">The type as the IR sees it.</param>
/// <param name="AdjointName">The <c>out</c> adjoint's name, or null for a passive parameter.</param>
public sealed record ParameterModel(string Name, string TypeName, TypeRef Type, string? AdjointName);

/// <summary>Everything the emitter needs to write one gradient method: the lowered body and the signature.</summary>
public sealed record MethodModel(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Name,
    string GradientName,
    string DerivativeName,
    string Accessibility,
    TypeRef ReturnType,
    EquatableArray<ParameterModel> Parameters,
    EquatableArray<Statement> Body,
    EquatableArray<string> Origins,
    EquatableArray<string> ReservedNames,
    string HintName,
    string CrefSignature)
{
    /// <summary>True when <c>[Differentiable(Instrumented = true)]</c> asks for the overloads that report to an instrument sink.</summary>
    public bool Instrumented { get; init; }

    /// <summary>
    /// True when the method reads elements of its tensor parameters (<c>x[i, j]</c>) in scalar code: the scalar core
    /// differentiates it, each element read like a span element, and its adjoints and tangents are tensors.
    /// </summary>
    public bool TensorElements { get; init; }
}

/// <summary>A generated source file.</summary>
public sealed record GeneratedFile(string HintName, string Source);
