using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// Writes <c>{Name}Derivative</c> of a method with tensors (forward mode): each step followed by its tangent along
/// the direction the caller gives (one tangent tensor per differentiated tensor parameter, of its shape). A fused chain
/// computes its elements and their tangents in the same loop; <c>MatMul</c>'s tangent is two products,
/// <c>dA·B + A·dB</c>; a loss's tangent is its gradient (the backward kernel with a unit adjoint) dotted with the
/// tangent of its input.
/// </summary>
internal sealed partial class TensorForwardWriter : TensorMethodWriter
{
    private readonly Dictionary<string, string> _tangents = new();
    private readonly Dictionary<string, string> _sequenceTangents = new();

    public TensorForwardWriter(SourceWriter writer, MethodModel model, TensorProgram program, NameAllocator names)
        : base(writer, model, program, names)
    {
    }

    public void Write()
    {
        MethodModel model = Model;
        string derivative = ForwardSweep.DerivativeName;
        Writer.Line("/// <summary>");
        Writer.Line("/// Computes <see cref=\"" + model.CrefSignature + "\"/> and its derivative along a direction in one sweep (forward mode).");
        Writer.Line("/// </summary>");
        GradientEmitter.WriteParameterDocs(Writer, model);
        foreach (ParameterModel p in Differentiated)
        {
            string shape = p.Type.IsTensor ? " It must have the shape of <c>" + p.Name + "</c>; it is only read." : "";
            Writer.Line("/// <param name=\"" + p.AdjointName + "\">The direction's component along <c>" + p.Name + "</c>." + shape + "</param>");
        }
        Writer.Line(IsLayer
            ? "/// <param name=\"" + derivative + "\">Receives the result's tangent (the Jacobian-vector product), in the workspace like the result. A <c>default</c> tangent is the zero direction.</param>"
            : "/// <param name=\"" + derivative + "\">Receives the directional derivative: the sum over the parameters of ∂" + model.Name + "/∂p times p's component of the direction.</param>");
        Writer.Line("/// <returns>The value of <c>" + model.Name + "</c>.</returns>");
        var signature = model.Parameters.Select(p => p.TypeName + " " + Identifier(p.Name))
            .Concat(Differentiated.Select(p =>
                (p.Type.IsTensor ? TensorGradientEmitter.TensorType : p.Type.IsFloatingSequence ? TypeRef.ReadOnlySpanOf(p.Type.Element!).Name : p.TypeName)
                + " " + Identifier(p.AdjointName!)))
            .Concat(new[] { "out " + (IsLayer ? TensorGradientEmitter.TensorType : model.ReturnType.Name) + " " + derivative });
        GradientEmitter.OpenMethod(Writer, model, model.DerivativeName, signature);
        WriteShapeChecks("tangent", defaultAllowed: IsLayer);
        foreach (ParameterModel p in Differentiated)
        {
            (p.Type.IsFloatingSequence ? _sequenceTangents : _tangents)[p.Name] = p.AdjointName!;
        }

        if (IsLayer)
        {
            // The value and its tangent stay in the caller's workspace; a default tangent is the zero direction.
            DeclareTape();
            foreach (ParameterModel p in Differentiated.Where(p => p.Type.IsTensor))
            {
                string given = Identifier(p.AdjointName!);
                Writer.Open("if (" + given + ".IsDefault)");
                Writer.Line(given + " = " + Rent(Identifier(p.Name) + ".Shape") + ";");
                Writer.Close();
            }
            WriteSteps(Program.Steps, "", result =>
            {
                var returned = (Variable)result;
                string tangent = _tangents.TryGetValue(returned.Name, out string? t) ? Identifier(t) : Rent(Identifier(returned.Name) + ".Shape");
                Writer.Line(derivative + " = " + tangent + ";");
                Writer.Line("return " + Identifier(returned.Name) + ";");
            });
            Writer.Close();
            return;
        }
        string value = Names.Fresh("value");
        WithTape(value, () => WriteSteps(Program.Steps, value, result =>
        {
            Writer.Line(Identifier(value) + " = " + Print(result) + ";");
            Writer.Line(derivative + " = " + Print(Tangent(result) ?? Const(0, model.ReturnType)) + ";");
        }));
        Writer.Close();
    }

