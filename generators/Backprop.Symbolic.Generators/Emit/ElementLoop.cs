using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// One fused loop over the elements of a chain's result: flat (<c>for (_i …)</c>) when no two tensors meet, else
/// rows × columns, where each operand advances by its own step per row (a row's length, or 0 for a row vector
/// broadcast over the rows), decided at run time from the shapes.
/// </summary>
internal sealed class ElementLoop
{
    private static readonly TypeRef Int = TypeRef.Int32;
    private static readonly TypeRef Single = TypeRef.Single;

    private readonly TensorMethodWriter _owner;
    private readonly FusedStep _step;
    private readonly bool _broadcast;
    private readonly List<(string Tensor, string Span)> _spans = new();
    private readonly List<(string Tensor, string Step)> _steps = new();
    private int _locals;

    public ElementLoop(TensorMethodWriter owner, FusedStep step)
    {
        _owner = owner;
        _step = step;
        _broadcast = step.Root.PostOrder().Any(n => n.Operands.Count(o => o.IsTensorValued) == 2);
    }

    private string Root => Identifier(_step.Target.Name);

    /// <summary>
    /// The element of <paramref name="tensor"/> (a tensor, an adjoint or a tangent) at the loop's position; it is laid
    /// out like the result when <paramref name="isRoot"/>, else like <paramref name="shapeOf"/> (default: itself).
    /// </summary>
    public ElementRead ElementOf(string tensor, bool isRoot, string? shapeOf = null)
    {
        string span = _owner.SpanName(tensor);
        if (!_spans.Any(s => s.Span == span))
        {
            _spans.Add((tensor, span));
        }
        return new ElementRead(new Variable(span, TypeRef.SpanOf(Single)), Index(shapeOf ?? tensor, isRoot), Single);
    }

    private Expr Index(string tensor, bool isRoot)
    {
        if (!_broadcast)
        {
            return new Variable(_owner.LoopName("_i"), Int);
        }
        Expr row = new Variable(_owner.LoopName("_row"), Int);
        Expr column = new Variable(_owner.LoopName("_col"), Int);
        string step;
        if (isRoot)
        {
            step = _owner.LoopName("_cols");
        }
        else
        {
            step = _owner.StepName(tensor);
            if (!_steps.Any(s => s.Step == step))
            {
                _steps.Add((tensor, step));
            }
        }
        return new Binary(BinaryOperator.Add, new Binary(BinaryOperator.Multiply, row, new Variable(step, Int), Int), column, Int);
    }

    /// <summary>The element of <paramref name="node"/>'s result, inline; a computed operand its formula reads twice gets a local.</summary>
    public Expr ForwardValue(FusedNode node, List<ElementStatement> body, bool top, bool needsLocal = false)
    {
        bool twice = ElementwiseRules.ReadsOperandTwice(node.Function);
        var operands = node.Operands.Select(o => o switch
        {
            { Node: { } inner } => ForwardValue(inner, body, top: false, twice),
            { Tensor: { } t } => ElementOf(t.Name, isRoot: false),
            _ => o.Scalar!,
        }).ToList();
        Expr value = ElementwiseRules.Value(node.Function, operands);
        if (needsLocal && !top)
        {
            string local = NextLocal();
            body.Add(ElementStatement.Local(local, value));
            return new Variable(local, Single);
        }
        return value;
    }

    /// <summary>A fresh name for a local of the loop body.</summary>
    public string NextLocal() => _owner.Local(_locals++, "_v");

    /// <summary>The element of an operand, given the locals or reads that hold the inner nodes' elements.</summary>
    public Expr OperandValue(FusedOperand o, IReadOnlyDictionary<FusedNode, Expr> values) => o switch
    {
        { Node: { } node } => values[node],
        { Tensor: { } t } => ElementOf(t.Name, isRoot: false),
        _ => o.Scalar!,
    };

    /// <summary>
    /// Every inner node's element as a local definition (the caller writes those it reads) and the root's element read
    /// from <paramref name="rootValues"/> (the recorded output).
    /// </summary>
    public (Dictionary<FusedNode, Expr> Values, List<(string Name, Expr Value)> Definitions) NodeValues(Expr rootValue)
    {
        var values = new Dictionary<FusedNode, Expr>();
        var definitions = new List<(string Name, Expr Value)>();
        foreach (FusedNode node in _step.Root.PostOrder())
        {
            if (node == _step.Root)
            {
                values[node] = rootValue;
                continue;
            }
            var operands = node.Operands.Select(o => OperandValue(o, values)).ToList();
            string local = NextLocal();
            definitions.Add((local, ElementwiseRules.Value(node.Function, operands)));
            values[node] = new Variable(local, Single);
        }
        return (values, definitions);
    }

