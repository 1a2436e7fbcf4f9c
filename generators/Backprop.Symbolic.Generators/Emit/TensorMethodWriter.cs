using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// What the two modes of a method with tensors share: the names handed out once per method (spans, steps, loop
/// counters), the primal computation of each step (a kernel call or a fused loop into a tensor from the workspace),
/// and the method's frame (signature, argument checks, the tape's mark taken and released).
/// </summary>
internal abstract partial class TensorMethodWriter
{
    protected static readonly TypeRef Single = TypeRef.Single;

    private readonly Dictionary<string, string> _spans = new();
    private readonly Dictionary<string, string> _steps = new();
    private readonly Dictionary<string, string> _loopNames = new();
    private readonly Dictionary<string, string> _probabilities = new();
    private int _lastComment = -1;

    protected TensorMethodWriter(SourceWriter writer, MethodModel model, TensorProgram program, NameAllocator names)
    {
        Writer = writer;
        Model = model;
        Program = program;
        Names = names;
    }

    public SourceWriter Writer { get; }

    public MethodModel Model { get; }

    public TensorProgram Program { get; }

    protected NameAllocator Names { get; }

    /// <summary>The local holding the per-thread tape.</summary>
    protected string Tape { get; private set; } = "tape";

    /// <summary>The differentiated parameters.</summary>
    protected IEnumerable<ParameterModel> Differentiated => Model.Parameters.Where(p => p.AdjointName is not null);

    // ----- the method's frame ------------------------------------------------------------------------

    /// <summary>
    /// Throws before anything is computed when a tensor given for a differentiated parameter (an adjoint or a tangent)
    /// does not have that parameter's shape; spans are checked for their length.
    /// </summary>
    /// <param name="role">"adjoint" or "tangent", for the message.</param>
    /// <param name="defaultAllowed">True when <c>default</c> is accepted (a layer's: "not needed", or a zero direction).</param>
    protected void WriteShapeChecks(string role, bool defaultAllowed = false) => WriteShapeChecks(Writer, Model, role, defaultAllowed);

    /// <inheritdoc cref="WriteShapeChecks(string, bool)"/>
    internal static void WriteShapeChecks(SourceWriter writer, MethodModel model, string role, bool defaultAllowed = false)
    {
        foreach (ParameterModel p in model.Parameters.Where(p => p.AdjointName is not null && p.Type.IsTensor))
        {
            string given = Identifier(p.AdjointName!);
            writer.Open("if (" + (defaultAllowed ? "!" + given + ".IsDefault && " : "") + given + ".Shape != " + Identifier(p.Name) + ".Shape)");
            writer.Line("throw new global::System.ArgumentException(\"The " + role + " '" + p.AdjointName + "' must have the shape of '" + p.Name + "' (\" + "
                + Identifier(p.Name) + ".Shape + \"), but has \" + " + given + ".Shape + \".\", nameof(" + given + "));");
            writer.Close();
        }
        GradientEmitter.WriteLengthChecks(writer, model, role);
    }

    /// <summary>
    /// Takes a mark on the thread's tape, runs <paramref name="body"/> in a <c>try</c> and releases the mark in the
    /// <c>finally</c>; then returns <paramref name="value"/> (null for a void method).
    /// </summary>
    protected void WithTape(string? value, Action body)
    {
        DeclareTape();
        string mark = Names.Fresh("mark");
        Writer.Line("global::Backprop.Symbolic.Taping.Tape.Mark " + mark + " = " + Tape + ".GetMark();");
        if (value is not null)
        {
            Writer.Line(Model.ReturnType.Name + " " + Identifier(value) + ";");
        }
        Writer.Open("try");
        body();
        Writer.Close();
        Writer.Open("finally");
        Writer.Line(Tape + ".Release(" + mark + ");");
        Writer.Close();
        if (value is not null)
        {
            Writer.Line("return " + Identifier(value) + ";");
        }
    }

    /// <summary>The local holding the thread's tape.</summary>
    protected void DeclareTape()
    {
        Tape = Names.Fresh("tape");
        Writer.Line("global::Backprop.Symbolic.Taping.Tape " + Tape + " = global::Backprop.Symbolic.Taping.Tape.Current;");
    }

