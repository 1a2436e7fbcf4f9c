using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Training;

/// <summary>
/// One named tensor of a <see cref="ParameterSet"/>: a view into the set's value buffer (<see cref="Value"/>) and
/// the matching view into its gradient buffer (<see cref="Gradient"/>).
/// </summary>
/// <remarks>
/// Reading <see cref="Value"/> or <see cref="Gradient"/> freezes the set (see <see cref="ParameterSet.Build"/>):
/// the buffers are allocated once, so a view never goes stale. Add every parameter before using any.
/// </remarks>
public sealed class Parameter
{
    internal Parameter(ParameterSet set, string name, TensorShape shape, int offset, int index)
    {
        Set = set;
        Name = name;
        Shape = shape;
        Offset = offset;
        Index = index;
    }

    /// <summary>The set this parameter belongs to.</summary>
    public ParameterSet Set { get; }

    /// <summary>The name, unique in its set (checkpoints store tensors under it).</summary>
    public string Name { get; }

    /// <summary>The dimensions.</summary>
    public TensorShape Shape { get; }

    /// <summary>The number of elements.</summary>
    public int Length => Shape.ElementCount;

    /// <summary>Where the parameter's first element is in <see cref="ParameterSet.Values"/> and <see cref="ParameterSet.Gradients"/>.</summary>
    public int Offset { get; }

    /// <summary>The position of the parameter in its set (insertion order).</summary>
    public int Index { get; }

    /// <summary>The values: a view into the set's value buffer. Freezes the set.</summary>
    public Tensor Value => new(Set.ValueArray, Offset, Shape);

    /// <summary>The gradient: a view into the set's gradient buffer, same shape as <see cref="Value"/>. Freezes the set.</summary>
    public Tensor Gradient => new(Set.GradientArray, Offset, Shape);

    /// <summary>The name and the shape, e.g. <c>W1 [64, 128]</c>.</summary>
    public override string ToString() => $"{Name} {Shape}";
}
