namespace Backprop.Symbolic.Generators.Model;

/// <summary>
/// A loop over time steps in a method with tensors: <c>for (int Counter = Start; Counter &lt; End; Counter++) { Body }</c>,
/// its body straight-line. <see cref="Carried"/> are the user's variables declared before the loop and assigned in it
/// (the recurrent state): the body reads each one's <see cref="CarriedTensor.Header"/>, and its next value is
/// <see cref="CarriedTensor.Next"/>. Everything else the body defines is fresh in every step; after the loop the
/// headers hold the last step's values.
/// </summary>
public sealed record TensorLoop(Variable Counter, Expr Start, Expr End, EquatableArray<CarriedTensor> Carried, EquatableArray<Statement> Body, int Origin)
    : Statement(Origin);

/// <summary>
/// A tensor a loop carries from one step to the next: its value in the step (<see cref="Header"/>), before the loop, and
/// after the step; <see cref="Name"/> is the source's variable (what instruments report it as).
/// </summary>
public sealed record CarriedTensor(Variable Header, Variable Initial, Variable Next, string Name);
