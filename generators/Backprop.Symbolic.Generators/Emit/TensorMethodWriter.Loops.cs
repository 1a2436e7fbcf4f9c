using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

// Loops over time steps, and the sequence operations (TimeStep, Chunk): the primal code both modes share.
internal abstract partial class TensorMethodWriter
{
    /// <summary>
    /// True while writing a forward sweep a backward sweep follows: each step of a loop then pushes, as views on the
    /// tape's tensor stack, the values its backward step reads (<see cref="LoopStep.Recorded"/>).
    /// </summary>
    protected bool RecordsLoops { get; set; }

    /// <summary>
    /// The forward loop: the state declared with its value before the loop, the body's steps, the recorded values
    /// pushed, and the state set to its next value at the end of each step.
    /// </summary>
    protected void WriteLoop(LoopStep loop, string value)
    {
        DeclareState(loop);
        Writer.Open(ForwardHead(loop));
        LoopDepth++;
        foreach (TensorStep step in loop.Body)
        {
            WritePrimal(step, value);
            ReportActivation(step, Identifier(loop.Counter.Name), StateNames(loop));
        }
        LoopDepth--;
        if (RecordsLoops)
        {
            foreach ((string name, TypeRef type) in RecordedValues(loop))
            {
                Writer.Line(Push(name, type));
            }
        }
        WriteCarry(loop.Carried.Select(c => (c.Header.Name, c.Next.Name)).ToList(), loop.Carried.Select(c => c.Header.Name));
        Writer.Close();
    }

    /// <summary>How many loops the code being written is inside.</summary>
    protected int LoopDepth { get; set; }

    /// <summary>
    /// True when a layer call records what its pullback needs instead of having the pullback recompute it: in every
    /// forward sweep a backward sweep follows (a gradient, a pullback, inside loops over time steps too), for a call that
    /// carries derivatives. An instrumented layer called from an instrumented overload keeps its plain pair, which
    /// takes the sink.
    /// </summary>
    protected bool RecordsLayer(KernelStep k) =>
        RecordsLoops && Program.Active.Contains(k.Target.Name) && !(Sink is not null && k.Operation.Instrumented) && k.Operation.Custom is null;

    /// <summary>The layer method a forward sweep calls for <paramref name="k"/>.</summary>
    protected string LayerValueMethod(KernelStep k) =>
        k.Operation.Custom?.Value ?? (RecordsLayer(k) ? ValueRecordedMethod(k.Operation.Method!) : ValueMethod(k.Operation.Method!));

    /// <summary>The name of a layer's value method that also pushes what its recorded pullback reads.</summary>
    public static string ValueRecordedMethod(string method) => method + "ValueRecorded";

    /// <summary>The name of a layer's pullback that pops what its recorded value method pushed instead of recomputing it.</summary>
    public static string PullbackRecordedMethod(string method) => method + "PullbackRecorded";

    /// <summary>
    /// What a layer's recorded value method pushes: every value its top-level steps compute, the state of its loops after
    /// them, and the softmax of each cross-entropy that carries a derivative.
    /// </summary>
    private List<(string Name, TypeRef Type)> LayerRecord()
    {
        var values = new List<(string Name, TypeRef Type)>();
        foreach (TensorStep step in Program.Steps)
        {
            switch (step)
            {
                case FusedStep f:
                    values.Add((Identifier(f.Target.Name), f.Target.Type));
                    break;
                case KernelStep k:
                    values.Add((Identifier(k.Target.Name), k.Target.Type));
                    if (k.Operation.Function == TensorFunction.SoftmaxCrossEntropy && Program.Active.Contains(k.Target.Name))
                    {
                        values.Add((Probabilities(k), TypeRef.Tensor));
                    }
                    break;
                case ScalarStep s when s.Target.Type.IsFloating || s.Target.Type.Kind == ScalarKind.Integer:
                    values.Add((Identifier(s.Target.Name), s.Target.Type));
                    break;
                case LoopStep loop:
                    values.AddRange(loop.Carried.Select(c => (Identifier(c.Header.Name), TypeRef.Tensor)));
                    break;
            }
        }
        return values;
    }

    /// <summary>Pushes <see cref="LayerRecord"/>, before a recorded value method returns.</summary>
    protected void WriteLayerPushes()
    {
        foreach ((string name, TypeRef type) in LayerRecord())
        {
            Writer.Line(Push(name, type));
        }
    }

