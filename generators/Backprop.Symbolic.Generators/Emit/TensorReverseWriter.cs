using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// Writes <c>{Name}Gradient</c> of a method with tensors: the forward sweep computes every step into the workspace,
/// the backward sweep reverses them, last first: the transposed products for <c>MatMul</c>, one fused loop of the
/// element-wise partials per chain, the losses' closed-form backward kernels, and the scalar derivative rules on floats.
/// Every tensor adjoint is accumulated (+=) into a zeroed tensor of the workspace, rented when first written; a chain
/// whose result only a <c>Sum</c> or <c>Mean</c> reads takes that float's adjoint directly, with no adjoint tensor.
/// </summary>
internal sealed partial class TensorReverseWriter : TensorMethodWriter
{
    // Adjoints: tensors (declared when first written), floats (declared, or pending terms not yet written), spans.
    private readonly Dictionary<string, string> _tensorAdjoints = new();
    private readonly Dictionary<string, string> _scalarAdjoints = new();
    private readonly Dictionary<string, List<Expr>> _pending = new();
    private readonly Dictionary<string, string> _sequenceAdjoints = new();

    // Chains read only by a reduction: the same adjoint for every element, instead of an adjoint tensor.
    private readonly Dictionary<string, Expr> _uniformAdjoints = new();

    // A pullback's parameters whose adjoint may be default ("not needed"): kernels writing them are skipped then.
    private readonly HashSet<string> _optional = new();

    // The gradient's tensor adjoints not yet written: the first write clears them, or overwrites them (a product).
    private readonly HashSet<string> _uncleared = new();

    public TensorReverseWriter(SourceWriter writer, MethodModel model, TensorProgram program, NameAllocator names)
        : base(writer, model, program, names)
    {
    }

    public void Write()
    {
        MethodModel model = Model;
        RecordsLoops = true;
        Writer.Line("/// <summary>");
        Writer.Line("/// Computes <see cref=\"" + model.CrefSignature + "\"/> and its gradient in one forward and one backward sweep (reverse mode).");
        Writer.Line("/// </summary>");
        GradientEmitter.WriteParameterDocs(Writer, model);
        foreach (ParameterModel p in Differentiated)
        {
            string shape = p.Type.IsTensor ? " It must have the shape of <c>" + p.Name + "</c>; it is overwritten, not added to." : "";
            Writer.Line("/// <param name=\"" + p.AdjointName + "\">Receives ∂" + model.Name + "/∂" + p.Name + "." + shape + "</param>");
        }
        WriteSinkDoc();
        Writer.Line("/// <returns>The value of <c>" + model.Name + "</c>.</returns>");
        var signature = model.Parameters.Select(p => p.TypeName + " " + Identifier(p.Name))
            .Concat(Differentiated.Select(p =>
                p.Type.IsTensor ? TensorGradientEmitter.TensorType + " " + Identifier(p.AdjointName!)
                : p.Type.IsFloatingSequence ? TypeRef.SpanOf(p.Type.Element!).Name + " " + Identifier(p.AdjointName!)
                : "out " + p.TypeName + " " + Identifier(p.AdjointName!)))
            .Concat(SinkParameter);
        GradientEmitter.OpenMethod(Writer, model, model.GradientName, signature);

        // Adjoint buffers are checked before anything is computed, then cleared: the gradient overwrites them.
        WriteShapeChecks("adjoint");
        foreach (ParameterModel p in Differentiated)
        {
            string adjoint = Identifier(p.AdjointName!);
            if (p.Type.IsTensor)
            {
                // Cleared where the backward sweep first adds to it (a first product overwrites it instead).
                _tensorAdjoints[p.Name] = p.AdjointName!;
                _uncleared.Add(p.Name);
            }
            else if (p.Type.IsFloatingSequence)
            {
                Writer.Line(GradientEmitter.Zero(adjoint));
                _sequenceAdjoints[p.Name] = p.AdjointName!;
            }
            else
            {
                Writer.Line(adjoint + " = " + Number(0, p.Type) + ";");
                _scalarAdjoints[p.Name] = p.AdjointName!;
            }
        }

        string value = Names.Fresh("value");
        PartialsInForward = true;
        WithTape(value, () =>
        {
            Writer.Line("// forward sweep");
            foreach (TensorStep step in Program.Steps)
            {
                WritePrimal(step, value);
                ReportActivation(step);
            }
            Writer.Line();
            Writer.Line("// backward sweep");
            for (int i = Program.Steps.Count - 1; i >= 0; i--)
            {
                ReportAdjoint(Program.Steps[i]);
                WriteBackward(Program.Steps[i]);
            }
            foreach (ParameterModel p in Differentiated.Where(p => _uncleared.Contains(p.Name)))
            {
                Writer.Line(GradientEmitter.Zero(Identifier(p.AdjointName!) + ".Span") + " // " + model.Name + " does not depend on " + p.Name);
            }
        });
        Writer.Close();
    }

