using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Lowering;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Analyses;

/// <summary>
/// To-be-recorded analysis. The backward sweep reads some forward values: a product's other factor,
/// <c>exp(u)</c> for the derivative of <c>exp</c>, a divisor. In SSA a named value is not overwritten
/// outside loops, so the question is whether such a value has a name; where it is an inner subexpression,
/// this pass gives it one (a temporary in the forward sweep) so the backward sweep reads it instead of
/// recomputing it. Elements of local arrays can be overwritten, so a rule's read of one is recorded too;
/// inside loops, the tape plan then decides which named values to push and which to recompute.
/// Values the derivative rules never read are not recorded.
/// </summary>
internal sealed class Recording
{
    private static readonly Variable ResultPlaceholder = new("\u0001result", TypeRef.Double);

    private readonly Activity _activity;
    private readonly NameAllocator _names;
    private readonly HashSet<string> _localArrays = new();

    private Recording(Activity activity, NameAllocator names)
    {
        _activity = activity;
        _names = names;
    }

    public static List<Statement> Run(IReadOnlyList<Statement> body, Activity activity, NameAllocator names)
    {
        var recording = new Recording(activity, names);
        VariableUses.LocalArrays(body, recording._localArrays);
        recording._localArrays.ExceptWith(StableArrays.Find(body)); // filled, then only read: like a parameter
        recording._localArrays.ExceptWith(StableArrays.FindPerIteration(body)); // the same within each iteration: recorded whole
        return recording.Block(body);
    }

    private List<Statement> Block(IReadOnlyList<Statement> body)
    {
        var output = new List<Statement>();
        foreach (Statement s in body)
        {
            switch (s)
            {
                case Assignment a when a.Target.Type.IsFloating && _activity.IsVaried(a.Value):
                    output.Add(a with { Value = Prepare(a.Value, isRoot: true, output, a.Origin) });
                    break;
                case ReturnStatement r when _activity.IsVaried(r.Value):
                    output.Add(r with { Value = Prepare(r.Value, isRoot: true, output, r.Origin) });
                    break;
                case DifferentiableCall c:
                {
                    var arguments = c.Arguments.Select(arg => Prepare(arg, isRoot: false, output, c.Origin)).ToList();
                    output.Add(c with { Arguments = arguments.ToEquatableArray() });
                    break;
                }
                case IfStatement f:
                    output.Add(f with { Then = Block(f.Then).ToEquatableArray(), Else = Block(f.Else).ToEquatableArray() });
                    break;
                case LoopStatement l:
                    output.Add(l with { Header = Block(l.Header).ToEquatableArray(), Body = Block(l.Body).ToEquatableArray() });
                    break;
                case ArrayAllocation a when a.Elements.Any(_activity.IsVaried):
                    // The elements may be overwritten later: values the rules read are recorded.
                    output.Add(a with { Elements = a.Elements.Select(e => Prepare(e, isRoot: false, output, a.Origin)).ToEquatableArray() });
                    break;
                case ElementWrite w when _activity.IsVaried(w.Value):
                    // The element is overwritten later: a value the rules read is recorded, not left in the array.
                    output.Add(w with { Value = Prepare(w.Value, isRoot: false, output, w.Origin) });
                    break;
                default:
                    output.Add(s);
                    break;
            }
        }
        return output;
    }

    private Expr Prepare(Expr e, bool isRoot, List<Statement> output, int origin)
    {
        if (!_activity.IsVaried(e) || e is Variable)
        {
            return e;
        }
        IReadOnlyList<Expr> operands = DerivativeRules.Operands(e);
        var placeholders = new Expr[operands.Count];
        for (int i = 0; i < operands.Count; i++)
        {
            placeholders[i] = new Variable("\u0001arg" + i, operands[i].Type);
        }
        Expr shape = DerivativeRules.WithOperands(e, placeholders);
        var read = new HashSet<string>();
        for (int i = 0; i < operands.Count; i++)
        {
            if (_activity.IsVaried(operands[i]) && DerivativeRules.Partial(shape, i, ResultPlaceholder with { Type = e.Type }) is { } partial)
            {
                VariableUses.Names(partial, read);
            }
        }
        var prepared = new Expr[operands.Count];
        for (int i = 0; i < operands.Count; i++)
        {
            Expr operand = Prepare(operands[i], isRoot: false, output, origin);
            // An element of a parameter (or of a local array no longer written) is never overwritten: the
            // backward sweep reads it again.
            if (read.Contains("\u0001arg" + i) && !IsCheap(operand) && !(operand is ElementRead element && !_localArrays.Contains(element.Sequence.Name)))
            {
                operand = Record(operand, output, origin);
            }
            prepared[i] = operand;
        }
        Expr rebuilt = DerivativeRules.WithOperands(e, prepared);
        return read.Contains(ResultPlaceholder.Name) && !isRoot ? Record(rebuilt, output, origin) : rebuilt;
    }

    private Variable Record(Expr value, List<Statement> output, int origin)
    {
        var temp = new Variable(_names.FreshNumbered("_t"), value.Type);
        output.Add(new Assignment(temp, value, origin));
        return temp;
    }
}
