using System;
using System.Collections;
using System.Collections.Generic;
using Backprop.Symbolic.Tensors;
using Backprop.Symbolic.Training.Initializers;

namespace Backprop.Symbolic.Training;

/// <summary>
/// The trainable tensors of a model, named, backed by <b>one</b> contiguous float buffer (<see cref="Values"/>) and a
/// gradient buffer of the same layout (<see cref="Gradients"/>). Each <see cref="Parameter"/> is a view into both, so
/// optimizers and clipping run over one span while the model reads its tensors.
/// </summary>
/// <remarks>
/// <para>
/// Declare every parameter with <see cref="Add(string, int[])"/> first; the buffers are allocated when the set is
/// frozen, by <see cref="Build"/>, the first optimizer step, or the first read of a buffer or of a parameter's
/// <see cref="Parameter.Value"/> / <see cref="Parameter.Gradient"/>. After that, adding throws. Because the buffers
/// never move, a tensor view taken once stays valid for the life of the set.
/// </para>
/// <para>
/// Parameters are laid out and enumerated in insertion order (checkpoints rely on it). A parameter declared with an
/// initializer is filled by it when the set is built, in insertion order; the others start at zero.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var parameters = new ParameterSet();
/// Parameter w1 = parameters.Add("W1", Initializer.HeNormal(seed: 1), 64, 128);
/// Parameter b1 = parameters.Add("b1", 128);
/// parameters.Build();
/// Tensor w = w1.Value;      // a view into parameters.Values
/// </code>
/// </example>
public sealed class ParameterSet : IReadOnlyList<Parameter>
{
    /// <summary>The name safetensors reserves for its metadata; no parameter may take it.</summary>
    public const string ReservedName = "__metadata__";

    private readonly List<Parameter> _parameters = new();
    private readonly List<Initializer?> _initializers = new();
    private readonly Dictionary<string, Parameter> _byName = new(StringComparer.Ordinal);
    private int _elementCount;
    private float[]? _values;
    private GradientBuffer? _gradients;

    /// <summary>The number of parameters.</summary>
    public int Count => _parameters.Count;

    /// <summary>The total number of elements over all parameters: the length of <see cref="Values"/>.</summary>
    public int ElementCount => _elementCount;

    /// <summary>True once the buffers exist; adding then throws.</summary>
    public bool IsFrozen => _values is not null;

    /// <summary>The parameter at <paramref name="index"/> in insertion order.</summary>
    public Parameter this[int index] => _parameters[index];

    /// <summary>The parameter named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No parameter has that name; the message lists the names there are.</exception>
    public Parameter this[string name] => TryGet(name, out Parameter? parameter)
        ? parameter
        : throw new KeyNotFoundException($"The parameter set has no parameter named '{name}'. Its parameters are: {DescribeNames()}.");

    /// <summary>Every value, all parameters in insertion order. Freezes the set.</summary>
    public Span<float> Values => ValueArray;

    /// <summary>Every gradient, same layout as <see cref="Values"/>. Freezes the set.</summary>
    public Span<float> Gradients => GradientArray;

    /// <summary>The set's own gradient buffer (the one <see cref="Parameter.Gradient"/> views). Freezes the set.</summary>
    public GradientBuffer GradientBuffer
    {
        get
        {
            Build();
            return _gradients!;
        }
    }

    internal float[] ValueArray
    {
        get
        {
            Build();
            return _values!;
        }
    }

    internal float[] GradientArray
    {
        get
        {
            Build();
            return _gradients!.Array;
        }
    }

    /// <summary>Declares a parameter of the given shape, zero until initialized.</summary>
    /// <exception cref="ArgumentException">The name is empty, has white space or control characters, is reserved, or is taken; or the shape is invalid or has no elements.</exception>
    /// <exception cref="InvalidOperationException">The set is frozen.</exception>
    public Parameter Add(string name, params int[] shape) => Add(name, null, new TensorShape(shape ?? throw new ArgumentNullException(nameof(shape))));

    /// <summary>Declares a parameter of the given shape, zero until initialized.</summary>
    /// <inheritdoc cref="Add(string, int[])" path="/exception"/>
    public Parameter Add(string name, TensorShape shape) => Add(name, null, shape);

    /// <summary>Declares a parameter that <paramref name="initializer"/> fills when the set is built.</summary>
    /// <inheritdoc cref="Add(string, int[])" path="/exception"/>
    public Parameter Add(string name, Initializer? initializer, params int[] shape) =>
        Add(name, initializer, new TensorShape(shape ?? throw new ArgumentNullException(nameof(shape))));

