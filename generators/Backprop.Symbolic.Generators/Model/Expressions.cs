namespace Backprop.Symbolic.Generators.Model;

// The expression IR. Variables are in static single assignment form: every assignment in the user's
// method defines a fresh variable, so a value, once computed, is never overwritten and the backward
// sweep can read it without a tape — except the variables a loop carries (assigned before the loop and
// at the end of each iteration), the variables joined after an if (one assignment per branch), and the
// elements of local arrays. The reverse mode restores those inside loops (see Differentiation/TapePlan).

/// <summary>An expression of the IR. Records compare structurally, which common-subexpression elimination relies on.</summary>
public abstract record Expr(TypeRef Type);

/// <summary>A numeric or Boolean constant (Booleans as 0 and 1).</summary>
public sealed record Constant(double Value, TypeRef Type) : Expr(Type);

/// <summary>A passive literal spelled as C# (strings, characters, <c>null</c>, integers too large for a double).</summary>
public sealed record Literal(string Code, TypeRef Type) : Expr(Type);

/// <summary>An SSA variable: a parameter's entry value, one version of a local, or a generated temporary.</summary>
public sealed record Variable(string Name, TypeRef Type) : Expr(Type);

/// <summary>A read of a static field or property, spelled fully qualified; passive.</summary>
public sealed record MemberRead(string Code, TypeRef Type) : Expr(Type);

/// <summary>Unary operators.</summary>
public enum UnaryOperator
{
    Negate,
    Not,
    BitwiseNot,
}

/// <summary>A unary operation.</summary>
public sealed record Unary(UnaryOperator Operator, Expr Operand, TypeRef Type) : Expr(Type);

/// <summary>Binary operators; the comparison and logical ones yield <c>bool</c>.</summary>
public enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Equals,
    NotEquals,
    ConditionalAnd,
    ConditionalOr,
    And,
    Or,
    ExclusiveOr,
    LeftShift,
    RightShift,
}

/// <summary>A binary operation.</summary>
public sealed record Binary(BinaryOperator Operator, Expr Left, Expr Right, TypeRef Type) : Expr(Type);

/// <summary>A numeric conversion (cast) to <see cref="Expr.Type"/>.</summary>
public sealed record Conversion(Expr Operand, TypeRef Type) : Expr(Type);

/// <summary>
/// A call to a function with a derivative rule (the <c>Math</c>/<c>MathF</c> functions). The emitter
/// picks <c>Math</c> or <c>MathF</c> from the type.
/// </summary>
public sealed record MathCall(string Function, EquatableArray<Expr> Arguments, TypeRef Type) : Expr(Type);

/// <summary>A call whose result does not depend on the differentiated parameters.</summary>
public sealed record PassiveCall(string Method, EquatableArray<Expr> Arguments, TypeRef Type) : Expr(Type);

/// <summary><c>Condition ? WhenTrue : WhenFalse</c>; produced by derivative rules (never by lowering, which turns conditionals into branches).</summary>
public sealed record Select(Expr Condition, Expr WhenTrue, Expr WhenFalse, TypeRef Type) : Expr(Type);

/// <summary><c>Sequence[Index]</c>: an element of a span, an array or a local array.</summary>
public sealed record ElementRead(Variable Sequence, Expr Index, TypeRef Type) : Expr(Type);

/// <summary><c>Sequence.Length</c>; passive.</summary>
public sealed record LengthRead(Variable Sequence) : Expr(TypeRef.Int32);

/// <summary><c>Σ_j Left[j] · Right[j]</c>: a span argument's share of a call's tangent in forward mode.</summary>
public sealed record SpanDot(Variable Left, Variable Right, TypeRef Type) : Expr(Type);

/// <summary>
/// The indices of one element of a tensor of rank 2 to 4 (<c>i, j</c>): the index of an <see cref="ElementRead"/> or
/// <see cref="ElementAccumulation"/> on a <c>Tensor</c>, written <c>x[i, j]</c> with the tensor's own indexer (which checks
/// the rank and each index). A rank-1 tensor's element has a plain index.
/// </summary>
public sealed record TensorIndex(EquatableArray<Expr> Indices) : Expr(TypeRef.Int32);

/// <summary><c>Tensor.Shape[Axis]</c>, or <c>Tensor.Rank</c> when <see cref="Axis"/> is null; passive.</summary>
public sealed record TensorShapeRead(Variable Tensor, Expr? Axis) : Expr(TypeRef.Int32);
