using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Differentiation;

/// <summary>
/// A block of the forward sweep: a loop's body (with its header) or one branch of an <c>if</c>. Compared
/// by the identity of the statement, never by value: two equal statements are still two places.
/// </summary>
internal readonly struct ScopeKey : System.IEquatable<ScopeKey>
{
    public ScopeKey(Statement statement, int branch)
    {
        Statement = statement;
        Branch = branch;
    }

    public Statement Statement { get; }

    public int Branch { get; }

    public bool Equals(ScopeKey other) => ReferenceEquals(Statement, other.Statement) && Branch == other.Branch;

    public override bool Equals(object? obj) => obj is ScopeKey other && Equals(other);

    public override int GetHashCode() => RuntimeHelpers.GetHashCode(Statement) * 31 + Branch;
}

/// <summary>
/// Where each variable of the forward sweep lives. A variable belongs to the innermost block that holds
/// all its definitions: an SSA value to the block that defines it, a variable joined after an <c>if</c>
/// to the block around the <c>if</c>, a variable a loop carries to the block around the loop (it is one
/// of that loop's <em>headers</em>). Inside loops, the backward sweep reads a block's values after the
/// forward sweep has overwritten them, so they are recorded at the block's end and restored at the start
/// of its mirror.
/// </summary>
internal sealed class Scopes
{
    private readonly Dictionary<string, List<ScopeKey>?> _owner = new();
    private readonly Dictionary<ScopeKey, HashSet<string>> _headers = new();
    private readonly HashSet<string> _allHeaders = new();
    private readonly Dictionary<string, Assignment> _single = new();
    private readonly Dictionary<string, int> _counts = new();
    private readonly Dictionary<Statement, (IReadOnlyList<Statement> List, int Index)> _containers = new(ReferenceComparer.Instance);
    private readonly Dictionary<string, LoopStatement> _counters = new();

    public Scopes(IReadOnlyList<Statement> forward) => Walk(forward, new List<ScopeKey>());

    /// <summary>The block a variable belongs to; null for the method's top level or a name the forward sweep does not define.</summary>
    public ScopeKey? OwnerOf(string name) =>
        _owner.TryGetValue(name, out List<ScopeKey>? path) && path is { Count: > 0 } ? path[path.Count - 1] : null;

    /// <summary>True for a variable the forward sweep defines.</summary>
    public bool Knows(string name) => _owner.ContainsKey(name);

    /// <summary>The variables <paramref name="loop"/> carries: defined before it and again inside.</summary>
    public IReadOnlyCollection<string> HeadersOf(LoopStatement loop) =>
        _headers.TryGetValue(new ScopeKey(loop, 0), out HashSet<string>? names) ? names : (IReadOnlyCollection<string>)System.Array.Empty<string>();

    /// <summary>True for a variable some loop carries.</summary>
    public bool IsHeader(string name) => _allHeaders.Contains(name);

    /// <summary>The one assignment that defines an SSA variable, if it has exactly one.</summary>
    public Assignment? DefinitionOf(string name) =>
        _counts.TryGetValue(name, out int n) && n == 1 && _single.TryGetValue(name, out Assignment? a) ? a : null;

    /// <summary>The list that holds <paramref name="loop"/>, and its position there.</summary>
    public (IReadOnlyList<Statement> List, int Index) ContainerOf(LoopStatement loop) => _containers[loop];

    /// <summary>The loop whose iterations <paramref name="name"/> counts, if it is a loop counter.</summary>
    public LoopStatement? LoopCountedBy(string name) => _counters.TryGetValue(name, out LoopStatement? loop) ? loop : null;

    private void Walk(IEnumerable<Statement> statements, List<ScopeKey> path)
    {
        IReadOnlyList<Statement> body = statements as IReadOnlyList<Statement> ?? statements.ToList();
        for (int index = 0; index < body.Count; index++)
        {
            Statement s = body[index];
            switch (s)
            {
                case IfStatement f:
                    Walk(f.Then, Extend(path, new ScopeKey(f, 0)));
                    Walk(f.Else, Extend(path, new ScopeKey(f, 1)));
                    break;
                case LoopStatement l:
                    _containers[l] = (body, index);
                    if (l.Counter is not null)
                    {
                        _counters[l.Counter] = l;
                        Define(l.Counter, path, null);
                    }
                    Walk(l.Header, Extend(path, new ScopeKey(l, 0)));
                    Walk(l.Body, Extend(path, new ScopeKey(l, 0)));
                    break;
                default:
                    var defined = new HashSet<string>();
                    VariableUses.Definitions(new[] { s }, defined);
                    foreach (string name in defined)
                    {
                        Define(name, path, s as Assignment);
                    }
                    break;
            }
        }
    }

    private void Define(string name, List<ScopeKey> path, Assignment? assignment)
    {
        _counts[name] = _counts.TryGetValue(name, out int n) ? n + 1 : 1;
        if (assignment is not null)
        {
            _single[name] = assignment;
        }
        if (!_owner.TryGetValue(name, out List<ScopeKey>? owner))
        {
            _owner[name] = new List<ScopeKey>(path);
            return;
        }
        // The common prefix of the paths; the loops left behind carry the variable.
        int common = 0;
        while (common < owner!.Count && common < path.Count && owner[common].Equals(path[common]))
        {
            common++;
        }
        foreach (ScopeKey left in owner.Skip(common).Concat(path.Skip(common)))
        {
            if (left.Statement is LoopStatement)
            {
                if (!_headers.TryGetValue(left, out HashSet<string>? headers))
                {
                    _headers[left] = headers = new HashSet<string>();
                }
                headers.Add(name);
                _allHeaders.Add(name);
            }
        }
        owner.RemoveRange(common, owner.Count - common);
    }

    private static List<ScopeKey> Extend(List<ScopeKey> path, ScopeKey key) => new(path) { key };
}

/// <summary>Compares statements by identity.</summary>
internal sealed class ReferenceComparer : IEqualityComparer<Statement>
{
    public static readonly ReferenceComparer Instance = new();

    public bool Equals(Statement? x, Statement? y) => ReferenceEquals(x, y);

    public int GetHashCode(Statement obj) => RuntimeHelpers.GetHashCode(obj);
}
