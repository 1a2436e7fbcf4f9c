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
        foreach (TensorStep step in loop.Body)
        {
            WritePrimal(step, value);
        }
        if (RecordsLoops)
        {
            foreach ((string name, TypeRef type) in RecordedValues(loop))
            {
                Writer.Line(Tape + "." + (type.IsTensor ? "PushTensor(" + name + ")" : type.IsFloating ? "Push(" + name + ")" : "Push((long)" + name + ")") + ";");
            }
        }
        WriteCarry(loop.Carried.Select(c => (c.Header.Name, c.Next.Name)).ToList(), loop.Carried.Select(c => c.Header.Name));
        Writer.Close();
    }

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
        Writer.Line(TensorGradientEmitter.TensorType + " " + target + " = " + Rent(TensorGradientEmitter.Shapes + ".Chunk(" + Print(a[0]) + ".Shape, " + Print(a[1]) + ", " + Print(a[2]) + ")") + ";");
        Writer.Line(TensorGradientEmitter.Kernels + ".CopyChunk(" + Print(a[0]) + ", " + Print(a[1]) + ", " + Print(a[2]) + ", " + target + ");");
    }
}