    /// <summary>Pops <see cref="LayerRecord"/> into locals of the same names, last first, where a recorded pullback starts.</summary>
    protected void WriteLayerPops()
    {
        Writer.Line("// what " + ValueRecordedMethod(Model.Name) + " recorded");
        var values = LayerRecord();
        for (int i = values.Count - 1; i >= 0; i--)
        {
            Writer.Line(Declaration(values[i].Type) + " " + values[i].Name + " = " + Pop(values[i].Type) + ";");
        }
    }

    private string Push(string name, TypeRef type) =>
        Tape + "." + (type.IsTensor ? "PushTensor(" + name + ")" : type.IsFloating ? "Push(" + name + ")" : "Push((long)" + name + ")") + ";";

    /// <summary>The expression that pops a value of <paramref name="type"/>.</summary>
    protected string Pop(TypeRef type) =>
        type.IsTensor ? Tape + ".PopTensor()" : type.IsFloating ? "(" + type.Name + ")" + Tape + ".PopDouble()" : "(int)" + Tape + ".PopInt64()";

    /// <summary>The type a local of <paramref name="type"/> is declared with.</summary>
    protected static string Declaration(TypeRef type) => type.IsTensor ? TensorGradientEmitter.TensorType : type.Name;

    /// <summary>The state's variables, set to their values before the loop.</summary>
    protected void DeclareState(LoopStep loop)
    {
        foreach (CarriedTensor c in loop.Carried)
        {
            Writer.Line(TensorGradientEmitter.TensorType + " " + Identifier(c.Header.Name) + " = " + Identifier(c.Initial.Name) + ";");
        }
    }

    /// <summary><c>for (int t = start; t &lt; end; t++)</c>.</summary>
    protected static string ForwardHead(LoopStep loop)
    {
        string t = Identifier(loop.Counter.Name);
        return "for (int " + t + " = " + Print(loop.Start) + "; " + t + " < " + Print(loop.End) + "; " + t + "++)";
    }

    /// <summary>
    /// The values a forward step pushes, in order, with their types: <see cref="LoopStep.Recorded"/>, and the softmax of
    /// each cross-entropy in the body that carries a derivative.
    /// </summary>
    protected List<(string Name, TypeRef Type)> RecordedValues(LoopStep loop)
    {
        var values = loop.Recorded.Select(v => (Identifier(v.Name), v.Type)).ToList();
        foreach (KernelStep k in loop.Body.OfType<KernelStep>())
        {
            if (k.Operation.Function == TensorFunction.SoftmaxCrossEntropy && Program.Active.Contains(k.Target.Name))
            {
                values.Add((Probabilities(k), TypeRef.Tensor));
            }
        }
        return values;
    }

    /// <summary>
    /// <c>target = source;</c> for each pair, as one parallel assignment: through temporaries when a source is one of
    /// the targets (a state that takes another's value).
    /// </summary>
    protected void WriteCarry(IReadOnlyList<(string Target, string Source)> pairs, IEnumerable<string> targets)
    {
        var assigned = new HashSet<string>(targets);
        if (pairs.Any(p => assigned.Contains(p.Source) && p.Source != p.Target))
        {
            var temporaries = new List<string>();
            foreach ((string _, string source) in pairs)
            {
                string temporary = Names.Fresh("_next");
                Writer.Line(TensorGradientEmitter.TensorType + " " + temporary + " = " + Identifier(source) + ";");
                temporaries.Add(temporary);
            }
            for (int i = 0; i < pairs.Count; i++)
            {
                Writer.Line(Identifier(pairs[i].Target) + " = " + temporaries[i] + ";");
            }
            return;
        }
        foreach ((string target, string source) in pairs)
        {
            if (target != source)
            {
                Writer.Line(Identifier(target) + " = " + Identifier(source) + ";");
            }
        }
    }

    /// <summary><c>TimeStep</c> is a view of the sequence; <c>Chunk</c> copies its columns into a tensor from the workspace.</summary>
    private void WriteSequenceKernel(KernelStep k)
    {
        string target = Identifier(k.Target.Name);
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        if (k.Operation.Function == TensorFunction.TimeStep)
        {
            Writer.Line(TensorGradientEmitter.TensorType + " " + target + " = " + TensorGradientEmitter.TensorType + ".TimeStep(" + Print(a[0]) + ", " + Print(a[1]) + ");");
            return;
        }
        Writer.Line(TensorGradientEmitter.TensorType + " " + target + " = " + RentOverwritten(TensorGradientEmitter.Shapes + ".Chunk(" + Print(a[0]) + ".Shape, " + Print(a[1]) + ", " + Print(a[2]) + ")") + ";");
        Writer.Line(TensorGradientEmitter.Kernels + ".CopyChunk(" + Print(a[0]) + ", " + Print(a[1]) + ", " + Print(a[2]) + ", " + target + ");");
    }
}
