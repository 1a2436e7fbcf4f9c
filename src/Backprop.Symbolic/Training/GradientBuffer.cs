using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Training;

/// <summary>
/// A gradient buffer with the layout of a <see cref="ParameterSet"/>: one float per parameter element, each
/// parameter's gradient a tensor view (<c>buffer[parameter]</c>). The set's own gradients are one
/// (<see cref="ParameterSet.GradientBuffer"/>); <see cref="ParameterSet.CreateGradientBuffer"/> makes more, e.g. one
/// per worker of <see cref="DataParallel"/>.
/// </summary>
public sealed class GradientBuffer
{
    internal GradientBuffer(ParameterSet parameters, float[] array)
    {
        Parameters = parameters;
        Array = array;
    }

    /// <summary>The set whose layout this buffer has.</summary>
    public ParameterSet Parameters { get; }

    /// <summary>Every element, in the set's layout.</summary>
    public Span<float> Span => Array;

    internal float[] Array { get; }

    /// <summary>The gradient of <paramref name="parameter"/> in this buffer (a view, same shape as the parameter).</summary>
    /// <exception cref="ArgumentException">The parameter belongs to another set.</exception>
    public Tensor this[Parameter parameter]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(parameter);
            if (!ReferenceEquals(parameter.Set, Parameters))
            {
                throw new ArgumentException($"Parameter '{parameter.Name}' belongs to another parameter set than this gradient buffer.", nameof(parameter));
            }
            return new Tensor(Array, parameter.Offset, parameter.Shape);
        }
    }

    /// <summary>The gradient of the parameter named <paramref name="name"/> in this buffer.</summary>
    /// <exception cref="System.Collections.Generic.KeyNotFoundException">No parameter has that name.</exception>
    public Tensor this[string name] => this[Parameters[name]];

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => SpanKernels.Zero(Array);
}
