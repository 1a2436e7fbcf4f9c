using System;

namespace Backprop.Symbolic;

/// <summary>
/// Supplies the gradient of a <c>static</c> method by hand, for the generator to use wherever a
/// <c>[Differentiable]</c> method calls it — in reverse and in forward mode. Use it for a numerically
/// stable formula, for a method the generator cannot differentiate, or for a call into another library.
/// </summary>
/// <remarks>
/// The named method lives in the same type and has the shape the generator gives its own gradients:
/// the method's parameters, then one partial derivative per <see cref="float"/> or <see cref="double"/>
/// parameter and per <c>ReadOnlySpan&lt;T&gt;</c> or <c>T[]</c> of them, in the parameters' order (named
/// <c>d</c> + the parameter name with its first letter upper-cased), returning the method's value. A scalar's
/// partial is an <c>out</c> parameter; a span's is a <c>Span&lt;T&gt;</c> of the span's length, handed over
/// zeroed, that the gradient fills with ∂f/∂xᵢ. For <c>static double Softplus(double x)</c> and
/// <c>static double LogSumExp(ReadOnlySpan&lt;double&gt; z)</c>:
/// <code>
/// static double SoftplusGradient(double x, out double dX)
/// static double LogSumExpGradient(ReadOnlySpan&lt;double&gt; z, Span&lt;double&gt; dZ)
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CustomGradientAttribute : Attribute
{
    /// <summary>Names the method that computes the value and the partial derivatives.</summary>
    /// <param name="gradientMethod">The gradient method's name, usually written with <c>nameof</c>.</param>
    public CustomGradientAttribute(string gradientMethod)
    {
        GradientMethod = gradientMethod;
    }

    /// <summary>The name of the method that computes the value and the partial derivatives.</summary>
    public string GradientMethod { get; }
}
