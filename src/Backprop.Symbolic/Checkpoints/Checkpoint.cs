using System;
using System.Collections.Generic;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Checkpoints;

/// <summary>The content of a safetensors file read by <see cref="SafeTensors.Load(string)"/>: new tensors by name, in file order, and the metadata.</summary>
public sealed class Checkpoint
{
    private readonly Dictionary<string, Tensor> _byName;

    internal Checkpoint(List<KeyValuePair<string, Tensor>> tensors, Dictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
        _byName = new Dictionary<string, Tensor>(tensors.Count, StringComparer.Ordinal);
        foreach (var pair in tensors)
        {
            _byName.Add(pair.Key, pair.Value);
        }
    }

    /// <summary>The tensors in the order the header lists them (the order they were written in by <see cref="SafeTensors.Save"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Tensors { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The number of tensors.</summary>
    public int Count => Tensors.Count;

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such tensor; the message lists the names there are.</exception>
    public Tensor this[string name] => _byName.TryGetValue(name, out Tensor tensor)
        ? tensor
        : throw new KeyNotFoundException($"The checkpoint has no tensor '{name}'; it holds: {string.Join(", ", _byName.Keys)}.");

    /// <summary>Whether a tensor named <paramref name="name"/> is present, and if so the tensor.</summary>
    public bool TryGetTensor(string name, out Tensor tensor) => _byName.TryGetValue(name, out tensor);
}
