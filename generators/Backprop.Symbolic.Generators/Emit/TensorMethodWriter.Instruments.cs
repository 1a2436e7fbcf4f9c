using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Emit.ExpressionPrinter;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>
/// The overloads of <c>[Differentiable(Instrumented = true)]</c> methods: the same sweeps, with a last parameter
/// <c>IInstrumentSink? sink</c> that receives each named tensor local (a source local, not an intermediate
/// <c>_t0</c>) when the forward sweep has computed it, and its adjoint when the backward sweep has completed it (just
/// before the local's own statement is reversed, every use of it having been reversed already).
/// </summary>
internal abstract partial class TensorMethodWriter
{
    private const string InstrumentsNamespace = "global::Backprop.Symbolic.Instruments.";

    /// <summary>The sink parameter of an instrumented overload; null while writing the plain methods.</summary>
    protected string? Sink { get; private set; }

    /// <summary>True while a pullback recomputes its forward sweep: its <c>{Name}Value</c> already reported those activations.</summary>
    protected bool QuietForward { get; set; }

    /// <summary>Makes this writer write the instrumented overload.</summary>
    public void Instrument() => Sink = Names.Fresh("sink");

    /// <summary>The sink parameter for the signature, or nothing.</summary>
    protected IEnumerable<string> SinkParameter =>
        Sink is null ? Enumerable.Empty<string>() : new[] { InstrumentsNamespace + "IInstrumentSink? " + Sink };

    /// <summary>The sink's parameter documentation, or nothing.</summary>
    protected void WriteSinkDoc()
    {
        if (Sink is not null)
        {
            Writer.Line("/// <param name=\"" + Sink + "\">Receives each named tensor local and the activation that computed it in the forward sweep, and its adjoint in the backward sweep; <c>null</c> reports nothing.</param>");
        }
    }

    /// <summary>
    /// The sink argument of a call of an instrumented layer from an instrumented overload (its <c>{Name}Value</c> when
    /// <paramref name="forward"/>, its <c>{Name}Pullback</c> otherwise), or nothing.
    /// </summary>
    protected IEnumerable<string> LayerSink(TensorOperation operation, bool forward) =>
        Sink is not null && operation.Instrumented && !(forward && QuietForward) ? new[] { Sink } : Enumerable.Empty<string>();

    /// <summary>
    /// Reports the value of the named tensor local <paramref name="step"/> computed, if any. Inside a loop over time,
    /// <paramref name="timeStep"/> is the expression of the iteration's index (the loop's counter); outside one, null
    /// (<c>InstrumentSteps.None</c>).
    /// </summary>
    protected void ReportActivation(TensorStep step, string? timeStep = null, IReadOnlyDictionary<string, string>? names = null)
    {
        if (Sink is null || QuietForward || ReportedLocal(step) is not { } local)
        {
            return;
        }
        Writer.Line(Sink + "?.Activation(\"" + ReportedName(local, names) + "\", " + InstrumentsNamespace + "ActivationKind." + KindOf(step) + ", "
            + Identifier(local.Name) + ", " + TimeStep(timeStep) + ");");
    }

    /// <summary>The name a local is reported under: for a loop's state, the name of the variable the source carries.</summary>
    protected static string ReportedName(Variable local, IReadOnlyDictionary<string, string>? names) =>
        names is not null && names.TryGetValue(local.Name, out string? name) ? name : local.Name;

    /// <summary>The names a loop's steps report their states under: the state's next value (<c>h_2</c>) as the source's variable (<c>h</c>).</summary>
    protected static IReadOnlyDictionary<string, string> StateNames(LoopStep loop) => loop.Carried.ToDictionary(c => c.Next.Name, c => c.Name);

    /// <summary>The step argument of a report: the loop's index, or <c>InstrumentSteps.None</c> outside a loop.</summary>
    protected static string TimeStep(string? timeStep) => timeStep ?? InstrumentsNamespace + "InstrumentSteps.None";

    /// <summary>The named tensor local a step computes (a source local; intermediates are named with a leading '_'), or null.</summary>
    protected static Variable? ReportedLocal(TensorStep step)
    {
        Variable? target = step switch
        {
            FusedStep f => f.Target,
            KernelStep k when k.Target.Type.IsTensor => k.Target,
            _ => null,
        };
        return target is not null && !target.Name.StartsWith("_", System.StringComparison.Ordinal) ? target : null;
    }

    /// <summary>The activation whose saturation the sink counts: the last operation of the step's chain.</summary>
    private static string KindOf(TensorStep step) => step is FusedStep f
        ? f.Root.Function switch
        {
            TensorFunction.Tanh => "Tanh",
            TensorFunction.Sigmoid => "Sigmoid",
            TensorFunction.Relu => "Relu",
            _ => "None",
        }
        : "None";
}
