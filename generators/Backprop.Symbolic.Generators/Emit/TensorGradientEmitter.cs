using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// Writes the generated file of a [Differentiable] method with <c>Tensor</c> parameters: <c>{Name}Gradient</c>
/// (<see cref="TensorReverseWriter"/>) and <c>{Name}Derivative</c> (<see cref="TensorForwardWriter"/>); the shapes of
/// results come from the runtime's <c>TensorShapes</c>. Every tensor the methods compute comes from the per-thread
/// workspace, one kernel call or one fused loop per step.
/// </summary>
internal static class TensorGradientEmitter
{
    internal const string TensorType = "global::Backprop.Symbolic.Tensors.Tensor";
    internal const string Kernels = "global::Backprop.Symbolic.Kernels.TensorKernels";
    internal const string SpanType = "global::System.Span<float>";

    /// <summary>The runtime's helpers for the shapes of results (checked as the eager operations check them).</summary>
    internal const string Shapes = "global::Backprop.Symbolic.Tensors.TensorShapes";

    /// <summary>
    /// True for methods the tensor sweeps handle: those with a <c>Tensor</c> parameter or result, but for those that
    /// read tensor elements in scalar code (<see cref="MethodModel.TensorElements"/>), which the scalar core handles.
    /// </summary>
    public static bool Handles(MethodModel model) => (model.ReturnType.IsTensor || model.Parameters.Any(p => p.Type.IsTensor)) && !model.TensorElements;

    /// <param name="fuse">False writes every element-wise operation as its own loop (tests compare both).</param>
    public static GeneratedFile Emit(MethodModel model, bool fuse, CancellationToken cancellationToken)
    {
        var taken = new HashSet<string>();
        foreach (ParameterModel p in model.Parameters)
        {
            taken.Add(p.Name);
            if (p.AdjointName is not null)
            {
                taken.Add(p.AdjointName);
            }
        }
        VariableUses.Definitions(model.Body, taken);
        var names = new NameAllocator(model.ReservedNames, taken);
        TensorProgram program = TensorProgram.Build(model.Body, model.Parameters.Where(p => p.AdjointName is not null).Select(p => p.Name), names, fuse);
        cancellationToken.ThrowIfCancellationRequested();

        return GradientEmitter.WriteFile(model, writer =>
        {
            // Each method is its own scope, so each may reuse the names the others take.
            NameAllocator forwardModeNames = names.Clone();
            NameAllocator instrumentedNames = names.Clone();
            if (model.ReturnType.IsTensor)
            {
                // A layer: its value into the workspace, and its vector-Jacobian product.
                new TensorReverseWriter(writer, model, program, names.Clone()).WriteValue();
                writer.Line();
                new TensorReverseWriter(writer, model, program, names.Clone()).WritePullback();
                // The same pair for callers that keep what the pullback needs: generated gradients and pullbacks.
                writer.Line();
                new TensorReverseWriter(writer, model, program, names.Clone()).WriteValue(recorded: true);
                writer.Line();
                new TensorReverseWriter(writer, model, program, names).WritePullback(recorded: true);
            }
            else
            {
                new TensorReverseWriter(writer, model, program, names).Write();
            }
            writer.Line();
            new TensorForwardWriter(writer, model, program, forwardModeNames).Write();
            if (model.Instrumented)
            {
                TensorReverseWriter.WriteInstrumented(writer, model, program, instrumentedNames);
            }
        });
    }
}
