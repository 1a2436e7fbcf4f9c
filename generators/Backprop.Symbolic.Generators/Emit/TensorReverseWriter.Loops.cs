using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

// The backward sweep of a loop over time steps (backpropagation through time), and of the sequence operations.
internal sealed partial class TensorReverseWriter
{
    /// <summary>
    /// The steps in reverse order. Before the loop: the adjoints of what the body reads from outside it, rented (or
    /// cleared) once, so every step adds into them; two buffers per carried tensor, the adjoint of the state after the
    /// step (incoming) and before it (outgoing). Each step pops the views its forward step pushed, clears the outgoing
    /// buffer, runs the body's backward sweep under its own tape mark (its adjoints are released at the end of the
    /// step, so the workspace does not grow with the number of steps) and swaps the two buffers. After the loop the
    /// incoming buffer holds the adjoint of the state's value before the loop.
    /// </summary>
    private void WriteLoopBackward(LoopStep loop)
    {
        var carried = loop.Carried.Where(c => Program.Active.Contains(c.Header.Name)).ToList();
        var inside = new HashSet<string>(TensorProgram.Expand(loop.Body).Select(TensorProgram.Target).OfType<Variable>().Select(v => v.Name)) { loop.Counter.Name };
        inside.UnionWith(loop.Carried.Select(c => c.Header.Name));
        if (carried.Count == 0 && !TensorProgram.Expand(loop.Body).Any(s => TensorProgram.Target(s) is { } t && Program.Active.Contains(t.Name)))
        {
            return;
        }
        Writer.Line("// " + Model.Origins[loop.Origin] + ": backward, last step first");

        // What the body reads from outside the loop accumulates over the steps.
        foreach (Variable v in TensorProgram.Expand(loop.Body).SelectMany(Reads).Where(v => !inside.Contains(v.Name) && Program.Active.Contains(v.Name)))
        {
            if (v.Type.IsTensor)
            {
                WrittenTensorAdjoint(v);
            }
            else if (v.Type.IsFloating)
            {
                DeclareScalarAdjoint(v);
            }
        }

        var state = new List<(CarriedTensor Carried, string Incoming, string Outgoing)>();
        foreach (CarriedTensor c in carried)
        {
            string header = Identifier(c.Header.Name);
            // dState: the adjoint of the state after the step; dStateBefore: before it.
            string stem = NameAllocator.AdjointStem(UserName(c.Header.Name));
            string incoming = Names.Fresh(stem);
            string outgoing = Names.Fresh(stem + "Before");
            // Rented uncleared where a copy fills it, or (the adjoint before a step) where each step clears it first.
            bool reached = _tensorAdjoints.TryGetValue(c.Header.Name, out string? after);
            Writer.Line(TensorGradientEmitter.TensorType + " " + incoming + " = " + (reached ? RentOverwritten(header + ".Shape") : Rent(header + ".Shape")) + ";");
            if (reached)
            {
                Writer.Line(Identifier(after!) + ".Span.CopyTo(" + incoming + ".Span);");
            }
            Writer.Line(TensorGradientEmitter.TensorType + " " + outgoing + " = " + RentOverwritten(header + ".Shape") + ";");
            state.Add((c, incoming, outgoing));
        }

        string t = Identifier(loop.Counter.Name);
        Writer.Open("for (int " + t + " = " + Print(loop.End) + " - 1; " + t + " >= " + Print(loop.Start) + "; " + t + "--)");
        string mark = Names.Fresh("stepMark");
        var recorded = RecordedValues(loop);
        var headers = new HashSet<string>(loop.Carried.Select(c => Identifier(c.Header.Name)));
        for (int i = recorded.Count - 1; i >= 0; i--)
        {
            (string name, TypeRef type) = recorded[i];
            Writer.Line((headers.Contains(name) ? "" : Declaration(type) + " ") + name + " = " + Pop(type) + ";");
        }
        Writer.Line("global::Backprop.Symbolic.Taping.Tape.Mark " + mark + " = " + Tape + ".GetMark();");
        foreach ((CarriedTensor c, string incoming, string outgoing) in state)
        {
            Writer.Line(GradientEmitter.Zero(outgoing + ".Span"));
            _tensorAdjoints[c.Next.Name] = incoming;
            _tensorAdjoints[c.Header.Name] = outgoing;
        }
        LoopDepth++;
        for (int i = loop.Body.Count - 1; i >= 0; i--)
        {
            ReportAdjoint(loop.Body[i], t, StateNames(loop));
            WriteBackward(loop.Body[i]);
        }
        LoopDepth--;
        foreach ((CarriedTensor _, string incoming, string outgoing) in state)
        {
            Writer.Line("(" + incoming + ", " + outgoing + ") = (" + outgoing + ", " + incoming + ");");
        }
        Writer.Line(Tape + ".Release(" + mark + ");");
        Writer.Close();

        // The adjoint of each state's value before the loop.
        foreach ((CarriedTensor c, string incoming, string _) in state)
        {
            _tensorAdjoints.Remove(c.Next.Name);
            _tensorAdjoints.Remove(c.Header.Name);
            if (!Program.Active.Contains(c.Initial.Name))
            {
                continue;
            }
            if (!_tensorAdjoints.ContainsKey(c.Initial.Name))
            {
                _tensorAdjoints[c.Initial.Name] = incoming;
                continue;
            }
            string add = "global::Backprop.Symbolic.Kernels.SpanKernels.AddScaled(";
            if (_optional.Contains(c.Initial.Name))
            {
                string given = Identifier(_tensorAdjoints[c.Initial.Name]);
                Writer.Open("if (!" + given + ".IsDefault)");
                Writer.Line(add + given + ".Span, 1f, " + incoming + ".Span);");
                Writer.Close();
            }
            else
            {
                Writer.Line(add + WrittenTensorAdjoint(c.Initial) + ".Span, 1f, " + incoming + ".Span);");
            }
        }
    }