    /// <summary>Each step followed by its tangent; <paramref name="finish"/> writes what the returned value needs.</summary>
    private void WriteSteps(IEnumerable<TensorStep> steps, string value, Action<Expr>? finish)
    {
        foreach (TensorStep step in steps)
        {
            if (step is LoopStep loop)
            {
                WriteLoopWithTangents(loop, value);
                continue;
            }
            if (step is ReturnStep r)
            {
                finish!(r.Value);
                continue;
            }
            if (step is KernelStep { Operation.Function: TensorFunction.Layer } layer && Program.Active.Contains(layer.Target.Name))
            {
                WriteLayerWithTangent(layer);
                continue;
            }
            if (step is KernelStep { Operation.Function: TensorFunction.CustomLoss } loss && Program.Active.Contains(loss.Target.Name))
            {
                WriteCustomLossWithTangent(loss);
                continue;
            }
            WritePrimal(step, value);
            switch (step)
            {
                case ScalarStep s when Program.Active.Contains(s.Target.Name) && Tangent(s.Value) is { } tangent:
                    Declare(s.Target, s.Target.Type.Name, Print(tangent));
                    break;
                case KernelStep k when Program.Active.Contains(k.Target.Name):
                    WriteKernelTangent(k);
                    break;
            }
        }
    }

    /// <summary>A layer's value and tangent, from its <c>{Name}Derivative</c>.</summary>
    private void WriteLayerWithTangent(KernelStep k)
    {
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        var arguments = a.Select(Print).ToList();
        for (int i = 0; i < a.Count; i++)
        {
            if (k.Operation.Differentiated[i])
            {
                arguments.Add(a[i].Type.IsTensor ? TensorTangent(a[i]) ?? "default" : Print(Tangent(a[i]) ?? Const(0, a[i].Type)));
            }
        }
        string tangent = Names.Fresh(NameAllocator.AdjointStem(k.Target.Name));
        _tangents[k.Target.Name] = tangent;
        arguments.Add("out " + TensorGradientEmitter.TensorType + " " + Identifier(tangent));
        string method = k.Operation.Custom?.Tangent ?? k.Operation.Method! + "Derivative";
        Writer.Line(TensorGradientEmitter.TensorType + " " + Identifier(k.Target.Name) + " = " + method + "(" + string.Join(", ", arguments) + ");");
    }

    /// <summary>The tangent of a float expression by the scalar derivative rules; null when it is zero.</summary>
    private Expr? Tangent(Expr e)
    {
        switch (e)
        {
            case Variable v:
                return _tangents.TryGetValue(v.Name, out string? t) && !v.Type.IsTensor ? new Variable(t, v.Type) : null;
            case ElementRead r:
                return _sequenceTangents.TryGetValue(r.Sequence.Name, out string? s) ? new ElementRead(new Variable(s, TypeRef.ReadOnlySpanOf(r.Type)), r.Index, r.Type) : null;
        }
        Expr? sum = null;
        IReadOnlyList<Expr> operands = DerivativeRules.Operands(e);
        for (int i = 0; i < operands.Count; i++)
        {
            if (Tangent(operands[i]) is { } inner && DerivativeRules.Partial(e, i, e) is { } partial)
            {
                Expr term = Multiply(partial, Convert(inner, e.Type));
                sum = sum is null ? term : Add(sum, term);
            }
        }
        return sum;
    }

    private void Declare(Variable v, string type, string value)
    {
        string name = Names.Fresh(NameAllocator.AdjointStem(v.Name));
        Writer.Line(type + " " + Identifier(name) + " = " + value + ";");
        _tangents[v.Name] = name;
    }

    private string? TensorTangent(Expr e) => e is Variable v && _tangents.TryGetValue(v.Name, out string? t) ? Identifier(t) : null;

