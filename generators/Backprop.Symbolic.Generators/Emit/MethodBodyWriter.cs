using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// Writes IR statements as C#: declarations on first assignment, <c>if</c>/<c>else if</c> chains, and the
/// variables a branch defines but others read, declared before the branch. Shared by both modes.
/// </summary>
internal static class MethodBodyWriter
{
    /// <summary>What the writer needs besides the statements: declared names, what the backward sweep reads, the value variable.</summary>
    internal sealed record Context(Scope Scope, HashSet<string> BackwardReads, Variable Value)
    {
        /// <summary>The local holding the per-thread tape, when the method uses one.</summary>
        public string Tape { get; init; } = "tape";

        /// <summary>The local holding the tape's recorder, when the method records values; null otherwise.</summary>
        public string? Recorder { get; init; }
    }

    /// <summary>Writes statements; <paramref name="isForward"/> turns on the declarations hoisted before each <c>if</c>.</summary>
    public static void WriteBlock(SourceWriter writer, IEnumerable<Statement> body, Context context, bool isForward)
    {
        string? comment = null;
        foreach (Statement s in body)
        {
            switch (s)
            {
                case CommentStatement c when c.Text == comment:
                    break; // the block goes on reversing the same source statement
                case CommentStatement c:
                    writer.Line("// " + c.Text);
                    comment = c.Text;
                    break;
                case Assignment a when context.Scope.IsDeclared(a.Target.Name) && Compound(a) is { } compound:
                    writer.Line(compound + ";");
                    break;
                case Assignment a:
                    WriteAssignment(writer, a.Target, Print(a.Value), context.Scope);
                    break;
                case Accumulation { Value: Unary { Operator: UnaryOperator.Negate } negated } a:
                    writer.Line(Identifier(a.Target.Name) + " -= " + Print(negated.Operand) + ";");
                    break;
                case Accumulation a:
                    writer.Line(Identifier(a.Target.Name) + " += " + Print(a.Value) + ";");
                    break;
                case ReturnStatement r:
                    WriteAssignment(writer, context.Value with { Type = r.Value.Type }, Print(r.Value), context.Scope);
                    break;
                case ExpressionStatement x:
                    writer.Line(Print(x.Value) + ";");
                    break;
                case DifferentiableCall call:
                {
                    var arguments = call.Arguments.Select(Print).ToList();
                    for (int i = 0; i < call.Partials.Count; i++)
                    {
                        if (call.Partials[i].Variable is { Type.IsTensor: true } tensor)
                        {
                            // A tensor argument's partials: a zeroed tensor of its shape from the workspace.
                            WriteAssignment(writer, tensor, context.Tape + ".RentTensor(" + Print(call.Arguments[i]) + ".Shape)", context.Scope);
                            arguments.Add(Identifier(tensor.Name));
                            continue;
                        }
                        if (call.Partials[i].Variable is { Type.Kind: ScalarKind.Sequence } elements)
                        {
                            // The callee's partials for a span argument fill scratch of the argument's length.
                            WriteAssignment(writer, elements, Rent(context, elements.Type, Print(call.Arguments[i]) + ".Length"), context.Scope);
                            arguments.Add(Identifier(elements.Name));
                            continue;
                        }
                        if (call.Partials[i].Variable is { } partial)
                        {
                            arguments.Add(context.Scope.IsDeclared(partial.Name)
                                ? "out " + Identifier(partial.Name)
                                : "out " + partial.Type.Name + " " + Identifier(partial.Name));
                            context.Scope.Declare(partial.Name);
                        }
                    }
                    string invocation = call.GradientMethod + "(" + string.Join(", ", arguments) + ")";
                    if (context.Recorder is { } recorder)
                    {
                        // The callee may use the tape: it must see the recorded values, and may grow the stacks.
                        writer.Line(recorder + ".Commit();");
                        WriteAssignment(writer, call.Target, invocation, context.Scope);
                        writer.Line(recorder + ".Refresh();");
                    }
                    else
                    {
                        WriteAssignment(writer, call.Target, invocation, context.Scope);
                    }
                    break;
                }
                case IfStatement f:
                    if (isForward)
                    {
                        Hoist(writer, f, context);
                    }
                    WriteIf(writer, f, context, isForward);
                    break;
                case LoopStatement l:
                    WriteLoop(writer, l, context, isForward);
                    break;
                case BreakStatement:
                    writer.Line("break;");
                    break;
                case ReverseLoop r:
                    // The index may be a variable the method declared before (one the forward sweep counted with).
                    writer.Open("for (" + (context.Scope.IsDeclared(r.Index) ? "" : "int ") + Identifier(r.Index) + " = " + Identifier(r.Count) + " - 1; "
                        + Identifier(r.Index) + " >= 0; " + Identifier(r.Index) + "--)");
                    context.Scope.Push();
                    context.Scope.Declare(r.Index);
                    WriteBlock(writer, r.Body, context, isForward);
                    context.Scope.Pop();
                    writer.Close();
                    break;
                case TapeReserve reserve:
                    writer.Line(context.Recorder + ".Reserve(" + Print(reserve.Count) + ");");
                    break;
                case TapePush { Reserved: true } push:
                    writer.Line(context.Recorder + ".PushReserved(" + Print(push.Value) + ");");
                    break;
                case TapePush push:
                    writer.Line(context.Recorder + ".Push(" + (push.Value.Type.Kind == ScalarKind.Integer && push.Value.Type.Name is not ("int" or "long") ? "(long)" : "") + Print(push.Value) + ");");
                    break;
                case TapePop pop:
                    WriteAssignment(writer, pop.Target, Pop(pop.Target.Type, context.Recorder!), context.Scope);
                    break;
                case ElementAccumulation { Value: Unary { Operator: UnaryOperator.Negate } negated } a:
                    writer.Line(Identifier(a.Sequence.Name) + "[" + Print(a.Index) + "] -= " + Print(negated.Operand) + ";");
                    break;
                case ElementAccumulation a:
                    writer.Line(Identifier(a.Sequence.Name) + "[" + Print(a.Index) + "] += " + Print(a.Value) + ";");
                    break;
                case ElementWrite w:
                    writer.Line(Identifier(w.Sequence.Name) + "[" + Print(w.Index) + "] = " + Print(w.Value) + ";");
                    break;
                case SpanAccumulation a:
                    writer.Line("global::Backprop.Symbolic.Kernels.SpanKernels.AddScaled(" + Elements(a.Target) + ", " + Print(a.Scale) + ", " + Elements(a.Values) + ");");
                    break;
                case ArrayAllocation a:
                {
                    WriteAssignment(writer, a.Target, Rent(context, a.Target.Type, Print(a.Length)), context.Scope);
                    for (int i = 0; i < a.Elements.Count; i++)
                    {
                        writer.Line(Identifier(a.Target.Name) + "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "] = " + Print(a.Elements[i]) + ";");
                    }
                    break;
                }
            }
        }
    }

