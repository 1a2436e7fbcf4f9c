using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Emit;

// A call of a [Differentiable] method that returns a float: the forward sweep calls its {Name}Gradient, which returns the
// value and writes the partials (a tensor from the workspace per tensor argument, a float per float argument); the
// backward sweep adds them, times the call's adjoint, to the arguments' adjoints.
internal sealed partial class TensorReverseWriter
{
    // The locals holding each call's partials, by the call's target and argument position.
    private readonly Dictionary<(string Call, int Argument), string> _callPartials = new();

    protected override void WriteCall(KernelStep k)
    {
        if (!Program.Active.Contains(k.Target.Name))
        {
            base.WriteCall(k);
            return;
        }
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        var arguments = a.Select(Print).ToList();
        string stem = CallStem(k.Operation);
        for (int i = 0; i < a.Count; i++)
        {
            if (!k.Operation.Differentiated[i])
            {
                continue;
            }
            string partial = Names.Fresh(stem + "_" + NameAllocator.AdjointStem(a[i] is Variable v ? v.Name : "arg" + i));
            _callPartials[(k.Target.Name, i)] = partial;
            if (a[i].Type.IsTensor)
            {
                // The gradient overwrites it; it must have the argument's shape even where the argument is passive.
                Writer.Line(TensorGradientEmitter.TensorType + " " + Identifier(partial) + " = " + Rent(Print(a[i]) + ".Shape") + ";");
                arguments.Add(Identifier(partial));
            }
            else
            {
                arguments.Add("out " + a[i].Type.Name + " " + Identifier(partial));
            }
        }
        Writer.Line(k.Target.Type.Name + " " + Identifier(k.Target.Name) + " = " + k.Operation.Method + "Gradient(" + string.Join(", ", arguments) + ");");
    }

    private void WriteCallBackward(KernelStep k, Expr adjoint)
    {
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        if (!IsAtomic(adjoint))
        {
            string local = Names.Fresh("_g");
            Writer.Line(k.Target.Type.Name + " " + local + " = " + Print(adjoint) + ";");
            adjoint = new Variable(local, k.Target.Type);
        }
        for (int i = 0; i < a.Count; i++)
        {
            if (!_callPartials.TryGetValue((k.Target.Name, i), out string? partial) || !Activity.IsVaried(a[i], Program.Active))
            {
                continue;
            }
            if (a[i] is Variable { Type.IsTensor: true } tensor)
            {
                string scale = Print(Convert(adjoint, Single));
                string dTensor = TensorAdjoint(tensor, out bool unwritten);
                Writer.Line(unwritten
                    ? Primitives + ".Multiply((global::System.ReadOnlySpan<float>)" + Identifier(partial) + ".Span, " + scale + ", " + dTensor + ".Span);"
                    : "global::Backprop.Symbolic.Kernels.SpanKernels.AddScaled(" + dTensor + ".Span, " + scale + ", " + Identifier(partial) + ".Span);");
            }
            else
            {
                PropagateScalar(a[i], Convert(Multiply(adjoint, new Variable(partial, a[i].Type)), a[i].Type), Writer.Line, inLoop: false);
            }
        }
    }
}