    /// <summary>True for a layer: a method that returns a tensor.</summary>
    protected bool IsLayer => Model.ReturnType.IsTensor;

    /// <summary>The name of a layer's method that computes its value into the workspace.</summary>
    public static string ValueMethod(string method) => method + "Value";

    /// <summary>The name of a layer's vector-Jacobian product, which accumulates into the adjoints it is given.</summary>
    public static string PullbackMethod(string method) => method + "Pullback";

    // ----- the primal computation ----------------------------------------------------------------------

    /// <summary>
    /// Writes the primal computation of <paramref name="step"/> (a fused step through <see cref="WriteFused"/>); the
    /// result goes to <paramref name="value"/>, or is returned when <paramref name="value"/> is empty (a layer's
    /// value method).
    /// </summary>
    protected void WritePrimal(TensorStep step, string value)
    {
        switch (step)
        {
            case ScalarStep s:
                Writer.Line(s.Target.Type.Name + " " + Identifier(s.Target.Name) + " = " + Print(s.Value) + ";");
                break;
            case ReturnStep r when IsLayer && value.Length == 0:
                Writer.Line("return " + Print(r.Value) + ";");
                break;
            case ReturnStep r when IsLayer:
                break; // the pullback's result is the adjoints
            case ReturnStep r:
                Writer.Line(Identifier(value) + " = " + Print(r.Value) + ";");
                break;
            case PassiveStep { Statement: ExpressionStatement x }:
                Writer.Line(Print(x.Value) + ";");
                break;
            case KernelStep k:
                WriteKernel(k);
                break;
            case FusedStep f:
                Writer.Line(TensorGradientEmitter.TensorType + " " + Identifier(f.Target.Name) + " = " + RentOverwritten(ShapeOf(f.Root)) + ";");
                WriteFused(f);
                break;
            case LoopStep loop:
                WriteLoop(loop, value);
                break;
        }
    }

    /// <summary>
    /// The loop that computes a fused step's elements (forward mode adds the tangents to it). A chain that ends in an
    /// activation <c>TensorPrimitives</c> vectorizes writes the activation's operand in the loop and applies the
    /// activation in place after it; the activation of a tensor alone needs no loop.
    /// </summary>
    protected virtual void WriteFused(FusedStep f)
    {
        string target = Identifier(f.Target.Name);
        if (Vectorized(f.Root.Function) is { } primitive)
        {
            FusedOperand operand = f.Root.Operands[0];
            if (operand.Tensor is { } source)
            {
                Writer.Line(primitive + "((global::System.ReadOnlySpan<float>)" + Identifier(source.Name) + ".Span, " + target + ".Span);");
                return;
            }
            var inner = new ElementLoop(this, f);
            var innerBody = new List<ElementStatement>();
            Expr pre = inner.ForwardValue(operand.Node!, innerBody, top: true);
            innerBody.Add(ElementStatement.Store(inner.ElementOf(f.Target.Name, isRoot: true), pre));
            inner.Write(innerBody);
            Writer.Line(primitive + "((global::System.ReadOnlySpan<float>)" + target + ".Span, " + target + ".Span);");
            return;
        }
        var loop = new ElementLoop(this, f);
        var body = new List<ElementStatement>();
        Expr element = loop.ForwardValue(f.Root, body, top: true);
        body.Add(ElementStatement.Store(loop.ElementOf(f.Target.Name, isRoot: true), element));
        loop.Write(body);
    }

    /// <summary><c>System.Numerics.Tensors.TensorPrimitives</c>, fully qualified.</summary>
    protected const string Primitives = "global::System.Numerics.Tensors.TensorPrimitives";

    /// <summary>The vectorized <c>TensorPrimitives</c> method of an activation (its span overload, in place allowed), or null.</summary>
    private static string? Vectorized(TensorFunction function) => function switch
    {
        TensorFunction.Tanh or TensorFunction.Sigmoid or TensorFunction.Exp or TensorFunction.Log or TensorFunction.Sqrt
            => "global::System.Numerics.Tensors.TensorPrimitives." + function,
        _ => null,
    };

