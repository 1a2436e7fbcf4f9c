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

/// <summary>
/// <c>while (true) { Header; if (!Condition) break; Body }</c>, written <c>while (Condition) { Body }</c> when
/// the header is empty. Variables the loop carries from one iteration to the next (its headers) are assigned
/// before the loop, at the end of each path through the body, and, when the condition changes them
/// (<c>n-- &gt; 0</c>), in the header. Everything else the body defines is fresh in every iteration.
/// </summary>
public sealed record LoopStatement(EquatableArray<Statement> Header, Expr Condition, EquatableArray<Statement> Body, int Origin) : Statement(Origin)
{
    /// <summary>The variable counting the iterations, when the backward sweep needs the trip count.</summary>
    public string? Counter { get; init; }

    /// <summary>
    /// For a C# <c>for</c> loop with an increment, the origin of the increment's statements: at the end of
    /// each path through the body that goes round again. For a <c>foreach</c>, the loop's own origin, on the
    /// increment of its index. -1 for other loops.
    /// </summary>
    public int StepOrigin { get; init; } = -1;

    /// <summary>
    /// Set only as the code is written (after every analysis): the statement moved into a <c>for</c>'s
    /// initializer. The loop is then written <c>for (Initializer; Condition; Step) { Body }</c>.
    /// </summary>
    public EquatableArray<Statement> Initializer { get; init; } = EquatableArray<Statement>.Empty;

    /// <summary>Set only as the code is written: the increment moved out of the end of <see cref="Body"/>.</summary>
    public EquatableArray<Statement> Step { get; init; } = EquatableArray<Statement>.Empty;
}

/// <summary>Leaves the innermost loop.</summary>
public sealed record BreakStatement(int Origin) : Statement(Origin);

/// <summary><c>Sequence[Index] = Value</c> on a local array.</summary>
public sealed record ElementWrite(Variable Sequence, Expr Index, Expr Value, int Origin) : Statement(Origin);

/// <summary><c>Sequence[Index] += Value</c>: adjoints of span elements in the backward sweep.</summary>
public sealed record ElementAccumulation(Variable Sequence, Expr Index, Expr Value, int Origin) : Statement(Origin);

/// <summary>
/// A local array: <c>new T[Length]</c> or <c>stackalloc T[Length]</c> in the user's code, taken from the
/// per-thread tape's zeroed scratch in generated code. <see cref="Elements"/> holds an initializer's values.
/// </summary>
public sealed record ArrayAllocation(Variable Target, Expr Length, EquatableArray<Expr> Elements, int Origin) : Statement(Origin);

/// <summary>Pushes a forward value the backward sweep will need onto the per-thread tape.</summary>
public sealed record TapePush(Expr Value) : Statement(-1)
{
    /// <summary>Pushed into room a <see cref="TapeReserve"/> made before the loop: no capacity check, nothing that could grow the stack.</summary>
    public bool Reserved { get; init; }
}

/// <summary>
/// Makes room on the tape's value stack for <see cref="Count"/> pushes before a loop whose trip count is known, so the
/// loop's body calls nothing (a call would send the loop's floating-point values through memory on each iteration).
/// </summary>
public sealed record TapeReserve(Expr Count) : Statement(-1);

/// <summary>Pops the value pushed last into <see cref="Target"/> (declared on first assignment).</summary>
public sealed record TapePop(Variable Target) : Statement(-1);

/// <summary>
/// The backward sweep of a loop: runs <see cref="Body"/> once per forward iteration, last iteration first.
/// <see cref="Index"/> counts down from <c>Count - 1</c> to 0: the forward iteration being reversed.
/// </summary>
public sealed record ReverseLoop(string Count, string Index, EquatableArray<Statement> Body, int Origin) : Statement(Origin);

/// <summary><c>Target[j] += Scale * Values[j]</c> for every element: a span argument's adjoint from a callee's partials.</summary>
public sealed record SpanAccumulation(Variable Target, Expr Scale, Variable Values, int Origin) : Statement(Origin);
