using System;

namespace Backprop.Symbolic;

/// <summary>
/// Supplies the gradient of a <c>static</c> method by hand, for the generator to use wherever a
/// <c>[Differentiable]</c> method calls it — in reverse and in forward mode. Use it for a numerically
/// stable formula, for a method the generator cannot differentiate, or for a call into another library.
/// </summary>
/// <remarks>
/// The named method lives in the same type and has the shape the generator gives its own gradients:
/// the method's parameters, then one <c>out</c> partial derivative per <see cref="float"/> or
/// <see cref="double"/> parameter (named <c>d</c> + the parameter name with its first letter upper-cased),
/// returning the method's value. For <c>static double Softplus(double x)</c>:
/// <code>static double SoftplusGradient(double x, out double dX)</code>
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