    /// <summary>
    /// Writes a layer's <c>{Name}Value</c>: its forward computation into the per-thread workspace, returning the result
    /// tensor, which stays valid until the caller releases its tape mark.
    /// </summary>
    public void WriteValue(bool recorded = false)
    {
        MethodModel model = Model;
        Writer.Line("/// <summary>");
        Writer.Line("/// Computes <see cref=\"" + model.CrefSignature + "\"/> into the per-thread workspace (no allocation): the result is valid until");
        Writer.Line("/// the caller releases its <see cref=\"global::Backprop.Symbolic.Taping.Tape\"/> mark. Generated gradients call it for their forward sweep.");
        if (recorded)
        {
            WriteRecordedValueRemarks();
        }
        Writer.Line("/// </summary>");
        GradientEmitter.WriteParameterDocs(Writer, model);
        WriteSinkDoc();
        Writer.Line("/// <returns>The value of <c>" + model.Name + "</c>, in the workspace.</returns>");
        GradientEmitter.OpenMethod(Writer, model, recorded ? ValueRecordedMethod(model.Name) : ValueMethod(model.Name),
            model.Parameters.Select(p => p.TypeName + " " + Identifier(p.Name)).Concat(SinkParameter));
        DeclareTape();
        RecordsLoops = recorded;
        foreach (TensorStep step in Program.Steps)
        {
            if (recorded && step is ReturnStep)
            {
                WriteLayerPushes();
            }
            WritePrimal(step, "");
            ReportActivation(step);
        }
        Writer.Close();
    }