    /// <summary>
    /// Writes the loop block: the spans and the steps the body reads, and the loop around <paramref name="body"/>.
    /// When every statement is arithmetic on elements (+ − × ÷, max, min, a choice on <c>x &gt; y</c>), the loop takes <c>Vector&lt;float&gt;.Count</c>
    /// elements at a time, then the rest one by one.
    /// </summary>
    public void Write(IReadOnlyList<ElementStatement> body)
    {
        var locals = new HashSet<string>(body.Where(s => s.Name is not null).Select(s => s.Name!));
        List<string> scalar = body.Select(s => s.Scalar()).ToList();
        // Every statement must have a vector form for the loop to take vectors at a time.
        List<string>? vector = null;
        if (!body.Any(s => s.RawLine is not null))
        {
            List<string?> lines = body.Select(s => s.Vector(locals)).ToList();
            if (lines.All(line => line is not null))
            {
                vector = lines.Select(line => line!).ToList();
            }
        }

        SourceWriter w = _owner.Writer;
        w.Open();
        string text = string.Join("\n", scalar);
        bool Used(string name) => Regex.IsMatch(text, @"\b" + Regex.Escape(name) + @"\b");
        foreach ((string tensor, string span) in _spans.Where(s => Used(s.Span)))
        {
            w.Line(TensorGradientEmitter.SpanType + " " + span + " = " + Identifier(tensor) + ".Span;");
        }
        string count = "global::System.Numerics.Vector<float>.Count";
        if (_broadcast)
        {
            string rows = _owner.LoopName("_rows"), cols = _owner.LoopName("_cols"), row = _owner.LoopName("_row"), col = _owner.LoopName("_col");
            w.Line("int " + cols + " = " + Root + ".Shape.Last;");
            w.Line("int " + rows + " = " + cols + " == 0 ? 0 : " + Root + ".Length / " + cols + ";");
            foreach ((string tensor, string step) in _steps.Where(s => Used(s.Step)))
            {
                w.Line("int " + step + " = " + TensorGradientEmitter.Shapes + ".Step(" + Identifier(tensor) + ", " + Root + ");");
            }
            w.Open("for (int " + row + " = 0; " + row + " < " + rows + "; " + row + "++)");
            if (vector is null)
            {
                Loop(w, "for (int " + col + " = 0; " + col + " < " + cols + "; " + col + "++)", scalar);
            }
            else
            {
                w.Line("int " + col + " = 0;");
                Loop(w, "for (; " + col + " <= " + cols + " - " + count + "; " + col + " += " + count + ")", vector);
                Loop(w, "for (; " + col + " < " + cols + "; " + col + "++)", scalar);
            }
            w.Close();
        }
        else
        {
            string i = _owner.LoopName("_i");
            if (vector is null)
            {
                Loop(w, "for (int " + i + " = 0; " + i + " < " + Root + ".Length; " + i + "++)", scalar);
            }
            else
            {
                w.Line("int " + i + " = 0;");
                Loop(w, "for (; " + i + " <= " + Root + ".Length - " + count + "; " + i + " += " + count + ")", vector);
                Loop(w, "for (; " + i + " < " + Root + ".Length; " + i + "++)", scalar);
            }
        }
        w.Close();
    }

    private static void Loop(SourceWriter w, string header, IEnumerable<string> body)
    {
        w.Open(header);
        foreach (string line in body)
        {
            w.Line(line);
        }
        w.Close();
    }
}

/// <summary>
/// A statement of a fused loop's body: a local, a store or an addition into an element, or a line written as is
/// (which keeps the loop scalar).
/// </summary>
internal sealed class ElementStatement
{
    private const string VectorType = "global::System.Numerics.Vector<float>";

    private ElementStatement(string? name, ElementRead? target, bool add, Expr? value, string? rawLine)
    {
        Name = name;
        Target = target;
        Add = add;
        Value = value;
        RawLine = rawLine;
    }

    /// <summary>The local a <see cref="Local"/> statement declares.</summary>
    public string? Name { get; }

    public ElementRead? Target { get; }

    public bool Add { get; }

    public Expr? Value { get; }

    public string? RawLine { get; }

    /// <summary><c>float name = value;</c></summary>
    public static ElementStatement Local(string name, Expr value) => new(name, null, false, value, null);