    private void WriteKernelTangent(KernelStep k)
    {
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        string kernels = TensorGradientEmitter.Kernels;
        string dot = "global::Backprop.Symbolic.Kernels.SpanKernels.Dot";
        switch (k.Operation.Function)
        {
            case TensorFunction.MatMul:
            {
                string? left = TensorTangent(a[0]), right = TensorTangent(a[1]);
                if (left is null && right is null)
                {
                    return;
                }
                // The first product overwrites the tangent, so it is rented uncleared.
                Declare(k.Target, TensorGradientEmitter.TensorType, RentOverwritten(Identifier(k.Target.Name) + ".Shape"));
                string tangent = Identifier(_tangents[k.Target.Name]);
                if (left is not null)
                {
                    Writer.Line(kernels + ".MatMul(" + left + ", " + Print(a[1]) + ", " + tangent + ");");
                }
                if (right is not null)
                {
                    Writer.Line(kernels + ".MatMul(" + Print(a[0]) + ", " + right + ", " + tangent + (left is null ? "" : ", accumulate: true") + ");");
                }
                break;
            }
            case TensorFunction.Softmax:
                if (TensorTangent(a[0]) is { } tX)
                {
                    // Softmax's Jacobian is symmetric: its product with a tangent is the backward formula.
                    Declare(k.Target, TensorGradientEmitter.TensorType, Rent(Identifier(k.Target.Name) + ".Shape"));
                    Writer.Line(kernels + ".SoftmaxBackward(" + Identifier(k.Target.Name) + ", " + tX + ", " + Identifier(_tangents[k.Target.Name]) + ");");
                }
                break;
            case TensorFunction.LogSoftmax:
                if (TensorTangent(a[0]) is { } tLogits)
                {
                    WriteLogSoftmaxTangent(k, tLogits);
                }
                break;
            case TensorFunction.TimeStep:
            case TensorFunction.Chunk:
                WriteSequenceTangent(k);
                break;
            case TensorFunction.SumAxis:
            case TensorFunction.MeanAxis:
                if (TensorTangent(a[0]) is { } tSummed)
                {
                    Declare(k.Target, TensorGradientEmitter.TensorType, RentOverwritten(Identifier(k.Target.Name) + ".Shape"));
                    string tangent = Identifier(_tangents[k.Target.Name]);
                    Writer.Line(kernels + ".Sum(" + tSummed + ", " + Print(a[1]) + ", " + tangent + ");");
                    if (k.Operation.Function == TensorFunction.MeanAxis)
                    {
                        Writer.Line(Primitives + ".Multiply((global::System.ReadOnlySpan<float>)" + tangent + ".Span, 1f / " + Print(a[0]) + ".Shape[" + Print(a[1]) + "], " + tangent + ".Span);");
                    }
                }
                break;
            case TensorFunction.Concat:
            {
                string? left = TensorTangent(a[1]), right = TensorTangent(a[2]);
                if (left is null && right is null)
                {
                    return;
                }
                Declare(k.Target, TensorGradientEmitter.TensorType, RentOverwritten(Identifier(k.Target.Name) + ".Shape"));
                Writer.Line(kernels + ".Concat(" + Print(a[0]) + ", " + (left ?? Rent(Print(a[1]) + ".Shape")) + ", " + (right ?? Rent(Print(a[2]) + ".Shape"))
                    + ", " + Identifier(_tangents[k.Target.Name]) + ");");
                break;
            }
            case TensorFunction.Gather:
                if (TensorTangent(a[0]) is { } tTable)
                {
                    Declare(k.Target, TensorGradientEmitter.TensorType, RentOverwritten(Identifier(k.Target.Name) + ".Shape"));
                    Writer.Line(kernels + ".Gather(" + tTable + ", " + Print(a[1]) + ", " + Identifier(_tangents[k.Target.Name]) + ");");
                }
                break;
            case TensorFunction.Reshape:
                WriteReshapeTangent(k);
                break;
            case TensorFunction.Conv2D:
            case TensorFunction.MaxPool2D:
            case TensorFunction.AvgPool2D:
            case TensorFunction.Flatten:
                WriteConvolutionTangent(k);
                break;
            case TensorFunction.Sum:
            case TensorFunction.Mean:
                if (TensorTangent(a[0]) is { } x)
                {
                    Declare(k.Target, "float", kernels + ".Sum(" + x + ")" + (k.Operation.Function == TensorFunction.Mean ? " / " + Print(a[0]) + ".Length" : ""));
                }
                break;
            case TensorFunction.SoftmaxCrossEntropy:
                if (TensorTangent(a[0]) is { } logits)
                {
                    // The loss's gradient, (p − onehot) / rows, dotted with the logits' tangent.
                    string gradient = Names.Fresh(((Variable)a[0]).Name + "Gradient");
                    Writer.Line(TensorGradientEmitter.TensorType + " " + gradient + " = " + Rent(Print(a[0]) + ".Shape") + ";");
                    Writer.Line(kernels + ".SoftmaxCrossEntropyBackward(" + Probabilities(k) + ", " + Print(a[1]) + ", 1f, " + gradient + ");");
                    Declare(k.Target, "float", dot + "(" + gradient + ".Span, " + logits + ".Span)");
                }
                break;
            case TensorFunction.MeanSquaredError:
            {
                string? prediction = TensorTangent(a[0]), target = TensorTangent(a[1]);
                if (prediction is null && target is null)
                {
                    return;
                }
                // 2(p − t)/N dotted with the prediction's tangent minus the target's.
                string gradient = Names.Fresh(((Variable)a[0]).Name + "Gradient");
                Writer.Line(TensorGradientEmitter.TensorType + " " + gradient + " = " + Rent(Print(a[0]) + ".Shape") + ";");
                Writer.Line(kernels + ".MeanSquaredErrorBackward(" + Print(a[0]) + ", " + Print(a[1]) + ", 1f, " + gradient + ", default);");
                string terms = (prediction is null ? "" : dot + "(" + gradient + ".Span, " + prediction + ".Span)")
                    + (target is null ? "" : (prediction is null ? "-" : " - ") + dot + "(" + gradient + ".Span, " + target + ".Span)");
                Declare(k.Target, "float", terms);
                break;
            }
        }
    }

