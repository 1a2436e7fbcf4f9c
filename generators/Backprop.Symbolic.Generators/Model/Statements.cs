namespace Backprop.Symbolic.Generators.Model;

/// <summary>
/// A statement of the IR. <see cref="Origin"/> indexes <see cref="MethodModel.Origins"/>: the user's
/// source statement this one was lowered from (-1 for none), so the backward sweep can name it.
/// </summary>
public abstract record Statement(int Origin);

/// <summary>Defines <see cref="Target"/> (declares it on first assignment).</summary>
public sealed record Assignment(Variable Target, Expr Value, int Origin) : Statement(Origin);

/// <summary><c>Target += Value</c>; used for adjoints in the backward sweep.</summary>
public sealed record Accumulation(Variable Target, Expr Value, int Origin) : Statement(Origin);

/// <summary>
/// A call to another [Differentiable] method whose result depends on the differentiated parameters.
/// The forward sweep calls its generated gradient, which returns the value and writes the local partials
/// (<see cref="Partials"/>, one per argument, <c>null</c> where the callee does not differentiate that parameter).
/// </summary>
public sealed record DifferentiableCall(
    Variable Target,
    string GradientMethod,
    EquatableArray<Expr> Arguments,
    EquatableArray<PartialSlot> Partials,
    int Origin) : Statement(Origin);

/// <summary>An <c>out</c> slot of a callee's gradient, or <see cref="Variable"/> null where the callee takes no adjoint.</summary>
public sealed record PartialSlot(Variable? Variable);

/// <summary>A structured two-way branch; the condition is passive.</summary>
public sealed record IfStatement(Expr Condition, EquatableArray<Statement> Then, EquatableArray<Statement> Else, int Origin) : Statement(Origin);

/// <summary>
/// Returns <see cref="Value"/>. After lowering every return is in tail position: statements that follow
/// a branch that may return are moved into the branches.
/// </summary>
public sealed record ReturnStatement(Expr Value, int Origin) : Statement(Origin);

/// <summary>A passive expression evaluated for its effect (a call returning void).</summary>
public sealed record ExpressionStatement(Expr Value, int Origin) : Statement(Origin);

/// <summary>A comment line in the generated code.</summary>
public sealed record CommentStatement(string Text) : Statement(-1);