    private static void WriteLoop(SourceWriter writer, LoopStatement l, Context context, bool isForward)
    {
        bool counted = l.Counter is not null && context.BackwardReads.Contains(l.Counter);
        if (counted)
        {
            WriteAssignment(writer, new Variable(l.Counter!, TypeRef.Int32), "0", context.Scope);
        }
        if (l.Initializer.Count > 0)
        {
            // for (int i = 0; i < n; i++): the initializer's variable belongs to the loop.
            context.Scope.Push();
            IEnumerable<Statement> body = l.Body;
            if (ForEachElement(l) is { } element)
            {
                // foreach (double v in values): the index is named nowhere but in the head.
                writer.Open("foreach (" + element.Target.Type.Name + " " + Identifier(element.Target.Name) + " in "
                    + Identifier(((ElementRead)(element.Value is Conversion c ? c.Operand : element.Value)).Sequence.Name) + ")");
                context.Scope.Declare(element.Target.Name);
                body = l.Body.Skip(1);
            }
            else
            {
                string initializer = string.Join(", ", l.Initializer.Cast<Assignment>().Select(a => Declaration(a, context.Scope)));
                string step = string.Join(", ", l.Step.Cast<Assignment>().Select(a => Compound(a) ?? Identifier(a.Target.Name) + " = " + Print(a.Value)));
                writer.Open("for (" + initializer + "; " + Print(l.Condition) + "; " + step + ")");
            }
            if (counted)
            {
                writer.Line(Identifier(l.Counter!) + "++;");
            }
            context.Scope.Push();
            WriteBlock(writer, body, context, isForward);
            context.Scope.Pop();
            writer.Close();
            context.Scope.Pop();
            return;
        }
        bool simple = l.Header.Count == 0;
        writer.Open("while (" + (simple ? Print(l.Condition) : "true") + ")");
        context.Scope.Push();
        if (!simple)
        {
            WriteBlock(writer, l.Header, context, isForward);
            if (!(l.Condition is Constant { Value: not 0 }))
            {
                writer.Open("if (" + Print(new Unary(UnaryOperator.Not, l.Condition, TypeRef.Bool)) + ")");
                writer.Line("break;");
                writer.Close();
            }
        }
        if (counted)
        {
            writer.Line(Identifier(l.Counter!) + "++;");
        }
        WriteBlock(writer, l.Body, context, isForward);
        context.Scope.Pop();
        writer.Close();
    }

