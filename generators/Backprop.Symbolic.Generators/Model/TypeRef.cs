namespace Backprop.Symbolic.Generators.Model;

// Model rule: nothing in this namespace may hold an ISymbol, IOperation, SyntaxNode, Location,
// SemanticModel or Compilation. Models are plain strings, numbers, enums and EquatableArrays so the
// incremental pipeline can compare them by value. A test enforces this.

/// <summary>What the differentiator needs to know of a C# type.</summary>
public enum ScalarKind
{
    /// <summary><see cref="double"/>: differentiable.</summary>
    Double,

    /// <summary><see cref="float"/>: differentiable.</summary>
    Single,

    /// <summary>Any integer type: always passive.</summary>
    Integer,

    /// <summary><see cref="bool"/>: always passive.</summary>
    Bool,

    /// <summary>Anything else (strings, enums, …): passive, only passed through.</summary>
    Other,

    /// <summary>
    /// A contiguous sequence of <see cref="TypeRef.Element"/>: <c>ReadOnlySpan&lt;T&gt;</c>, <c>Span&lt;T&gt;</c>
    /// or <c>T[]</c>. Differentiable when its elements are.
    /// </summary>
    Sequence,

    /// <summary>
    /// A <c>Backprop.Symbolic.Tensors.Tensor</c>: a float32 tensor view. Differentiable; the IR reaches its
    /// elements only through <see cref="TensorOperation"/>s.
    /// </summary>
    Tensor,
}

/// <summary>A C# type as the generated code spells it (keyword or <c>global::</c>-qualified name).</summary>
public sealed record TypeRef(string Name, ScalarKind Kind, TypeRef? Element = null)
{
    public static readonly TypeRef Double = new("double", ScalarKind.Double);
    public static readonly TypeRef Single = new("float", ScalarKind.Single);
    public static readonly TypeRef Bool = new("bool", ScalarKind.Bool);
    public static readonly TypeRef Int32 = new("int", ScalarKind.Integer);
    public static readonly TypeRef Tensor = new("global::Backprop.Symbolic.Tensors.Tensor", ScalarKind.Tensor);

    /// <summary>True for the types that carry derivatives.</summary>
    public bool IsFloating => Kind is ScalarKind.Double or ScalarKind.Single;

    /// <summary>True for a span or array of float or double: its elements carry derivatives.</summary>
    public bool IsFloatingSequence => Kind == ScalarKind.Sequence && Element is { IsFloating: true };

    /// <summary>True when values of this type carry derivatives, themselves or through their elements.</summary>
    public bool IsDifferentiable => IsFloating || IsFloatingSequence || IsTensor;

    /// <summary>True for <c>Backprop.Symbolic.Tensors.Tensor</c>.</summary>
    public bool IsTensor => Kind == ScalarKind.Tensor;

    /// <summary>A writable span of <paramref name="element"/>: the type of adjoints and of local arrays in generated code.</summary>
    public static TypeRef SpanOf(TypeRef element) => new("global::System.Span<" + element.Name + ">", ScalarKind.Sequence, element);

    /// <summary>A read-only span of <paramref name="element"/>: the type of tangents in forward mode.</summary>
    public static TypeRef ReadOnlySpanOf(TypeRef element) => new("global::System.ReadOnlySpan<" + element.Name + ">", ScalarKind.Sequence, element);

    public override string ToString() => Name;
}