    private void WriteKernel(KernelStep k)
    {
        string target = Identifier(k.Target.Name);
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        string kernels = TensorGradientEmitter.Kernels;
        switch (k.Operation.Function)
        {
            case TensorFunction.MatMul:
                Writer.Line(TensorGradientEmitter.TensorType + " " + target + " = " + RentOverwritten(TensorGradientEmitter.Shapes + ".MatMul(" + Print(a[0]) + ".Shape, " + Print(a[1]) + ".Shape)") + ";");
                Writer.Line(kernels + ".MatMul(" + Print(a[0]) + ", " + Print(a[1]) + ", " + target + ");");
                break;
            case TensorFunction.Layer:
                // The recorded pair (a layer called inside a loop over time) has no instrumented overload.
                Writer.Line(TensorGradientEmitter.TensorType + " " + target + " = " + LayerValueMethod(k) + "("
                    + string.Join(", ", a.Select(Print).Concat(RecordsLayer(k) ? Enumerable.Empty<string>() : LayerSink(k.Operation, forward: true))) + ");");
                break;
            case TensorFunction.Softmax:
            case TensorFunction.LogSoftmax:
                Writer.Line(TensorGradientEmitter.TensorType + " " + target + " = " + RentOverwritten(Print(a[0]) + ".Shape") + ";");
                Writer.Line(kernels + "." + k.Operation.Function + "(" + Print(a[0]) + ", " + target + ");");
                break;
            case TensorFunction.SumAxis:
            case TensorFunction.MeanAxis:
                Writer.Line(TensorGradientEmitter.TensorType + " " + target + " = " + RentOverwritten(TensorGradientEmitter.Shapes + ".Reduce(" + Print(a[0]) + ".Shape, " + Print(a[1]) + ")") + ";");
                Writer.Line(kernels + ".Sum(" + Print(a[0]) + ", " + Print(a[1]) + ", " + target + ");");
                if (k.Operation.Function == TensorFunction.MeanAxis)
                {
                    Writer.Line(Primitives + ".Multiply((global::System.ReadOnlySpan<float>)" + target + ".Span, 1f / " + Print(a[0]) + ".Shape[" + Print(a[1]) + "], " + target + ".Span);");
                }
                break;
            case TensorFunction.Concat:
                Writer.Line(TensorGradientEmitter.TensorType + " " + target + " = " + RentOverwritten(TensorGradientEmitter.Shapes + ".Concat(" + Print(a[0]) + ", " + Print(a[1]) + ".Shape, " + Print(a[2]) + ".Shape)") + ";");
                Writer.Line(kernels + ".Concat(" + Print(a[0]) + ", " + Print(a[1]) + ", " + Print(a[2]) + ", " + target + ");");
                break;
            case TensorFunction.Gather:
                Writer.Line(TensorGradientEmitter.TensorType + " " + target + " = " + RentOverwritten(TensorGradientEmitter.Shapes + ".Gather(" + Print(a[0]) + ".Shape, " + Print(a[1]) + ".Length)") + ";");
                Writer.Line(kernels + ".Gather(" + Print(a[0]) + ", " + Print(a[1]) + ", " + target + ");");
                break;
            case TensorFunction.Reshape:
                WriteReshape(k);
                break;
            case TensorFunction.Conv2D:
            case TensorFunction.MaxPool2D:
            case TensorFunction.AvgPool2D:
            case TensorFunction.Flatten:
                WriteConvolution(k);
                break;
            case TensorFunction.Sum:
                Writer.Line("float " + target + " = " + kernels + ".Sum(" + Print(a[0]) + ");");
                break;
            case TensorFunction.Mean:
                Writer.Line("float " + target + " = " + kernels + ".Sum(" + Print(a[0]) + ") / " + Print(a[0]) + ".Length;");
                break;
            case TensorFunction.SoftmaxCrossEntropy:
            {
                string probabilities = Probabilities(k);
                Writer.Line(TensorGradientEmitter.TensorType + " " + probabilities + " = " + RentOverwritten(Print(a[0]) + ".Shape") + ";");
                Writer.Line("float " + target + " = " + kernels + ".SoftmaxCrossEntropy(" + Print(a[0]) + ", " + Print(a[1]) + ", " + probabilities + ");");
                break;
            }
            case TensorFunction.MeanSquaredError:
                Writer.Line("float " + target + " = " + kernels + ".MeanSquaredError(" + Print(a[0]) + ", " + Print(a[1]) + ");");
                break;
            case TensorFunction.CustomLoss:
                WriteCustomLoss(k);
                break;
            case TensorFunction.TimeStep:
            case TensorFunction.Chunk:
                WriteSequenceKernel(k);
                break;
            default:
                throw new InvalidOperationException("No kernel for " + k.Operation.Function);
        }
    }

