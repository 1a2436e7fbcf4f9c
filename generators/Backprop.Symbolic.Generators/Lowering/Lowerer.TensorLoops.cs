using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Symbolic.Generators.Lowering;

// Loops over time steps in a method with tensors: for (int t = start; t < end; t++) { straight-line body }. The
// tensors declared before the loop and assigned in it are the recurrent state: each gets a header variable the body
// reads, set before the loop and at the end of every step (TensorLoop). Anything else is refused up front, with the
// construct named (BPS0020, BPS0021). Shapes may be read as ints (x.Shape[0]), for the bounds.
internal sealed partial class Lowerer
{
    /// <summary>Reports what keeps <paramref name="loop"/> from being a loop over time steps (BPS0020, BPS0021).</summary>
    private void CheckTensorLoop(ILoopOperation loop)
    {
        for (IOperation? parent = loop.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is ILoopOperation)
            {
                return; // the outer loop reports it
            }
        }
        Location header = LoopHeader(loop.Syntax);
        if (loop is not IForLoopOperation f)
        {
            string kind = loop switch
            {
                IForEachLoopOperation => "'foreach' loops are not supported",
                IWhileLoopOperation { ConditionIsTop: false } => "'do' loops are not supported",
                _ => "'while' loops are not supported",
            };
            ReportLoop(header, kind, "write it as a for loop over the time steps");
            return;
        }
        var syntax = (ForStatementSyntax)f.Syntax;
        ILocalSymbol? counter = Counter(f);
        if (counter is null)
        {
            ReportLoop(Header(syntax.ForKeyword, syntax.CloseParenToken), "the loop does not declare one int counter with a start value",
                "declare it in the loop: for (int t = 0; t < n; t++)");
            return;
        }
        var assigned = new HashSet<ISymbol>(AssignedKeys(f.Body).OfType<ISymbol>(), SymbolEqualityComparer.Default);
        if (f.Condition is not IBinaryOperation { OperatorKind: BinaryOperatorKind.LessThan, LeftOperand: ILocalReferenceOperation left } condition
            || !SymbolEqualityComparer.Default.Equals(left.Local, counter))
        {
            ReportLoop(syntax.Condition?.GetLocation() ?? header, "the condition '" + syntax.Condition + "' is not supported",
                "compare the counter with a bound: " + counter.Name + " < n");
            return;
        }
        foreach (IOperation read in condition.RightOperand.DescendantsAndSelf())
        {
            ISymbol? symbol = read switch
            {
                ILocalReferenceOperation l => l.Local,
                IParameterReferenceOperation p => p.Parameter,
                _ => null,
            };
            if (symbol is not null && (SymbolEqualityComparer.Default.Equals(symbol, counter) || assigned.Contains(symbol)))
            {
                ReportLoop(condition.RightOperand.Syntax.GetLocation(), "the bound '" + condition.RightOperand.Syntax + "' changes in the loop",
                    "compute the number of steps before the loop");
                return;
            }
        }
        if (!IsUnitIncrement(f, counter))
        {
            ReportLoop(syntax.Incrementors.Count > 0 ? syntax.Incrementors[0].GetLocation() : header,
                "the increment '" + syntax.Incrementors + "' is not supported", "count one step at a time: " + counter.Name + "++");
            return;
        }
        foreach (IOperation op in f.Body.Descendants())
        {
            switch (op)
            {
                case ILoopOperation inner:
                    ReportLoop(LoopHeader(inner.Syntax), "a loop inside a loop over time steps is not supported",
                        "put the inner loop in a [Differentiable] layer the outer loop calls, or unroll it");
                    break;
                case IBranchOperation { BranchKind: BranchKind.Break }:
                    ReportLoop(op.Syntax.GetLocation(), "'break' is not supported", "run every step, and bound the loop by the number of steps needed");
                    break;
                case IBranchOperation { BranchKind: BranchKind.Continue }:
                    ReportLoop(op.Syntax.GetLocation(), "'continue' is not supported", "run every statement of every step");
                    break;
                case IReturnOperation:
                    ReportLoop(op.Syntax.GetLocation(), "'return' is not supported", "return after the loop");
                    break;
                case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation
                    when AssignedSymbol(op) is { } symbol:
                    if (SymbolEqualityComparer.Default.Equals(symbol, counter))
                    {
                        ReportLoop(op.Syntax.GetLocation(), "the loop writes its counter '" + counter.Name + "'", "leave the counter to the loop's increment");
                    }
                    else if (!DeclaredIn(symbol, f.Body.Syntax) && !TypeMapper.IsTensor(TypeOf(symbol)))
                    {
                        _diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.TensorLoopCarried, op.Syntax.GetLocation(), symbol.Name,
                            "it is not a tensor: only tensors can be carried yet",
                            "carry the value as a tensor, or compute it from the loop's tensors after the loop"));
                    }
                    break;
            }
        }
    }

    /// <summary>Lowers a loop <see cref="CheckTensorLoop"/> accepted.</summary>
    private void LowerTensorLoop(IForLoopOperation loop, Env env, List<Statement> output)
    {
        _origin = AddOrigin(LoopHeading(loop));
        int origin = _origin;
        ILocalSymbol counterSymbol = Counter(loop)!;
        var initializer = (IVariableDeclarationGroupOperation)loop.Before[0];
        Expr start = Bound(LowerExpression(initializer.Declarations[0].Declarators[0].GetVariableInitializer()!.Value, env, output), "_first", env, output);
        Expr end = Bound(LowerExpression(((IBinaryOperation)loop.Condition!).RightOperand, env, output), "_steps", env, output);
        var counter = new Variable(NextVersionName(counterSymbol, env), TypeRef.Int32);

        // The state: every variable the body assigns that exists before the loop gets a header.
        var carried = new List<(object Key, Variable Header, Variable Initial)>();
        foreach (object key in AssignedKeys(loop.Body))
        {
            if (env.TryGetValue(key, out Variable? initial) && !carried.Any(c => Env.Comparer.Equals(c.Key, key)))
            {
                var header = new Variable(NextVersionName(key, env), initial.Type);
                if (_varied.Count > 0)
                {
                    _varied.Add(header.Name); // the state depends on the parameters through the steps
                }
                carried.Add((key, header, initial));
                env[key] = header;
            }
        }
        var body = new Env(env, Env.Comparer) { [counterSymbol] = counter };
        var statements = new List<Statement>();
        LowerStatements(Flatten(loop.Body), 0, body, statements);

        var defined = new Dictionary<string, Expr>();
        foreach (Assignment a in statements.OfType<Assignment>())
        {
            defined[a.Target.Name] = a.Value;
        }
        var state = new List<CarriedTensor>();
        foreach ((object key, Variable header, Variable initial) in carried)
        {
            Variable next = body[key];
            // A copy of another variable counts as that variable: the next state must be computed in the step.
            Variable computed = next;
            while (defined.TryGetValue(computed.Name, out Expr? value) && value is Variable copy)
            {
                computed = copy;
            }
            if (!defined.ContainsKey(computed.Name))
            {
                _diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.TensorLoopCarried, LoopHeader(loop.Syntax), Env.NameOf(key),
                    "its next value is not computed in the step", "assign it a tensor the step computes from the state"));
            }
            state.Add(new CarriedTensor(header, initial, next, Env.NameOf(key)));
        }
        _origin = origin;
        output.Add(new TensorLoop(counter, start, end, state.ToEquatableArray(), statements.ToEquatableArray(), origin));
    }

    /// <summary>A loop bound as a variable or a constant, so each sweep reads it once.</summary>
    private Expr Bound(Expr value, string name, Env env, List<Statement> output) =>
        value is Variable or Constant ? value : Define(new SyntheticLocal(name), TypeRef.Int32, value, env, output);

    /// <summary>True for <c>x.Shape[axis]</c> on a tensor: an int the generated code reads the same way.</summary>
    private static bool IsDimensionRead(IPropertyReferenceOperation read) =>
        read.Property.IsIndexer && read.Instance is IPropertyReferenceOperation { Property.Name: "Shape", Instance: { } tensor }
        && TypeMapper.IsTensor(tensor.Type);

    private Expr LowerDimensionRead(IPropertyReferenceOperation read, Env env, List<Statement> output)
    {
        Expr tensor = LowerExpression(((IPropertyReferenceOperation)read.Instance!).Instance!, env, output);
        Expr axis = LowerExpression(read.Arguments[0].Value, env, output);
        return new PassiveCall("global::Backprop.Symbolic.Tensors.TensorShapes.Dimension", EquatableArray.Create(tensor, axis), TypeRef.Int32);
    }

    private void ReportLoop(Location location, string what, string todo) =>
        _diagnostics.Add(DiagnosticFactory.Create(DiagnosticDescriptors.TensorLoopNotSupported, location, what, todo));

    /// <summary>The counter of <c>for (int t = start; …)</c>, or null when the loop declares anything else.</summary>
    private static ILocalSymbol? Counter(IForLoopOperation loop) =>
        loop.Before.Length == 1 && loop.Before[0] is IVariableDeclarationGroupOperation { Declarations: [{ Declarators: [{ } declarator] }] }
        && declarator.GetVariableInitializer() is not null && declarator.Symbol.Type.SpecialType == SpecialType.System_Int32
            ? declarator.Symbol
            : null;

    /// <summary>True for <c>t++</c>, <c>++t</c> and <c>t += 1</c>.</summary>
    private static bool IsUnitIncrement(IForLoopOperation loop, ILocalSymbol counter)
    {
        if (loop.AtLoopBottom.Length != 1)
        {
            return false;
        }
        IOperation step = loop.AtLoopBottom[0] is IExpressionStatementOperation statement ? statement.Operation : loop.AtLoopBottom[0];
        return step switch
        {
            IIncrementOrDecrementOperation { Kind: OperationKind.Increment, Target: ILocalReferenceOperation l } => SymbolEqualityComparer.Default.Equals(l.Local, counter),
            ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Target: ILocalReferenceOperation l, Value.ConstantValue: { HasValue: true, Value: 1 } }
                => SymbolEqualityComparer.Default.Equals(l.Local, counter),
            _ => false,
        };
    }

    private static ISymbol? AssignedSymbol(IOperation op) => AssignableTarget(op switch
    {
        IAssignmentOperation a => a.Target,
        IIncrementOrDecrementOperation i => i.Target,
        _ => op,
    });

    private static bool DeclaredIn(ISymbol symbol, SyntaxNode scope) =>
        symbol is ILocalSymbol && symbol.DeclaringSyntaxReferences.Any(r => scope.Span.Contains(r.Span) && r.SyntaxTree == scope.SyntaxTree);

    private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        ILocalSymbol l => l.Type,
        IParameterSymbol p => p.Type,
        _ => null,
    };
}
