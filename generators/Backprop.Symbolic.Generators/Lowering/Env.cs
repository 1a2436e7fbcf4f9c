using System.Collections.Generic;
using Backprop.Symbolic.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Backprop.Symbolic.Generators.Lowering;

/// <summary>
/// The lowering environment: the current SSA version of each of the user's variables (keyed by their
/// symbol) and of the variables lowering adds itself (keyed by a <see cref="SyntheticLocal"/>).
/// </summary>
internal sealed class Env : Dictionary<object, Variable>
{
    public static new readonly IEqualityComparer<object> Comparer = new KeyComparer();

    public Env()
        : base(Comparer)
    {
    }

    public Env(Env other, IEqualityComparer<object> comparer)
        : base(other, comparer)
    {
    }

    /// <summary>The name a key's versions derive from.</summary>
    public static string NameOf(object key) => key switch
    {
        ISymbol symbol => symbol.Name,
        SyntheticLocal local => local.Name,
        _ => key.ToString() ?? "_v",
    };

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public new bool Equals(object? x, object? y) =>
            x is ISymbol a && y is ISymbol b ? SymbolEqualityComparer.Default.Equals(a, b) : ReferenceEquals(x, y);

        public int GetHashCode(object obj) =>
            obj is ISymbol symbol ? SymbolEqualityComparer.Default.GetHashCode(symbol) : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}

/// <summary>A variable lowering introduces, such as the flag and value of a <c>return</c> inside a loop.</summary>
internal sealed class SyntheticLocal
{
    public SyntheticLocal(string name) => Name = name;

    public string Name { get; }

    public override string ToString() => Name;
}
