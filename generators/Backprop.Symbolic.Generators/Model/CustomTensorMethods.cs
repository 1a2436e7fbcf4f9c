namespace Backprop.Symbolic.Generators.Model;

/// <summary>
/// The hand-written methods of a tensor method, fully qualified: its gradient (a loss) or pullback (a layer), and for a
/// layer the method computing its value (the method itself when the attribute names no <c>Value</c>) and its tangent
/// (null when the attribute names none).
/// </summary>
public sealed record CustomTensorMethods(string Gradient, string? Value, string? Tangent);