    /// <summary>The tangent of y = log-softmax(x) per row: dy = dx − Σ_j softmax(x)_j · dx_j, with softmax(x) = exp(y).</summary>
    private void WriteLogSoftmaxTangent(KernelStep k, string tX)
    {
        Declare(k.Target, TensorGradientEmitter.TensorType, RentOverwritten(Identifier(k.Target.Name) + ".Shape"));
        string y = Identifier(k.Target.Name), tY = Identifier(_tangents[k.Target.Name]);
        string columns = LoopName("_cols"), row = LoopName("_row"), col = LoopName("_col"), sum = LoopName("_s");
        string yValues = SpanName(k.Target.Name), tXValues = SpanName(tX), tYValues = SpanName(tY);
        Writer.Open();
        Writer.Line(TensorGradientEmitter.SpanType + " " + yValues + " = " + y + ".Span;");
        Writer.Line(TensorGradientEmitter.SpanType + " " + tXValues + " = " + tX + ".Span;");
        Writer.Line(TensorGradientEmitter.SpanType + " " + tYValues + " = " + tY + ".Span;");
        Writer.Line("int " + columns + " = " + y + ".Shape.Last;");
        Writer.Open("for (int " + row + " = 0; " + row + " < " + yValues + ".Length; " + row + " += " + columns + ")");
        Writer.Line("float " + sum + " = 0f;");
        Writer.Open("for (int " + col + " = 0; " + col + " < " + columns + "; " + col + "++)");
        Writer.Line(sum + " += global::System.MathF.Exp(" + yValues + "[" + row + " + " + col + "]) * " + tXValues + "[" + row + " + " + col + "];");
        Writer.Close();
        Writer.Open("for (int " + col + " = 0; " + col + " < " + columns + "; " + col + "++)");
        Writer.Line(tYValues + "[" + row + " + " + col + "] = " + tXValues + "[" + row + " + " + col + "] - " + sum + ";");
        Writer.Close();
        Writer.Close();
        Writer.Close();
    }

    /// <summary>One loop for a chain's elements and their tangents.</summary>
    protected override void WriteFused(FusedStep f)
    {
        if (!Program.Active.Contains(f.Target.Name))
        {
            base.WriteFused(f);
            return;
        }
        Declare(f.Target, TensorGradientEmitter.TensorType, RentOverwritten(Identifier(f.Target.Name) + ".Shape"));
        var loop = new ElementLoop(this, f);
        var body = new List<ElementStatement>();
        ElementRead root = loop.ElementOf(f.Target.Name, isRoot: true);
        (Dictionary<FusedNode, Expr> values, List<(string Name, Expr Value)> definitions) = loop.NodeValues(root);
        body.AddRange(definitions.Select(d => ElementStatement.Local(d.Name, d.Value)));
        body.Add(ElementStatement.Store(root, ElementwiseRules.Value(f.Root.Function, f.Root.Operands.Select(o => loop.OperandValue(o, values)).ToList())));

        var tangents = new Dictionary<FusedNode, Expr?>();
        foreach (FusedNode node in f.Root.PostOrder())
        {
            var operands = node.Operands.Select(o => loop.OperandValue(o, values)).ToList();
            Expr? sum = null;
            for (int i = 0; i < node.Operands.Count; i++)
            {
                FusedOperand o = node.Operands[i];
                Expr? inner = o switch
                {
                    { Node: { } n } => tangents[n],
                    { Tensor: { } t } => _tangents.TryGetValue(t.Name, out string? tangent) ? loop.ElementOf(tangent, isRoot: false, shapeOf: t.Name) : null,
                    _ => Tangent(o.Scalar!),
                };
                if (inner is not null)
                {
                    Expr term = Multiply(ElementwiseRules.Partial(node.Function, i, operands, values[node]), inner);
                    sum = sum is null ? term : Add(sum, term);
                }
            }
            if (sum is not null && node != f.Root && !IsAtomic(sum) && sum is not ElementRead)
            {
                string local = loop.NextLocal();
                body.Add(ElementStatement.Local(local, sum));
                sum = new Variable(local, Single);
            }
            tangents[node] = sum;
        }
        body.Add(ElementStatement.Store(loop.ElementOf(_tangents[f.Target.Name], isRoot: true), tangents[f.Root] ?? Const(0, Single)));
        loop.Write(body);
    }
}