    /// <summary>Declares a parameter that <paramref name="initializer"/> fills when the set is built.</summary>
    /// <inheritdoc cref="Add(string, int[])" path="/exception"/>
    public Parameter Add(string name, Initializer? initializer, TensorShape shape)
    {
        if (IsFrozen)
        {
            throw new InvalidOperationException(
                $"Cannot add parameter '{name}': the set is frozen (its buffers were allocated by Build(), an optimizer step, or a read of Values, Gradients or a parameter's Value/Gradient). Add every parameter before using any.");
        }
        ValidateName(name);
        if (_byName.ContainsKey(name))
        {
            throw new ArgumentException($"A parameter named '{name}' is already in the set ({_byName[name]}); parameter names must be unique.", nameof(name));
        }
        if (shape.Length == 0)
        {
            throw new ArgumentException($"Parameter '{name}' needs a shape of rank 1 to {TensorShape.MaxRank}.", nameof(shape));
        }
        int length = shape.ElementCount;
        if (length == 0)
        {
            throw new ArgumentException($"Parameter '{name}' has shape {shape}, which holds no elements; every dimension of a parameter must be at least 1.", nameof(shape));
        }
        if ((long)_elementCount + length > Array.MaxLength)
        {
            throw new ArgumentException($"Parameter '{name}' {shape} would make the set hold more than {Array.MaxLength} elements, the most one buffer can hold.", nameof(shape));
        }
        var parameter = new Parameter(this, name, shape, _elementCount, _parameters.Count);
        _parameters.Add(parameter);
        _initializers.Add(initializer);
        _byName.Add(name, parameter);
        _elementCount += length;
        return parameter;
    }

    /// <summary>
    /// Freezes the set: allocates the value and gradient buffers and runs the initializers given to
    /// <see cref="Add(string, Initializer, int[])"/> in insertion order. Does nothing if the set is already frozen.
    /// </summary>
    /// <exception cref="InvalidOperationException">The set has no parameters.</exception>
    public void Build()
    {
        if (_values is not null)
        {
            return;
        }
        if (_parameters.Count == 0)
        {
            throw new InvalidOperationException("The parameter set is empty; add parameters with Add(name, shape) before using it.");
        }
        var values = new float[_elementCount];
        for (int i = 0; i < _parameters.Count; i++)
        {
            Parameter parameter = _parameters[i];
            _initializers[i]?.Fill(values.AsSpan(parameter.Offset, parameter.Length), parameter.Shape);
        }
        _gradients = new GradientBuffer(this, new float[_elementCount]);
        _values = values;
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGradients() => Gradients.Clear();

    /// <summary>
    /// Each parameter's name and value tensor, in insertion order: what <c>SafeTensors.Save</c> and
    /// <c>SafeTensors.LoadInto</c> take, so a checkpoint holds exactly this set.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Named()
    {
        foreach (Parameter parameter in _parameters)
        {
            yield return new KeyValuePair<string, Tensor>(parameter.Name, parameter.Value);
        }
    }

    /// <summary>A new, zeroed gradient buffer with this set's layout (for per-worker or accumulated gradients). Freezes the set.</summary>
    public GradientBuffer CreateGradientBuffer()
    {
        Build();
        return new GradientBuffer(this, new float[_elementCount]);
    }

    /// <summary>Finds a parameter by name.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Parameter? parameter)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out parameter);
    }

    /// <summary>True if a parameter has the name <paramref name="name"/>.</summary>
    public bool Contains(string name) => TryGet(name, out _);

    /// <summary>The parameters in insertion order (a struct enumerator: <c>foreach</c> does not allocate).</summary>
    public List<Parameter>.Enumerator GetEnumerator() => _parameters.GetEnumerator();

    IEnumerator<Parameter> IEnumerable<Parameter>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One line per parameter and the total, e.g. <c>W1 [64, 128]</c>.</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        text.Append("ParameterSet (").Append(_parameters.Count).Append(" parameters, ").Append(_elementCount).Append(" elements)");
        foreach (Parameter parameter in _parameters)
        {
            text.AppendLine().Append("  ").Append(parameter.ToString());
        }
        return text.ToString();
    }

    private static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new ArgumentException("A parameter name must not be empty.", nameof(name));
        }
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsWhiteSpace(name[i]) || char.IsControl(name[i]))
            {
                throw new ArgumentException(
                    $"Parameter name '{name}' has a white-space or control character at position {i}; use letters, digits and punctuation such as '_', '.' or '/'.", nameof(name));
            }
        }
        if (name == ReservedName)
        {
            throw new ArgumentException($"'{ReservedName}' is reserved by the safetensors format for metadata; choose another parameter name.", nameof(name));
        }
    }

    private string DescribeNames()
    {
        if (_parameters.Count == 0)
        {
            return "(none)";
        }
        var names = new string[_parameters.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = _parameters[i].Name;
        }
        return string.Join(", ", names);
    }
}
