using System.Linq;
using System.Collections.Generic;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Differentiation;

/// <summary>
/// Forward mode: after every statement that defines a varied value, the statement defining its tangent —
/// the sum over the operands of the local partial (the same <see cref="DerivativeRules"/> reverse mode
/// uses) times the operand's tangent. Each return also sets the <c>derivative</c> out parameter.
/// </summary>
internal sealed class ForwardSweep
{
    /// <summary>The name of the forward-mode method's output parameter.</summary>
    public const string DerivativeName = "derivative";

    private readonly Activity _activity;
    private readonly NameAllocator _names;
    private readonly Variable _derivative;
    private readonly Variable _value;
    private readonly Dictionary<string, string> _tangentNames = new();
    private readonly HashSet<string> _tangents = new();
    private readonly HashSet<string> _passiveParameters = new();

    public ForwardSweep(Activity activity, NameAllocator names, IEnumerable<ParameterModel> parameters, Variable derivative, Variable value)
    {
        _activity = activity;
        _names = names;
        _derivative = derivative;
        _value = value;
        foreach (ParameterModel p in parameters)
        {
            if (p.AdjointName is not null)
            {
                _tangentNames[p.Name] = p.AdjointName;
            }
            else
            {
                _passiveParameters.Add(p.Name); // no tangent comes in for it, whatever the activity analysis says
            }
        }
        _tangents.Add(derivative.Name);
    }

    /// <summary>True for the variables this sweep defines (tangents and the derivative).</summary>
    public bool IsTangent(string name) => _tangents.Contains(name);

    /// <summary>The primal statements interleaved with their tangents.</summary>
    public List<Statement> Run(IReadOnlyList<Statement> primal)
    {
        var output = new List<Statement>();
        foreach (Statement s in primal)
        {
            switch (s)
            {
                case Assignment a:
                    output.Add(a);
                    if (a.Target.Type.IsFloating && _activity.IsVaried(a.Target))
                    {
                        output.Add(new Assignment(TangentOf(a.Target), Tangent(a.Value, a.Target) ?? Zero(a.Target.Type), a.Origin));
                    }
                    break;
                case DifferentiableCall c:
                {
                    output.Add(c);
                    if (!_activity.IsVaried(c.Target))
                    {
                        break;
                    }
                    var terms = new List<Expr>();
                    for (int i = 0; i < c.Arguments.Count; i++)
                    {
                        if (c.Partials[i].Variable is { Type.Kind: ScalarKind.Sequence or ScalarKind.Tensor } elements)
                        {
                            if (c.Arguments[i] is Variable sequence && _activity.IsVaried(sequence) && !_passiveParameters.Contains(sequence.Name))
                            {
                                terms.Add(new SpanDot(elements, TangentOf(sequence), c.Target.Type));
                            }
                            continue;
                        }
                        if (c.Partials[i].Variable is { } partial && Tangent(c.Arguments[i], null) is { } tangent)
                        {
                            terms.Add(Multiply(Convert(partial, c.Target.Type), Convert(tangent, c.Target.Type)));
                        }
                    }
                    output.Add(new Assignment(TangentOf(c.Target), Sum(terms) ?? Zero(c.Target.Type), c.Origin));
                    break;
                }
                case IfStatement f:
                    output.Add(f with { Then = Run(f.Then).ToEquatableArray(), Else = Run(f.Else).ToEquatableArray() });
                    break;
                case LoopStatement l:
                    output.Add(l with { Header = Run(l.Header).ToEquatableArray(), Body = Run(l.Body).ToEquatableArray() });
                    break;
                case ArrayAllocation a:
                    output.Add(a);
                    if (_activity.IsVaried(a.Target))
                    {
                        // The tangents of the elements live in an array of their own.
                        var tangents = a.Elements.Select(e => Tangent(e, null) ?? Zero(a.Target.Type.Element!)).ToEquatableArray();
                        output.Add(new ArrayAllocation(TangentOf(a.Target), new LengthRead(a.Target), tangents, a.Origin));
                    }
                    break;
                case ElementWrite w:
                    output.Add(w);
                    if (_activity.IsVaried(w.Sequence))
                    {
                        output.Add(new ElementWrite(TangentOf(w.Sequence), w.Index, Tangent(w.Value, null) ?? Zero(w.Sequence.Type.Element!), w.Origin));
                    }
                    break;
                case ReturnStatement r:
                    // After the return's value: the derivative of exp, sqrt and tanh reads it.
                    output.Add(r);
                    output.Add(new Assignment(_derivative, Convert(Tangent(r.Value, _value with { Type = r.Value.Type }) ?? Zero(r.Value.Type), _derivative.Type), r.Origin));
                    break;
                default:
                    output.Add(s);
                    break;
            }
        }
        return output;
    }

    /// <summary>The tangent of <paramref name="e"/>, or null where it is structurally zero.</summary>
    private Expr? Tangent(Expr e, Variable? result)
    {
        if (!_activity.IsVaried(e))
        {
            return null;
        }
        if (e is Variable v)
        {
            return _passiveParameters.Contains(v.Name) ? null : TangentOf(v);
        }
        if (e is ElementRead r)
        {
            return _passiveParameters.Contains(r.Sequence.Name) ? null : r with { Sequence = TangentOf(r.Sequence) };
        }
        IReadOnlyList<Expr> operands = DerivativeRules.Operands(e);
        var terms = new List<Expr>();
        for (int i = 0; i < operands.Count; i++)
        {
            if (Tangent(operands[i], null) is not { } tangent)
            {
                continue;
            }
            if (DerivativeRules.Partial(e, i, (Expr?)result ?? e) is { } partial)
            {
                terms.Add(Multiply(partial, Convert(tangent, e.Type)));
            }
        }
        return Sum(terms);
    }

    private Variable TangentOf(Variable v)
    {
        if (!_tangentNames.TryGetValue(v.Name, out string? name))
        {
            name = _names.Fresh(NameAllocator.AdjointStem(v.Name));
            _tangentNames[v.Name] = name;
            _tangents.Add(name);
        }
        return new Variable(name, v.Type);
    }
}
