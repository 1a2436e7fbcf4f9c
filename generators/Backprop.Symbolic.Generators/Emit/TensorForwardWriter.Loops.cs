using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

// Forward mode through a loop over time steps: the state and its tangent are carried together.
internal sealed partial class TensorForwardWriter
{
    private void WriteLoopWithTangents(LoopStep loop, string value)
    {
        DeclareState(loop);
        var active = loop.Carried.Where(c => Program.Active.Contains(c.Header.Name)).ToList();
        foreach (CarriedTensor c in active)
        {
            string tangent = Names.Fresh(NameAllocator.AdjointStem(c.Header.Name));
            string initial = TensorTangent(c.Initial) ?? Rent(Identifier(c.Initial.Name) + ".Shape");
            Writer.Line(TensorGradientEmitter.TensorType + " " + tangent + " = " + initial + ";");
            _tangents[c.Header.Name] = tangent;
        }
        Writer.Open(ForwardHead(loop));
        WriteSteps(loop.Body, value, null);
        var pairs = loop.Carried.Select(c => (c.Header.Name, c.Next.Name)).ToList();
        foreach (CarriedTensor c in active)
        {
            if (_tangents.TryGetValue(c.Next.Name, out string? next))
            {
                pairs.Add((_tangents[c.Header.Name], next));
            }
            else
            {
                // The next state does not depend on the parameters: a zero tangent.
                Writer.Line(Identifier(_tangents[c.Header.Name]) + " = " + Rent(Identifier(c.Next.Name) + ".Shape") + ";");
            }
        }
        WriteCarry(pairs, pairs.Select(p => p.Item1));
        Writer.Close();
    }

    /// <summary>The tangent of <c>TimeStep</c> is the same step of the sequence's tangent (a view); of <c>Chunk</c>, the same chunk.</summary>
    private void WriteSequenceTangent(KernelStep k)
    {
        IReadOnlyList<Expr> a = k.Operation.Arguments;
        if (TensorTangent(a[0]) is not { } tX)
        {
            return;
        }
        if (k.Operation.Function == TensorFunction.TimeStep)
        {
            Declare(k.Target, TensorGradientEmitter.TensorType, TensorGradientEmitter.TensorType + ".TimeStep(" + tX + ", " + Print(a[1]) + ")");
            return;
        }
        Declare(k.Target, TensorGradientEmitter.TensorType, RentOverwritten(Identifier(k.Target.Name) + ".Shape"));
        Writer.Line(TensorGradientEmitter.Kernels + ".CopyChunk(" + tX + ", " + Print(a[1]) + ", " + Print(a[2]) + ", " + Identifier(_tangents[k.Target.Name]) + ");");
    }
}
