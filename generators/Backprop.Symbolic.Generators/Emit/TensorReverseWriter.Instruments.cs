using System.Collections.Generic;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>The adjoints an instrumented overload reports (see TensorMethodWriter.Instruments.cs).</summary>
internal sealed partial class TensorReverseWriter
{
    /// <summary>
    /// Reports the adjoint of the named tensor local <paramref name="step"/> computes, called just before the step is
    /// reversed: every later step, so every use of the local, has added its term by then. A local with no adjoint tensor
    /// (nothing active reads it, or only a reduction does, whose adjoint is one float) is not reported. Inside a loop over
    /// time, <paramref name="timeStep"/> is the backward iteration's index, the same as its forward iteration's.
    /// </summary>
    private void ReportAdjoint(TensorStep step, string? timeStep = null, IReadOnlyDictionary<string, string>? names = null)
    {
        if (Sink is null || ReportedLocal(step) is not { } local || !_tensorAdjoints.TryGetValue(local.Name, out string? adjoint))
        {
            return;
        }
        Writer.Line(Sink + "?.Adjoint(\"" + ReportedName(local, names) + "\", " + Identifier(adjoint) + ", " + TimeStep(timeStep) + ");");
    }

    /// <summary>
    /// Writes the instrumented overloads of <paramref name="model"/> after its plain methods: <c>{Name}Gradient(…, sink)</c>
    /// for a loss, <c>{Name}Value(…, sink)</c> and <c>{Name}Pullback(…, sink)</c> for a layer. <paramref name="names"/>
    /// is a copy of the allocator taken before the plain methods were written, so each overload names its locals as the
    /// plain one does.
    /// </summary>
    public static void WriteInstrumented(SourceWriter writer, MethodModel model, TensorProgram program, NameAllocator names)
    {
        writer.Line();
        if (model.ReturnType.IsTensor)
        {
            var value = new TensorReverseWriter(writer, model, program, names.Clone());
            value.Instrument();
            value.WriteValue();
            writer.Line();
            var pullback = new TensorReverseWriter(writer, model, program, names.Clone());
            pullback.Instrument();
            pullback.WritePullback();
        }
        else
        {
            var gradient = new TensorReverseWriter(writer, model, program, names.Clone());
            gradient.Instrument();
            gradient.Write();
        }
    }
}
