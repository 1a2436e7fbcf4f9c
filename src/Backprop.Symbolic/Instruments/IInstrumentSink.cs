using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Instruments;

/// <summary>
/// Receives the intermediate activations of a network and their adjoints while a gradient is computed. Generated code
/// reports to it from the overloads a <c>[Differentiable(Instrumented = true)]</c> method gets (the overloads without a
/// sink stay exactly as they are, so a loop that does not pass one pays nothing); a hand-written loop over layers can
/// report to it the same way.
/// </summary>
/// <remarks>
/// The tensors are views into the per-thread workspace, valid only during the call: read them, never keep them.
/// Name arguments are the source's names (string literals in generated code), so an implementation
/// can tell them apart by reference first. Implementations on a hot path should allocate nothing per report
/// (<see cref="ActivationRecorder"/> allocates only when it sees a name for the first time).
/// </remarks>
public interface IInstrumentSink
{
    /// <summary>
    /// The value of the local <paramref name="name"/>, computed by <paramref name="kind"/>, at time step
    /// <paramref name="step"/> of a loop over time (<see cref="InstrumentSteps.None"/> outside one).
    /// </summary>
    void Activation(string name, ActivationKind kind, Tensor value, int step);

    /// <summary>
    /// The adjoint ∂L/∂<paramref name="name"/>, complete (every use of the local reversed), at time step
    /// <paramref name="step"/> (<see cref="InstrumentSteps.None"/> outside a loop). Backward sweeps report the last step first.
    /// </summary>
    void Adjoint(string name, Tensor adjoint, int step);
}

/// <summary>Step indices of <see cref="IInstrumentSink"/> reports.</summary>
public static class InstrumentSteps
{
    /// <summary>The step of a report made outside any loop over time.</summary>
    public const int None = -1;
}