    /// <summary>The softmax a cross-entropy keeps for its derivative.</summary>
    protected string Probabilities(KernelStep k)
    {
        if (!_probabilities.TryGetValue(k.Target.Name, out string? name))
        {
            name = Names.Fresh(((Variable)k.Operation.Arguments[0]).Name + "Softmax");
            _probabilities[k.Target.Name] = name;
        }
        return name;
    }

    /// <summary>The shape of a fused operation's result, checked where two tensors meet.</summary>
    protected string ShapeOf(FusedNode node)
    {
        var tensors = node.Operands.Where(o => o.IsTensorValued).ToList();
        string OperandShape(FusedOperand o) => o.Node is { } inner ? ShapeOf(inner) : Print(o.Tensor!) + ".Shape";
        if (tensors.Count == 2)
        {
            return TensorGradientEmitter.Shapes + ".Broadcast(\"" + OperatorName(node.Function) + "\", " + OperandShape(tensors[0]) + ", " + OperandShape(tensors[1]) + ")";
        }
        return OperandShape(tensors[0]);
    }

    private static string OperatorName(TensorFunction function) => function switch
    {
        TensorFunction.Add => "operator +",
        TensorFunction.Subtract => "operator -",
        TensorFunction.Multiply => "operator *",
        TensorFunction.Divide => "operator /",
        _ => function.ToString(),
    };

    /// <summary>A zeroed tensor of <paramref name="shape"/> from the workspace.</summary>
    protected string Rent(string shape) => Tape + ".RentTensor(" + shape + ")";

    /// <summary>
    /// A tensor of <paramref name="shape"/> from the workspace, not cleared: only for a tensor whose first write
    /// assigns every element (a kernel that overwrites its result, a loop that stores every element).
    /// </summary>
    protected string RentOverwritten(string shape) => Tape + ".RentTensorUninitialized(" + shape + ")";

    /// <summary>A comment naming the source statement, once per run of blocks from the same statement.</summary>
    protected void Comment(int origin)
    {
        if (origin >= 0 && origin < Model.Origins.Count && origin != _lastComment)
        {
            Writer.Line("// " + Model.Origins[origin]);
            _lastComment = origin;
        }
    }

    // ----- names ---------------------------------------------------------------------------------------

    /// <summary>The span local over a tensor's (or an adjoint's) elements, one name per tensor for the whole method.</summary>
    public string SpanName(string tensor) => Once(_spans, tensor, tensor + "Values");

    /// <summary>The local holding how far a broadcast operand's elements advance per row.</summary>
    public string StepName(string tensor) => Once(_steps, tensor, tensor + "Step");

    /// <summary>A loop counter or bound, one name per method, reused by every loop block.</summary>
    public string LoopName(string stem) => Once(_loopNames, stem, stem);

    /// <summary>The k-th local of a loop body (element values and adjoints), reused across loops.</summary>
    public string Local(int k, string stem) => LoopName(stem + k.ToString(CultureInfo.InvariantCulture));

    private string Once(Dictionary<string, string> names, string key, string stem)
    {
        if (!names.TryGetValue(key, out string? name))
        {
            name = Names.Fresh(stem);
            names[key] = name;
        }
        return name;
    }
}
