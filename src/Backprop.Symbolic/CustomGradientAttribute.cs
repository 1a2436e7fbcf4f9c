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
/// <para>
/// A method with <c>Tensor</c> parameters that returns a <see cref="float"/> (a loss) names a gradient of the shape of a
/// generated tensor loss's: the method's parameters, then one partial per <c>Tensor</c> parameter (a <c>Tensor</c> of
/// its shape, handed over zeroed, to overwrite with ∂f/∂x) and per <see cref="float"/> parameter (<c>out float</c>),
/// returning the value: <c>static float LogCoshGradient(Tensor p, Tensor t, Tensor dP, Tensor dT)</c>. Other parameters
/// (integers, labels) get no partial.
/// </para>
/// <para>
/// A method that returns a <c>Tensor</c> (a layer or operation) names its vector-Jacobian product, in the shape of a
/// generated layer's <c>{Name}Pullback</c>: the parameters, the adjoint of the result, then one adjoint per
/// <c>Tensor</c> parameter (<c>Tensor</c>, accumulated into with +=, <c>default</c> when not needed) and per
/// <see cref="float"/> parameter (<c>ref float</c>, accumulated into):
/// <c>static void SwishPullback(Tensor x, float beta, Tensor dResult, Tensor dX, ref float dBeta)</c>.
/// <see cref="Tangent"/> names its Jacobian-vector product for forward mode, and <see cref="Value"/> a form that
/// computes the result into the per-thread workspace.
/// </para>
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

    /// <summary>
    /// For a method that returns a <c>Tensor</c>: the name of its Jacobian-vector product (forward mode), in the shape of
    /// a generated layer's <c>{Name}Derivative</c>: the parameters, one tangent per <c>Tensor</c> parameter
    /// (<c>Tensor</c>, read only; <c>default</c> is the zero direction) and per <see cref="float"/> parameter
    /// (<c>float</c>), then <c>out Tensor derivative</c>, returning the value:
    /// <c>static Tensor SwishDerivative(Tensor x, float beta, Tensor dX, float dBeta, out Tensor derivative)</c>.
    /// Without it, a <c>[Differentiable]</c> method that calls the layer with derivatives has no forward mode and
    /// reports BPS0027.
    /// </summary>
    public string? Tangent { get; set; }

    /// <summary>
    /// For a method that returns a <c>Tensor</c>: the name of a method with the same parameters that computes the result
    /// into the per-thread workspace (<c>Tape.Current.RentTensor(shape)</c>) instead of allocating it, in the shape of a
    /// generated layer's <c>{Name}Value</c>: <c>static Tensor SwishValue(Tensor x, float beta)</c>. Generated code calls
    /// it for the forward sweep, so a steady-state call allocates nothing; without it, generated code calls the method
    /// itself, and each call allocates what it allocates.
    /// </summary>
    public string? Value { get; set; }
}
