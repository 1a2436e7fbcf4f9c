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
}

/// <summary>A C# type as the generated code spells it (keyword or <c>global::</c>-qualified name).</summary>
public sealed record TypeRef(string Name, ScalarKind Kind)
{
    public static readonly TypeRef Double = new("double", ScalarKind.Double);
    public static readonly TypeRef Single = new("float", ScalarKind.Single);
    public static readonly TypeRef Bool = new("bool", ScalarKind.Bool);
    public static readonly TypeRef Int32 = new("int", ScalarKind.Integer);

    /// <summary>True for the types that carry derivatives.</summary>
    public bool IsFloating => Kind is ScalarKind.Double or ScalarKind.Single;

    public override string ToString() => Name;
}