    /// <summary><c>target = value;</c></summary>
    public static ElementStatement Store(ElementRead target, Expr value) => new(null, target, false, value, null);

    /// <summary><c>target += value;</c> (<c>-=</c> for a negated value).</summary>
    public static ElementStatement AddTo(ElementRead target, Expr value) => new(null, target, true, value, null);

    /// <summary>A line of C# as it is.</summary>
    public static ElementStatement Raw(string line) => new(null, null, false, null, line);

    /// <summary>The statement for one element.</summary>
    public string Scalar()
    {
        if (RawLine is not null)
        {
            return RawLine;
        }
        if (Name is not null)
        {
            return "float " + Name + " = " + Print(Value!) + ";";
        }
        return Add ? TensorReverseWriter.Accumulate(Print(Target!), Value!) : Print(Target!) + " = " + Print(Value!) + ";";
    }

    /// <summary>The statement for a vector of elements starting at the loop's position, or null when it is not arithmetic.</summary>
    public string? Vector(ISet<string> locals)
    {
        if (VectorOf(Value!, locals) is not { } value)
        {
            return null;
        }
        if (Name is not null)
        {
            return VectorType + " " + Name + " = " + value + ";";
        }
        string slice = Slice(Target!);
        return Add
            ? "(new " + VectorType + "(" + slice + ") + " + value + ").CopyTo(" + slice + ");"
            : value + ".CopyTo(" + slice + ");";
    }

    private static string Slice(ElementRead r) => Identifier(r.Sequence.Name) + ".Slice(" + Print(r.Index) + ")";

    private static string? VectorOf(Expr e, ISet<string> locals)
    {
        if (e.Type.Kind == ScalarKind.Single && IsInvariant(e, locals))
        {
            return "new " + VectorType + "(" + Print(e) + ")";
        }
        switch (e)
        {
            case ElementRead r:
                return "new " + VectorType + "(" + Slice(r) + ")";
            case Variable v when locals.Contains(v.Name):
                return Identifier(v.Name);
            case Unary { Operator: UnaryOperator.Negate } u when VectorOf(u.Operand, locals) is { } operand:
                return "-" + operand;
            case Binary { Operator: BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply or BinaryOperator.Divide } b
                when VectorOf(b.Left, locals) is { } left && VectorOf(b.Right, locals) is { } right:
                string op = b.Operator switch { BinaryOperator.Add => " + ", BinaryOperator.Subtract => " - ", BinaryOperator.Multiply => " * ", _ => " / " };
                return "(" + left + op + right + ")";
            case MathCall { Function: "Max" or "Min", Arguments.Count: 2 } m
                when VectorOf(m.Arguments[0], locals) is { } first && VectorOf(m.Arguments[1], locals) is { } second:
                // Relu's max(x, 0).
                return "global::System.Numerics.Vector." + m.Function + "(" + first + ", " + second + ")";
            case Select { Condition: Binary { Operator: BinaryOperator.GreaterThan } c } s
                when VectorOf(c.Left, locals) is { } left && VectorOf(c.Right, locals) is { } right
                    && VectorOf(s.WhenTrue, locals) is { } whenTrue && VectorOf(s.WhenFalse, locals) is { } whenFalse:
                // Relu's and LeakyRelu's derivative: lanes where the comparison is false (NaN included) take the second value.
                return "global::System.Numerics.Vector.ConditionalSelect(global::System.Numerics.Vector.GreaterThan(" + left + ", " + right + "), " + whenTrue + ", " + whenFalse + ")";
            default:
                return null;
        }
    }

    /// <summary>True when <paramref name="e"/> reads no element and no local of the loop: the same for every element.</summary>
    private static bool IsInvariant(Expr e, ISet<string> locals)
    {
        var names = new HashSet<string>();
        Analyses.VariableUses.Names(e, names);
        return !ContainsElement(e) && !names.Overlaps(locals);
    }

    private static bool ContainsElement(Expr e) => e switch
    {
        ElementRead => true,
        Unary u => ContainsElement(u.Operand),
        Binary b => ContainsElement(b.Left) || ContainsElement(b.Right),
        Conversion c => ContainsElement(c.Operand),
        MathCall m => m.Arguments.Any(ContainsElement),
        Select s => ContainsElement(s.Condition) || ContainsElement(s.WhenTrue) || ContainsElement(s.WhenFalse),
        PassiveCall p => p.Arguments.Any(ContainsElement),
        _ => false,
    };
}
