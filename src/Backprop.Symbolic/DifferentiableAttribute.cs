using System;

namespace Backprop.Symbolic;

/// <summary>
/// Marks a <c>static</c> method of a <c>partial</c> type for compile-time differentiation.
/// The Backprop.Symbolic source generator adds, to the same type and with the same accessibility,
/// <c>{Name}Gradient</c>: it takes the method's parameters followed by one <c>out</c> adjoint per
/// differentiable parameter (named <c>d</c> + the parameter name with its first letter upper-cased)
/// and returns the method's value.
/// </summary>
/// <remarks>
/// With no arguments every <see cref="float"/> and <see cref="double"/> parameter is differentiated;
/// integer and <see cref="bool"/> parameters are always passive. Pass parameter names
/// (<c>[Differentiable(nameof(w), nameof(b))]</c>) to differentiate only those.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
    /// <summary>Differentiates with respect to every floating-point parameter.</summary>
    public DifferentiableAttribute()
    {
        Parameters = Array.Empty<string>();
    }

    /// <summary>Differentiates with respect to the named parameters only.</summary>
    /// <param name="parameters">Names of the parameters to differentiate, usually written with <c>nameof</c>.</param>
    public DifferentiableAttribute(params string[] parameters)
    {
        Parameters = parameters ?? Array.Empty<string>();
    }

    /// <summary>The parameters to differentiate; empty means every floating-point parameter.</summary>
    public string[] Parameters { get; }

    /// <summary>
    /// For a method with tensors: also generate overloads that take an
    /// <see cref="Instruments.IInstrumentSink"/> as their last parameter (<c>{Name}Gradient(…, sink)</c> for a loss,
    /// <c>{Name}Value(…, sink)</c> and <c>{Name}Pullback(…, sink)</c> for a layer) and report to it each named tensor
    /// local with the activation that produced it in the forward sweep, and its adjoint in the backward sweep. The
    /// overloads without a sink are generated exactly as without this property, so code that does not pass a sink pays
    /// nothing; a <c>null</c> sink reports nothing. False by default.
    /// </summary>
    public bool Instrumented { get; set; }
}
