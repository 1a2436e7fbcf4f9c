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
    public Expr ForwardValue(FusedNode node, List<string> body, bool top, bool needsLocal = false)
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
            body.Add("float " + local + " = " + Print(value) + ";");
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

    /// <summary>Writes the loop block: the spans and the steps the body reads, and the loop around <paramref name="body"/>.</summary>
    public void Write(List<string> body)
    {
        SourceWriter w = _owner.Writer;
        w.Open();
        string text = string.Join("\n", body);
        bool Used(string name) => Regex.IsMatch(text, @"\b" + Regex.Escape(name) + @"\b");
        foreach ((string tensor, string span) in _spans.Where(s => Used(s.Span)))
        {
            w.Line(TensorGradientEmitter.SpanType + " " + span + " = " + Identifier(tensor) + ".Span;");
        }
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
            w.Open("for (int " + col + " = 0; " + col + " < " + cols + "; " + col + "++)");
            foreach (string line in body)
            {
                w.Line(line);
            }
            w.Close();
            w.Close();
        }
        else
        {
            string i = _owner.LoopName("_i");
            w.Open("for (int " + i + " = 0; " + i + " < " + Root + ".Length; " + i + "++)");
            foreach (string line in body)
            {
                w.Line(line);
            }
            w.Close();
        }
        w.Close();
    }
}