    /// <summary>The user's name of an SSA version (<c>h_2</c> → <c>h</c>).</summary>
    private static string UserName(string version)
    {
        int underscore = version.LastIndexOf('_');
        return underscore > 0 && version.Substring(underscore + 1).All(char.IsDigit) ? version.Substring(0, underscore) : version;
    }

    /// <summary>The variables a step reads.</summary>
    private static IEnumerable<Variable> Reads(TensorStep step) => step switch
    {
        FusedStep f => f.Root.PostOrder().SelectMany(n => n.Operands).SelectMany(o => o.Tensor is { } t ? new[] { t } : TensorProgram.Variables(o.Scalar)),
        KernelStep k => k.Operation.Arguments.SelectMany(TensorProgram.Variables),
        ScalarStep s => TensorProgram.Variables(s.Value),
        LoopStep l => l.Carried.Select(c => c.Initial),
        _ => Enumerable.Empty<Variable>(),
    };

    private void WriteRecordedValueRemarks()
    {
        Writer.Line("/// It also pushes onto the tape what <c>" + PullbackRecordedMethod(Model.Name) + "</c> reads (views, no copies), so that pullback");
        Writer.Line("/// does not compute the layer again: generated gradients call the two in pairs, the pullbacks in reverse order.");
    }

    private void WriteRecordedPullbackRemarks()
    {
        Writer.Line("/// Instead of computing the layer again, it pops what <c>" + ValueRecordedMethod(Model.Name) + "</c> pushed with the same arguments");
        Writer.Line("/// (the last such call not yet pulled back).");
    }

    /// <summary>TimeStep adds its adjoint into block t of the sequence's; Chunk into its columns of the input's.</summary>
    private void WriteSequenceBackward(KernelStep k)
    {
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        if (!_tensorAdjoints.TryGetValue(k.Target.Name, out string? dOut) || a[0] is not Variable x || !Program.Active.Contains(x.Name))
        {
            return;
        }
        Comment(k.Origin);
        string dY = Identifier(dOut);
        string kernels = TensorGradientEmitter.Kernels;
        IfNeeded(x, dX => k.Operation.Function == TensorFunction.TimeStep
            ? kernels + ".TimeStepBackward(" + dY + ", " + Print(a[1]) + ", " + dX + ");"
            : kernels + ".ChunkBackward(" + dY + ", " + Print(a[1]) + ", " + Print(a[2]) + ", " + dX + ");");
    }
}