    /// <summary>
    /// For a source <c>foreach</c> written as <c>for (int _i = 0; _i &lt; values.Length; _i++) { double v = values[_i]; … }</c>
    /// whose body names <c>_i</c> nowhere else and never assigns <c>v</c> again: the element's definition, so the
    /// loop can be written <c>foreach (double v in values)</c>. Null otherwise.
    /// </summary>
    private static Assignment? ForEachElement(LoopStatement l)
    {
        if (l.StepOrigin != l.Origin || l.Initializer.Count != 1 || l.Step.Count != 1 || l.Body.Count == 0
            || l.Initializer[0] is not Assignment { Value: Constant { Value: 0 }, Target: var index }
            || l.Step[0] is not Assignment { Value: Binary { Operator: BinaryOperator.Add, Left: Variable stepped, Right: Constant { Value: 1 } } } step
            || step.Target.Name != index.Name || stepped.Name != index.Name
            || l.Condition is not Binary { Operator: BinaryOperator.LessThan, Left: Variable tested, Right: LengthRead length } || tested.Name != index.Name
            || l.Body[0] is not Assignment element
            || (element.Value is Conversion c ? c.Operand : element.Value) is not ElementRead { Index: Variable at } read
            || at.Name != index.Name || read.Sequence.Name != length.Sequence.Name || element.Target.Name == index.Name)
        {
            return null;
        }
        var rest = l.Body.Skip(1).ToList();
        var assigned = new HashSet<string>();
        VariableUses.Definitions(rest, assigned, includeAccumulations: true);
        return assigned.Contains(element.Target.Name) || assigned.Contains(read.Sequence.Name) || LocalRegions.Named(rest).Contains(index.Name) ? null : element;
    }

    /// <summary><c>T v = e</c>, or <c>v = e</c> when <c>v</c> is declared already; declares it.</summary>
    private static string Declaration(Assignment a, Scope scope)
    {
        string text = (scope.IsDeclared(a.Target.Name) ? "" : a.Target.Type.Name + " ") + Identifier(a.Target.Name) + " = " + Print(a.Value);
        scope.Declare(a.Target.Name);
        return text;
    }

    /// <summary>
    /// <c>v = v + e</c> written as C# writes it by hand: <c>v += e</c> (also <c>-=</c>, <c>*=</c>, <c>/=</c>), and
    /// <c>v++</c> or <c>v--</c> for an integer stepped by one, and <c>v = e * v</c> as <c>v *= e</c>; null for any other
    /// assignment. The value is the same: <c>v op= e</c> is <c>v = v op (e)</c>.
    /// </summary>
    private static string? Compound(Assignment a)
    {
        if (a.Value is Binary { Operator: BinaryOperator.Add or BinaryOperator.Multiply, Right: Variable right } swapped && right.Name == a.Target.Name
            && !(swapped.Left is Variable { } left0 && left0.Name == a.Target.Name))
        {
            // v = e * v is v *= e: + and * commute exactly, in floating point too.
            a = a with { Value = swapped with { Left = swapped.Right, Right = swapped.Left } };
        }
        if (a.Value is not Binary { Left: Variable left } b || left.Name != a.Target.Name || !b.Type.Equals(a.Target.Type) || !b.Right.Type.Equals(a.Target.Type))
        {
            return null;
        }
        string target = Identifier(a.Target.Name);
        if (a.Target.Type.Kind == ScalarKind.Integer && b.Right is Constant { Value: 1 }
            && b.Operator is BinaryOperator.Add or BinaryOperator.Subtract)
        {
            return target + (b.Operator == BinaryOperator.Add ? "++" : "--");
        }
        string? symbol = b.Operator switch
        {
            BinaryOperator.Add => "+=",
            BinaryOperator.Subtract => "-=",
            BinaryOperator.Multiply => "*=",
            BinaryOperator.Divide => "/=",
            _ => null,
        };
        return symbol is null ? null : target + " " + symbol + " " + Print(b.Right);
    }

    /// <summary>Zeroed scratch of <paramref name="length"/> elements from the tape, for a span of <paramref name="type"/>.</summary>
    private static string Rent(Context context, TypeRef type, string length) =>
        context.Tape + (type.Element!.Kind == ScalarKind.Single ? ".RentSingles(" : ".RentDoubles(") + length + ")";

    private static string Pop(TypeRef type, string tape) => type.Kind switch
    {
        ScalarKind.Sequence => tape + (type.Element!.Kind == ScalarKind.Single ? ".PopSingles()" : ".PopDoubles()"),
        ScalarKind.Double => tape + ".PopDouble()",
        ScalarKind.Single => "(float)" + tape + ".PopDouble()",
        ScalarKind.Bool => tape + ".PopBoolean()",
        ScalarKind.Integer when type.Name == "int" => tape + ".PopInt32()",
        ScalarKind.Integer when type.Name == "long" => tape + ".PopInt64()",
        _ => "(" + type.Name + ")" + tape + ".PopInt64()",
    };

