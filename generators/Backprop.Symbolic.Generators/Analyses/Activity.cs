using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Analyses;

/// <summary>
/// Activity analysis. A variable is <em>varied</em> when it depends on a differentiated parameter and
/// <em>useful</em> when the returned value depends on it; only variables that are both (active) get
/// adjoints. In loop-free SSA one forward and one backward pass reach the fixed point; a loop's carried
/// variables feed values back to its start, so each pass repeats until nothing changes.
/// </summary>
internal sealed class Activity
{
    private readonly HashSet<string> _varied;
    private readonly HashSet<string> _useful = new();

    private Activity(HashSet<string> varied) => _varied = varied;

    /// <summary>Names of the varied variables.</summary>
    public IReadOnlyCollection<string> Varied => _varied;

    /// <summary>True when <paramref name="name"/> needs an adjoint.</summary>
    public bool IsActive(string name) => _varied.Contains(name) && _useful.Contains(name);

    /// <summary>True when <paramref name="e"/> carries a derivative.</summary>
    public bool IsVaried(Expr e) => IsVaried(e, _varied);

    /// <summary>
    /// Runs the analysis over <paramref name="body"/>. With <paramref name="enabled"/> false every
    /// floating-point variable counts as active, which tests use to check that the analysis only prunes.
    /// </summary>
    public static Activity Analyze(IReadOnlyList<Statement> body, IEnumerable<string> differentiatedEntries, bool enabled = true)
    {
        var activity = new Activity(new HashSet<string>(differentiatedEntries));
        if (!enabled)
        {
            activity.AllFloating(body);
            activity._useful.UnionWith(activity._varied);
            return activity;
        }
        int count;
        do
        {
            count = activity._varied.Count;
            activity.Forward(body);
        }
        while (activity._varied.Count != count);
        do
        {
            count = activity._useful.Count;
            activity.Backward(body);
        }
        while (activity._useful.Count != count);
        return activity;
    }

    private void AllFloating(IReadOnlyList<Statement> body)
    {
        foreach (Statement s in body)
        {
            switch (s)
            {
                case Assignment a when a.Target.Type.IsFloating:
                    _varied.Add(a.Target.Name);
                    break;
                case DifferentiableCall c:
                    _varied.Add(c.Target.Name);
                    break;
                case IfStatement f:
                    AllFloating(f.Then);
                    AllFloating(f.Else);
                    break;
                case LoopStatement l:
                    AllFloating(l.Header);
                    AllFloating(l.Body);
                    break;
                case ArrayAllocation a when a.Target.Type.IsFloatingSequence:
                    _varied.Add(a.Target.Name);
                    break;
            }
        }
    }

    /// <summary>Whether an expression depends, through differentiable operations, on a varied variable.</summary>
    public static bool IsVaried(Expr e, ICollection<string> varied) => e switch
    {
        Variable v => v.Type.IsDifferentiable && varied.Contains(v.Name),
        Unary u => u.Type.IsFloating && IsVaried(u.Operand, varied),
        Binary b => b.Type.IsFloating && (IsVaried(b.Left, varied) || IsVaried(b.Right, varied)),
        Conversion c => c.Type.IsFloating && c.Operand.Type.IsFloating && IsVaried(c.Operand, varied),
        MathCall m => m.Type.IsFloating && !DerivativeRules.HasZeroDerivative(m.Function) && m.Arguments.Any(a => IsVaried(a, varied)),
        Select s => s.Type.IsFloating && (IsVaried(s.WhenTrue, varied) || IsVaried(s.WhenFalse, varied)),
        ElementRead r => r.Type.IsFloating && varied.Contains(r.Sequence.Name),
        TensorOperation t => t.Arguments.Any(a => IsVaried(a, varied)),
        _ => false,
    };

    private void Forward(IReadOnlyList<Statement> body)
    {
        foreach (Statement s in body)
        {
            switch (s)
            {
                case Assignment a when a.Target.Type.IsFloating && IsVaried(a.Value):
                    _varied.Add(a.Target.Name);
                    break;
                case DifferentiableCall c:
                    for (int i = 0; i < c.Arguments.Count; i++)
                    {
                        if (c.Partials[i].Variable is not null && IsVaried(c.Arguments[i]))
                        {
                            _varied.Add(c.Target.Name);
                        }
                    }
                    break;
                case IfStatement f:
                    Forward(f.Then);
                    Forward(f.Else);
                    break;
                case LoopStatement l:
                    Forward(l.Header);
                    Forward(l.Body);
                    break;
                case ElementWrite w when w.Sequence.Type.IsFloatingSequence && IsVaried(w.Value):
                    _varied.Add(w.Sequence.Name);
                    break;
                case ArrayAllocation a when a.Target.Type.IsFloatingSequence && a.Elements.Any(IsVaried):
                    _varied.Add(a.Target.Name);
                    break;
            }
        }
    }

    private void Backward(IReadOnlyList<Statement> body)
    {
        for (int k = body.Count - 1; k >= 0; k--)
        {
            switch (body[k])
            {
                case ReturnStatement r:
                    MarkUseful(r.Value);
                    break;
                case Assignment a when _useful.Contains(a.Target.Name):
                    MarkUseful(a.Value);
                    break;
                case DifferentiableCall c when _useful.Contains(c.Target.Name):
                    for (int i = 0; i < c.Arguments.Count; i++)
                    {
                        if (c.Partials[i].Variable is not null)
                        {
                            MarkUseful(c.Arguments[i]);
                        }
                    }
                    break;
                case IfStatement f:
                    Backward(f.Then);
                    Backward(f.Else);
                    break;
                case LoopStatement l:
                    Backward(l.Body);
                    Backward(l.Header);
                    break;
                case ElementWrite w when _useful.Contains(w.Sequence.Name):
                    MarkUseful(w.Value);
                    break;
                case ArrayAllocation a when _useful.Contains(a.Target.Name):
                    foreach (Expr element in a.Elements)
                    {
                        MarkUseful(element);
                    }
                    break;
            }
        }
    }

    private void MarkUseful(Expr e)
    {
        if (!IsVaried(e))
        {
            return;
        }
        switch (e)
        {
            case Variable v:
                _useful.Add(v.Name);
                break;
            case ElementRead r:
                _useful.Add(r.Sequence.Name);
                break;
            default:
                foreach (Expr operand in DerivativeRules.Operands(e))
                {
                    MarkUseful(operand);
                }
                if (e is Select s)
                {
                    MarkUseful(s.WhenTrue);
                    MarkUseful(s.WhenFalse);
                }
                break;
        }
    }
}