    /// <summary>
    /// Writes a layer's <c>{Name}Pullback</c>: given the adjoint of its result, it adds (+=) the adjoint of each
    /// differentiated parameter to the tensor (or <c>ref</c> float) given for it; a <c>default</c> tensor means "not
    /// needed". It recomputes the layer's forward sweep under its own tape mark, then runs the backward sweep.
    /// </summary>
    public void WritePullback(bool recorded = false)
    {
        MethodModel model = Model;
        RecordsLoops = true;
        var result = (Variable)Program.Steps.OfType<ReturnStep>().Single().Value;
        string dResult = Names.Fresh("dResult");
        Writer.Line("/// <summary>");
        Writer.Line("/// The vector-Jacobian product of <see cref=\"" + model.CrefSignature + "\"/>: adds (+=) to each adjoint given the");
        Writer.Line("/// adjoint of <c>" + model.Name + "</c>'s result times the derivative of the result with respect to that parameter.");
        if (recorded)
        {
            WriteRecordedPullbackRemarks();
        }
        Writer.Line("/// </summary>");
        GradientEmitter.WriteParameterDocs(Writer, model);
        Writer.Line("/// <param name=\"" + dResult + "\">The adjoint of the result (it has the result's shape).</param>");
        foreach (ParameterModel p in Differentiated)
        {
            string more = p.Type.IsTensor ? " It must have the shape of <c>" + p.Name + "</c>, or be <c>default</c> when not needed." : "";
            Writer.Line("/// <param name=\"" + p.AdjointName + "\">Accumulates (+=) the adjoint of <c>" + p.Name + "</c>." + more + "</param>");
        }
        WriteSinkDoc();
        var signature = model.Parameters.Select(p => p.TypeName + " " + Identifier(p.Name))
            .Concat(new[] { TensorGradientEmitter.TensorType + " " + Identifier(dResult) })
            .Concat(Differentiated.Select(p =>
                p.Type.IsTensor ? TensorGradientEmitter.TensorType + " " + Identifier(p.AdjointName!)
                : p.Type.IsFloatingSequence ? TypeRef.SpanOf(p.Type.Element!).Name + " " + Identifier(p.AdjointName!)
                : "ref " + p.TypeName + " " + Identifier(p.AdjointName!)))
            .Concat(SinkParameter);
        Writer.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"Backprop.Symbolic.Generators\", \"" + GradientEmitter.Version + "\")]");
        Writer.Open(model.Accessibility + " static void " + (recorded ? PullbackRecordedMethod(model.Name) : PullbackMethod(model.Name)) + "(" + string.Join(", ", signature) + ")");
        WriteShapeChecks("adjoint", defaultAllowed: true);
        foreach (ParameterModel p in Differentiated)
        {
            (p.Type.IsTensor ? _tensorAdjoints : p.Type.IsFloatingSequence ? _sequenceAdjoints : _scalarAdjoints)[p.Name] = p.AdjointName!;
        }
        // Adjoints only kernels write into are skipped when not needed; loops write into scratch instead.
        var loopWritten = new HashSet<string>(Program.AllSteps().OfType<FusedStep>().SelectMany(f => f.Root.PostOrder())
            .SelectMany(n => n.Operands).Where(o => o.Tensor is not null).Select(o => o.Tensor!.Name));
        loopWritten.UnionWith(Program.AllSteps().OfType<KernelStep>().Where(k => k.Operation.Function is TensorFunction.Sum or TensorFunction.Mean)
            .Select(k => ((Variable)k.Operation.Arguments[0]).Name));
        foreach (ParameterModel p in Differentiated.Where(p => p.Type.IsTensor && !loopWritten.Contains(p.Name)))
        {
            _optional.Add(p.Name);
        }
        WithTape(null, () =>
        {
            foreach (ParameterModel p in Differentiated.Where(p => p.Type.IsTensor && loopWritten.Contains(p.Name)))
            {
                // Not needed by the caller: its adjoint goes to scratch.
                string given = Identifier(p.AdjointName!);
                Writer.Open("if (" + given + ".IsDefault)");
                Writer.Line(given + " = " + Rent(Identifier(p.Name) + ".Shape") + ";");
                Writer.Close();
            }
            QuietForward = true; // the caller's {Name}Value reported the activations
            if (recorded)
            {
                WriteLayerPops();
            }
            else
            {
                Writer.Line("// forward sweep");
                PartialsInForward = true;
                foreach (TensorStep step in Program.Steps)
                {
                    WritePrimal(step, "_");
                }
            }
            QuietForward = false;
            Writer.Open("if (" + Identifier(dResult) + ".Shape != " + Identifier(result.Name) + ".Shape)");
            Writer.Line("throw new global::System.ArgumentException(\"The adjoint '" + dResult + "' must have the shape of the result (\" + "
                + Identifier(result.Name) + ".Shape + \"), but has \" + " + Identifier(dResult) + ".Shape + \".\", nameof(" + Identifier(dResult) + "));");
            Writer.Close();
            Writer.Line();
            Writer.Line("// backward sweep");
            if (_tensorAdjoints.TryGetValue(result.Name, out string? parameterAdjoint))
            {
                // The layer returns a parameter itself.
                Writer.Line("global::Backprop.Symbolic.Kernels.SpanKernels.AddScaled(" + Identifier(parameterAdjoint) + ".Span, 1f, " + Identifier(dResult) + ".Span);");
            }
            else
            {
                _tensorAdjoints[result.Name] = dResult;
            }
            for (int i = Program.Steps.Count - 1; i >= 0; i--)
            {
                ReportAdjoint(Program.Steps[i]);
                WriteBackward(Program.Steps[i]);
            }
        });
        Writer.Close();
    }

    private void WriteBackward(TensorStep step)
    {
        switch (step)
        {
            case ReturnStep when IsLayer:
                break; // seeded with the result's adjoint
            case ReturnStep r:
                Comment(r.Origin);
                PropagateScalar(r.Value, Const(1, Single), Writer.Line, inLoop: false);
                break;
            case ScalarStep s when Program.Active.Contains(s.Target.Name):
                if (ScalarAdjoint(s.Target) is { } adjoint)
                {
                    Comment(s.Origin);
                    PropagateScalar(s.Value, adjoint, Writer.Line, inLoop: false);
                }
                break;
            case KernelStep k when Program.Active.Contains(k.Target.Name):
                WriteKernelBackward(k);
                break;
            case FusedStep f when Program.Active.Contains(f.Target.Name)
                && (_tensorAdjoints.ContainsKey(f.Target.Name) || _uniformAdjoints.ContainsKey(f.Target.Name)):
                Comment(f.Origin);
                WriteFusedBackward(f);
                break;
            case LoopStep loop:
                WriteLoopBackward(loop);
                break;
        }
    }

    private void WriteKernelBackward(KernelStep k)
    {
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        bool Active(int i) => a[i] is Variable v && Program.Active.Contains(v.Name);
        string kernels = TensorGradientEmitter.Kernels;
        if (k.Operation.Function == TensorFunction.CustomLoss)
        {
            WriteCustomLossBackward(k);
            return;
        }
        if (k.Operation.Function == TensorFunction.Layer)
        {
            if (!_tensorAdjoints.TryGetValue(k.Target.Name, out string? dLayer))
            {
                if (!RecordsLayer(k))
                {
                    return;
                }
                // Nothing reached the result, but the call recorded values: its pullback pops them (with a zero adjoint).
                dLayer = Names.Fresh("dUnused");
                Writer.Line(TensorGradientEmitter.TensorType + " " + dLayer + " = " + Rent(Identifier(k.Target.Name) + ".Shape") + ";");
            }
            Comment(k.Origin);
            var arguments = a.Select(Print).ToList();
            arguments.Add(Identifier(dLayer));
            var floats = new List<(Expr Argument, string Adjoint)>();
            for (int i = 0; i < a.Count; i++)
            {
                if (!k.Operation.Differentiated[i])
                {
                    continue;
                }
                if (a[i].Type.IsTensor)
                {
                    arguments.Add(Active(i) ? TensorAdjoint((Variable)a[i]) : "default");
                }
                else
                {
                    // The layer adds into a local; the chain rule takes it on to the argument's variables.
                    string local = Names.Fresh("_g");
                    Writer.Line(a[i].Type.Name + " " + local + " = " + Number(0, a[i].Type) + ";");
                    arguments.Add("ref " + local);
                    floats.Add((a[i], local));
                }
            }
            if (RecordsLayer(k))
            {
                // The recorded pair has no instrumented overload: a layer called inside a loop over time is not reported.
                Writer.Line(PullbackRecordedMethod(k.Operation.Method!) + "(" + string.Join(", ", arguments) + ");");
            }
            else
            {
                arguments.AddRange(LayerSink(k.Operation, forward: false));
                Writer.Line((k.Operation.Custom?.Gradient ?? PullbackMethod(k.Operation.Method!)) + "(" + string.Join(", ", arguments) + ");");
            }
            foreach ((Expr argument, string local) in floats)
            {
                PropagateScalar(argument, new Variable(local, argument.Type), Writer.Line, inLoop: false);
            }
            return;
        }
        if (k.Operation.Function is TensorFunction.TimeStep or TensorFunction.Chunk)
        {
            WriteSequenceBackward(k);
            return;
        }
        if (k.Operation.Function is TensorFunction.Conv2D or TensorFunction.MaxPool2D or TensorFunction.AvgPool2D or TensorFunction.Flatten)
        {
            WriteConvolutionBackward(k);
            return;
        }
        if (k.Operation.Function is TensorFunction.Softmax or TensorFunction.LogSoftmax or TensorFunction.SumAxis or TensorFunction.MeanAxis
            or TensorFunction.Concat or TensorFunction.Gather)
        {
            if (!_tensorAdjoints.TryGetValue(k.Target.Name, out string? dOut))
            {
                return;
            }
            Comment(k.Origin);
            string dY = Identifier(dOut), y = Identifier(k.Target.Name);
            switch (k.Operation.Function)
            {
                case TensorFunction.Softmax:
                case TensorFunction.LogSoftmax:
                    if (Active(0))
                    {
                        IfNeeded((Variable)a[0], dX => kernels + "." + k.Operation.Function + "Backward(" + y + ", " + dY + ", " + dX + ");");
                    }
                    break;
                case TensorFunction.SumAxis:
                case TensorFunction.MeanAxis:
                    if (Active(0))
                    {
                        string scale = k.Operation.Function == TensorFunction.SumAxis ? "1f" : "1f / " + Print(a[0]) + ".Shape[" + Print(a[1]) + "]";
                        IfNeeded((Variable)a[0], dX => kernels + ".AddBroadcast(" + dY + ", " + Print(a[1]) + ", " + scale + ", " + dX + ");");
                    }
                    break;
                case TensorFunction.Concat:
                {
                    // The kernel skips a default adjoint.
                    string dA = Active(1) ? TensorAdjoint((Variable)a[1]) : "default";
                    string dB = Active(2) ? TensorAdjoint((Variable)a[2]) : "default";
                    Writer.Line(kernels + ".ConcatBackward(" + Print(a[0]) + ", " + dY + ", " + dA + ", " + dB + ");");
                    break;
                }
                case TensorFunction.Gather:
                    if (Active(0))
                    {
                        IfNeeded((Variable)a[0], dTable => kernels + ".GatherBackward(" + dY + ", " + Print(a[1]) + ", " + dTable + ");");
                    }
                    break;
            }
            return;
        }
        if (k.Operation.Function == TensorFunction.Reshape)
        {
            WriteReshapeBackward(k);
            return;
        }
        if (k.Operation.Function == TensorFunction.MatMul)
        {
            if (!_tensorAdjoints.TryGetValue(k.Target.Name, out string? dResult))
            {
                return;
            }
            Comment(k.Origin);
            if (Active(0))
            {
                IfNeeded((Variable)a[0], (adjoint, overwrite) => kernels + ".MatMulTransposeB(" + Identifier(dResult) + ", " + Print(a[1]) + ", " + adjoint + ", accumulate: " + (overwrite ? "false" : "true") + ");");
            }
            if (Active(1))
            {
                IfNeeded((Variable)a[1], (adjoint, overwrite) => kernels + ".MatMulTransposeA(" + Print(a[0]) + ", " + Identifier(dResult) + ", " + adjoint + ", accumulate: " + (overwrite ? "false" : "true") + ");");
            }
            return;
        }

        if (ScalarAdjoint(k.Target) is not { } adjoint)
        {
            return;
        }
        Comment(k.Origin);
        switch (k.Operation.Function)
        {
            case TensorFunction.Sum:
            case TensorFunction.Mean:
            {
                if (!Active(0))
                {
                    return;
                }
                var x = (Variable)a[0];
                Expr scale = k.Operation.Function == TensorFunction.Sum ? adjoint : Divide(adjoint, new Conversion(new LengthRead(x), Single));
                if (!IsAtomic(scale))
                {
                    string local = Names.Fresh("_g");
                    Writer.Line("float " + local + " = " + Print(scale) + ";");
                    scale = new Variable(local, Single);
                }
                if (Program.ReadOnceByReduction(x.Name) && !_tensorAdjoints.ContainsKey(x.Name))
                {
                    // The chain's backward loop reads this adjoint for every element.
                    _uniformAdjoints[x.Name] = scale;
                    return;
                }
                string dx = TensorAdjoint(x);
                string span = SpanName(dx);
                string i = LoopName("_i");
                Writer.Open();
                Writer.Line(TensorGradientEmitter.SpanType + " " + span + " = " + dx + ".Span;");
                Writer.Open("for (int " + i + " = 0; " + i + " < " + span + ".Length; " + i + "++)");
                Writer.Line(span + "[" + i + "] += " + Print(scale) + ";");
                Writer.Close();
                Writer.Close();
                break;
            }
            case TensorFunction.SoftmaxCrossEntropy:
                if (Active(0))
                {
                    IfNeeded((Variable)a[0], dLogits => kernels + ".SoftmaxCrossEntropyBackward(" + Probabilities(k) + ", " + Print(a[1]) + ", " + Print(adjoint) + ", " + dLogits + ");");
                }
                break;
            case TensorFunction.MeanSquaredError:
                Writer.Line(kernels + ".MeanSquaredErrorBackward(" + Print(a[0]) + ", " + Print(a[1]) + ", " + Print(adjoint) + ", "
                    + (Active(0) ? TensorAdjoint((Variable)a[0]) : "default") + ", " + (Active(1) ? TensorAdjoint((Variable)a[1]) : "default") + ");");
                break;
        }
    }

    /// <summary>The backward loop of a chain: node values recomputed where a partial reads them, adjoints pushed to the operands.</summary>
    private void WriteFusedBackward(FusedStep f)
    {
        var loop = new ElementLoop(this, f);
        (Dictionary<FusedNode, Expr> values, List<(string Name, Expr Value)> definitions) = loop.NodeValues(loop.ElementOf(f.Target.Name, isRoot: true));

        // Adjoints, root first; a node's adjoint read by more than one operand gets a local.
        var statements = new List<ElementStatement>();
        var reads = new List<Expr>();
        var adjoints = new Dictionary<FusedNode, Expr>
        {
            [f.Root] = _uniformAdjoints.TryGetValue(f.Target.Name, out Expr? uniform) ? uniform : loop.ElementOf(_tensorAdjoints[f.Target.Name], isRoot: true),
        };
        int adjointLocals = 0;
        Expr Shared(Expr adjoint)
        {
            if (IsAtomic(adjoint) || adjoint is ElementRead)
            {
                return adjoint;
            }
            string local = Local(adjointLocals++, "_g");
            statements.Add(ElementStatement.Local(local, adjoint));
            reads.Add(adjoint);
            return new Variable(local, Single);
        }
        foreach (FusedNode node in f.Root.PostOrder().Reverse())
        {
            if (!adjoints.TryGetValue(node, out Expr? adjoint))
            {
                continue; // depends on no differentiated parameter
            }
            var operands = node.Operands.Select(o => loop.OperandValue(o, values)).ToList();
            var active = node.Operands.Select((o, i) => (Operand: o, Index: i)).Where(x => IsActive(x.Operand)).ToList();
            if (active.Count > 1)
            {
                adjoint = Shared(adjoint);
            }
            foreach ((FusedOperand operand, int i) in active)
            {
                Expr contribution = Multiply(adjoint, ElementwiseRules.Partial(node.Function, i, operands, values[node]));
                if (operand.Node is { } inner)
                {
                    adjoints[inner] = contribution;
                }
                else if (operand.Tensor is { } tensor)
                {
                    string adjointName = TensorAdjoint(tensor).TrimStart('@');
                    statements.Add(ElementStatement.AddTo(loop.ElementOf(adjointName, isRoot: false, shapeOf: tensor.Name), contribution));
                    reads.Add(contribution);
                }
                else
                {
                    foreach (Variable v in TensorProgram.Variables(operand.Scalar!).Where(v => v.Type.IsFloating && Program.Active.Contains(v.Name)))
                    {
                        DeclareScalarAdjoint(v);
                    }
                    PropagateScalar(operand.Scalar!, contribution, line => statements.Add(ElementStatement.Raw(line)), inLoop: true);
                    reads.Add(contribution);
                }
            }
        }

        // The node values the adjoints read (and the values those read), in forward order.
        var read = new HashSet<string>();
        foreach (Expr v in reads)
        {
            VariableUses.Names(v, read);
        }
        for (int d = definitions.Count - 1; d >= 0; d--)
        {
            if (read.Contains(definitions[d].Name))
            {
                VariableUses.Names(definitions[d].Value, read);
            }
        }
        var body = definitions.Where(d => read.Contains(d.Name)).Select(d => ElementStatement.Local(d.Name, d.Value)).ToList();
        body.AddRange(statements);
        loop.Write(body);
    }

    private bool IsActive(FusedOperand o) => o switch
    {
        { Node: { } node } => Program.Active.Contains(node.Target.Name),
        { Tensor: { } t } => Program.Active.Contains(t.Name),
        _ => Activity.IsVaried(o.Scalar!, Program.Active),
    };

    /// <summary>Writes a kernel call into <paramref name="v"/>'s adjoint, skipped when a pullback's caller gave <c>default</c> for it.</summary>
    private void IfNeeded(Variable v, Func<string, string> call) => IfNeeded(v, (adjoint, _) => call(adjoint), overwrites: false);

    /// <summary>As <see cref="IfNeeded(Variable, Func{string, string})"/>, for a product told whether it may overwrite the adjoint.</summary>
    private void IfNeeded(Variable v, Func<string, bool, string> call, bool overwrites = true)
    {
        bool unwritten = false;
        string adjoint = overwrites && !_optional.Contains(v.Name) ? TensorAdjoint(v, out unwritten) : WrittenTensorAdjoint(v);
        if (!_optional.Contains(v.Name))
        {
            Writer.Line(call(adjoint, unwritten));
            return;
        }
        Writer.Open("if (!" + adjoint + ".IsDefault)");
        Writer.Line(call(adjoint, false));
        Writer.Close();
    }

    /// <summary>The adjoint of tensor <paramref name="v"/>, rented (zeroed) from the workspace when first needed.</summary>
    private string TensorAdjoint(Variable v) => WrittenTensorAdjoint(v);

    /// <summary>
    /// The adjoint of tensor <paramref name="v"/> for a product; <paramref name="unwritten"/> says nothing has written
    /// it yet, so the product may overwrite it (a parameter's adjoint then needs no clearing, a rented one is zero).
    /// </summary>
    private string TensorAdjoint(Variable v, out bool unwritten)
    {
        if (_uncleared.Remove(v.Name))
        {
            unwritten = true;
            return Identifier(_tensorAdjoints[v.Name]);
        }
        unwritten = !_tensorAdjoints.ContainsKey(v.Name);
        return WrittenTensorAdjoint(v, overwritten: unwritten);
    }

    /// <summary>
    /// The adjoint of tensor <paramref name="v"/>, cleared or rented (zeroed) before its first write; rented uncleared
    /// when <paramref name="overwritten"/> says that first write assigns every element.
    /// </summary>
    private string WrittenTensorAdjoint(Variable v, bool overwritten = false)
    {
        if (_uncleared.Remove(v.Name))
        {
            Writer.Line(GradientEmitter.Zero(Identifier(_tensorAdjoints[v.Name]) + ".Span"));
        }
        if (!_tensorAdjoints.TryGetValue(v.Name, out string? name))
        {
            name = Names.Fresh(NameAllocator.AdjointStem(v.Name));
            string shape = Identifier(v.Name) + ".Shape";
            Writer.Line(TensorGradientEmitter.TensorType + " " + Identifier(name) + " = " + (overwritten ? RentOverwritten(shape) : Rent(shape)) + ";");
            _tensorAdjoints[v.Name] = name;
        }
        return Identifier(name);
    }

    /// <summary>The adjoint of a float when its own step is reversed: its local, or its pending terms; null when nothing reached it.</summary>
    private Expr? ScalarAdjoint(Variable v)
    {
        if (_scalarAdjoints.TryGetValue(v.Name, out string? declared))
        {
            return new Variable(declared, v.Type);
        }
        if (!_pending.TryGetValue(v.Name, out List<Expr>? terms) || Sum(terms) is not { } sum)
        {
            return null;
        }
        if (IsAtomic(sum))
        {
            return sum;
        }
        string name = Names.Fresh(NameAllocator.AdjointStem(v.Name));
        Writer.Line(v.Type.Name + " " + Identifier(name) + " = " + Print(sum) + ";");
        _scalarAdjoints[v.Name] = name;
        return new Variable(name, v.Type);
    }

    /// <summary>Declares the adjoint of float <paramref name="v"/> now (with its pending terms), so a loop can add to it.</summary>
    private void DeclareScalarAdjoint(Variable v)
    {
        if (_scalarAdjoints.ContainsKey(v.Name))
        {
            return;
        }
        Expr initial = _pending.TryGetValue(v.Name, out List<Expr>? terms) && Sum(terms) is { } sum ? sum : Const(0, v.Type);
        string name = Names.Fresh(NameAllocator.AdjointStem(v.Name));
        Writer.Line(v.Type.Name + " " + Identifier(name) + " = " + Print(initial) + ";");
        _scalarAdjoints[v.Name] = name;
    }

    /// <summary>
    /// Adds <paramref name="adjoint"/> times ∂e/∂v to the adjoint of every active variable v of the float expression
    /// <paramref name="e"/>, with the scalar derivative rules; inside a loop the adjoints must already be declared.
    /// </summary>
    private void PropagateScalar(Expr e, Expr adjoint, Action<string> line, bool inLoop)
    {
        switch (e)
        {
            case Variable v when Program.Active.Contains(v.Name) && v.Type.IsFloating:
                if (_scalarAdjoints.TryGetValue(v.Name, out string? declared))
                {
                    line(Accumulate(Identifier(declared), adjoint));
                }
                else if (inLoop)
                {
                    throw new InvalidOperationException("The adjoint of '" + v.Name + "' must be declared before the loop.");
                }
                else
                {
                    if (!_pending.TryGetValue(v.Name, out List<Expr>? terms))
                    {
                        _pending[v.Name] = terms = new List<Expr>();
                    }
                    terms.Add(adjoint);
                }
                return;
            case ElementRead r when _sequenceAdjoints.TryGetValue(r.Sequence.Name, out string? elements) && r.Type.IsFloating:
                line(Accumulate(Identifier(elements) + "[" + Print(r.Index) + "]", Convert(adjoint, r.Type)));
                return;
        }
        IReadOnlyList<Expr> operands = DerivativeRules.Operands(e);
        for (int i = 0; i < operands.Count; i++)
        {
            if (Activity.IsVaried(operands[i], Program.Active) && DerivativeRules.Partial(e, i, e) is { } partial)
            {
                Expr term = Multiply(Convert(adjoint, e.Type), partial);
                PropagateScalar(operands[i], Convert(term, operands[i].Type), line, inLoop);
            }
        }
    }

    /// <summary><c>target += value;</c>, or <c>target -= …;</c> for a negated value.</summary>
    internal static string Accumulate(string target, Expr value) =>
        value is Unary { Operator: UnaryOperator.Negate } negated
            ? target + " -= " + Print(negated.Operand) + ";"
            : target + " += " + Print(value) + ";";
}