    private static void WriteIf(SourceWriter writer, IfStatement f, Context context, bool isForward, string prefix = "")
    {
        if (f.Then.Count == 0 && f.Else.Count > 0)
        {
            // Nothing to do when the condition holds: test its negation instead of writing an empty block.
            f = f with { Condition = new Unary(UnaryOperator.Not, f.Condition, TypeRef.Bool), Then = f.Else, Else = EquatableArray<Statement>.Empty };
        }
        writer.Open(prefix + "if (" + Print(f.Condition) + ")");
        context.Scope.Push();
        WriteBlock(writer, f.Then, context, isForward);
        context.Scope.Pop();
        writer.Close();
        if (f.Else.Count == 0)
        {
            return;
        }
        if (f.Else.Count == 1 && f.Else[0] is IfStatement elseIf)
        {
            // The outer if already declared what the chain's branches share, so the chain stays flat.
            WriteIf(writer, elseIf, context, isForward, "else ");
            return;
        }
        writer.Open("else");
        context.Scope.Push();
        WriteBlock(writer, f.Else, context, isForward);
        context.Scope.Pop();
        writer.Close();
    }

    /// <summary>
    /// Declares, before an <c>if</c>, the variables its branches define that are read outside them: by the
    /// backward sweep, or after the join (variables assigned in both branches, and the returned value).
    /// With <paramref name="valueOnly"/>, only the returned value: for an <c>if</c> whose branches also hold
    /// their own backward sweeps, nothing else is read outside.
    /// </summary>
    public static void Hoist(SourceWriter writer, IfStatement f, Context context, bool valueOnly = false)
    {
        var blocks = new Dictionary<string, int>();
        var types = new Dictionary<string, TypeRef>();
        var order = new List<string>();
        CountDefinitions(f, blocks, types, order, context.Value);
        foreach (string name in order)
        {
            if (context.Scope.IsDeclared(name))
            {
                continue;
            }
            if (name == context.Value.Name || (!valueOnly && (blocks[name] > 1 || context.BackwardReads.Contains(name))))
            {
                writer.Line(types[name].Name + " " + Identifier(name) + " = " + Default(types[name]) + ";");
                context.Scope.Declare(name);
            }
        }
    }

    private static void CountDefinitions(IfStatement f, Dictionary<string, int> blocks, Dictionary<string, TypeRef> types, List<string> order, Variable value)
    {
        foreach (EquatableArray<Statement> block in new[] { f.Then, f.Else })
        {
            var seen = new HashSet<string>();
            foreach (Statement s in block)
            {
                Variable? target = s switch
                {
                    Assignment a => a.Target,
                    DifferentiableCall c => c.Target,
                    ArrayAllocation a => a.Target,
                    ReturnStatement r => value with { Type = r.Value.Type },
                    _ => null,
                };
                if (s is DifferentiableCall call)
                {
                    foreach (PartialSlot slot in call.Partials)
                    {
                        if (slot.Variable is { } partial && seen.Add(partial.Name))
                        {
                            Count(partial);
                        }
                    }
                }
                if (target is not null && seen.Add(target.Name))
                {
                    Count(target);
                }
                if (s is IfStatement inner)
                {
                    CountDefinitions(inner, blocks, types, order, value);
                }
                if (s is LoopStatement { Counter: { } counter } && seen.Add(counter))
                {
                    // The backward sweep's loop reads the count after the branch.
                    Count(new Variable(counter, TypeRef.Int32));
                }
            }
        }

        void Count(Variable v)
        {
            if (!blocks.ContainsKey(v.Name))
            {
                order.Add(v.Name);
                blocks[v.Name] = 0;
                types[v.Name] = v.Type;
            }
            blocks[v.Name]++;
        }
    }

    private static string Default(TypeRef type) => type.Kind switch
    {
        ScalarKind.Double => "0.0",
        ScalarKind.Single => "0f",
        ScalarKind.Bool => "false",
        ScalarKind.Integer => "0",
        _ => "default",
    };

    public static void WriteAssignment(SourceWriter writer, Variable target, string value, Scope scope)
    {
        if (scope.IsDeclared(target.Name))
        {
            writer.Line(Identifier(target.Name) + " = " + value + ";");
        }
        else
        {
            writer.Line(target.Type.Name + " " + Identifier(target.Name) + " = " + value + ";");
            scope.Declare(target.Name);
        }
    }

    /// <summary>The names declared in the enclosing C# blocks.</summary>
    internal sealed class Scope
    {
        private readonly List<HashSet<string>> _levels = new() { new HashSet<string>() };

        public void Push() => _levels.Add(new HashSet<string>());

        public void Pop() => _levels.RemoveAt(_levels.Count - 1);

        public void Declare(string name) => _levels[_levels.Count - 1].Add(name);

        public bool IsDeclared(string name) => _levels.Any(l => l.Contains(name));
    }
}
