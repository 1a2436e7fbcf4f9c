using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Differentiation;

/// <summary>
/// A loop over time steps: <c>for (int Counter = Start; Counter &lt; End; Counter++) { Body }</c>. <see cref="Carried"/>
/// holds the state (only what the result needs); <see cref="Recorded"/> the values of a step its backward sweep reads
/// (views, in the order the forward loop pushes them).
/// </summary>
internal sealed record LoopStep(Variable Counter, Expr Start, Expr End, IReadOnlyList<CarriedTensor> Carried, List<TensorStep> Body,
    IReadOnlyList<Variable> Recorded, int Origin) : TensorStep(Origin);

// Loops in the flat list: a marker, one entry per carried tensor (header = initial), the body, one entry per carried
// tensor (header = next), a marker. The entries make activity and liveness see the state flow round the loop (both
// passes repeat to a fixed point); the steps between the markers become the loop's body.
internal sealed partial class TensorProgram
{
    private sealed class LoopRange
    {
        public LoopRange(TensorLoop loop, int begin) => (Loop, Begin) = (loop, begin);

        public TensorLoop Loop { get; }

        public int Begin { get; }

        public int End { get; set; }

        public List<CarriedTensor> Carried { get; } = new();

        public int FirstStep { get; set; }
    }

    private readonly List<LoopRange> _loopRanges = new();
    private readonly HashSet<int> _stateEntries = new();

    /// <summary>Every step, those inside loops included, in forward order.</summary>
    public IEnumerable<TensorStep> AllSteps() => Expand(Steps);

    /// <summary>The steps and, for each loop, its body's steps, in forward order.</summary>
    internal static IEnumerable<TensorStep> Expand(IEnumerable<TensorStep> steps)
    {
        foreach (TensorStep step in steps)
        {
            yield return step;
            if (step is LoopStep loop)
            {
                foreach (TensorStep inner in Expand(loop.Body))
                {
                    yield return inner;
                }
            }
        }
    }

    private void FlattenLoop(TensorLoop loop)
    {
        var range = new LoopRange(loop, _flat.Count);
        // The first marker reads the bounds (and counts as a statement run for its effect), so they are computed.
        var bounds = new PassiveCall("for", EquatableArray.Create(Resolve(loop.Start), Resolve(loop.End)), TypeRef.Int32);
        _flat.Add((null, bounds, new CommentStatement(""), false, loop.Origin));
        foreach (CarriedTensor c in loop.Carried)
        {
            _stateEntries.Add(_flat.Count);
            _flat.Add((c.Header, Resolve(c.Initial), null, false, loop.Origin));
        }
        foreach (Statement s in loop.Body)
        {
            Flatten(s);
        }
        foreach (CarriedTensor c in loop.Carried)
        {
            var carried = c with { Initial = Resolve(c.Initial), Next = Resolve(c.Next) };
            _stateEntries.Add(_flat.Count);
            _flat.Add((carried.Header, carried.Next, null, false, loop.Origin));
            range.Carried.Add(carried);
        }
        range.End = _flat.Count;
        _flat.Add((null, null, null, false, loop.Origin));
        _loopRanges.Add(range);
    }

    /// <summary>The innermost loop holding flat entry <paramref name="i"/>, or null.</summary>
    private LoopRange? LoopOf(int i)
    {
        LoopRange? inner = null;
        foreach (LoopRange r in _loopRanges)
        {
            if (r.Begin < i && i < r.End && (inner is null || r.Begin > inner.Begin))
            {
                inner = r;
            }
        }
        return inner;
    }

    /// <summary>True when entries <paramref name="i"/> and <paramref name="j"/> run in the same loop (or both outside loops): only then may they fuse.</summary>
    private bool SameLoop(int i, int j) => LoopOf(i) == LoopOf(j);

    /// <summary>
    /// Handles the loop entries while the steps are built: a loop's first marker notes where its body starts, its last
    /// one moves the body's steps into a <see cref="LoopStep"/>. True for every loop entry (it makes no step itself).
    /// </summary>
    private bool LoopBoundary(int i, bool[] needed)
    {
        if (_stateEntries.Contains(i))
        {
            return true;
        }
        foreach (LoopRange range in _loopRanges)
        {
            if (range.Begin == i)
            {
                range.FirstStep = Steps.Count;
                return true;
            }
            if (range.End == i)
            {
                List<TensorStep> body = Steps.GetRange(range.FirstStep, Steps.Count - range.FirstStep);
                Steps.RemoveRange(range.FirstStep, body.Count);
                var carried = range.Carried.Where((c, k) => needed[range.Begin + 1 + k]).ToList();
                if (body.Count == 0 && carried.Count == 0)
                {
                    return true;
                }
                TensorLoop loop = range.Loop;
                Steps.Add(new LoopStep(loop.Counter, Resolve(loop.Start), Resolve(loop.End), carried, body, Recorded(body, carried), loop.Origin));
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The values of a step the backward sweep reads: what the steps that carry derivatives read, and the active tensors
    /// (their adjoints take their shapes), among the values the step computes and the state at its start.
    /// </summary>
    private List<Variable> Recorded(List<TensorStep> body, List<CarriedTensor> carried)
    {
        var local = new Dictionary<string, Variable>();
        var order = new List<Variable>();
        foreach (Variable v in carried.Select(c => c.Header).Concat(body.Select(Target).OfType<Variable>()))
        {
            if (!local.ContainsKey(v.Name))
            {
                local[v.Name] = v;
                order.Add(v);
            }
        }
        var read = new HashSet<string>();
        foreach (TensorStep step in body)
        {
            if (Target(step) is not { } target || !Active.Contains(target.Name))
            {
                continue;
            }
            // Adjoints are rented with the shape of their value; a carried value's adjoint is the state's, and a
            // fused chain reads its result.
            if (step is FusedStep || step is KernelStep { Operation.Function: TensorFunction.Softmax or TensorFunction.LogSoftmax }
                || !carried.Any(c => c.Next.Name == target.Name))
            {
                read.Add(target.Name);
            }
            IEnumerable<Variable> operands = step switch
            {
                FusedStep f => f.Root.PostOrder().SelectMany(n => n.Operands).SelectMany(o => o.Tensor is { } t ? new[] { t } : Variables(o.Scalar)),
                KernelStep k => k.Operation.Arguments.SelectMany(Variables),
                ScalarStep s => Variables(s.Value),
                _ => Enumerable.Empty<Variable>(),
            };
            foreach (Variable v in operands)
            {
                read.Add(v.Name);
                if (_fusedRoots.Contains(v.Name) && !local.ContainsKey(v.Name))
                {
                    // A chain computed before the loop and summed in it gets its adjoint as a tensor, not as one float.
                    _fusedRoots.Remove(v.Name);
                }
            }
        }
        return order.Where(v => read.Contains(v.Name) && (v.Type.IsTensor || v.Type.IsFloating || v.Type.Kind == ScalarKind.Integer)).ToList();
    }

    /// <summary>The variable a step defines, or null.</summary>
    internal static Variable? Target(TensorStep step) => step switch
    {
        FusedStep f => f.Target,
        KernelStep k => k.Target,
        ScalarStep s => s.Target,
        _ => null,
    };
}
