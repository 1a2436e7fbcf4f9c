using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Symbolic.Generators.Lowering;

// Loops. A variable the loop assigns and that exists before it is carried: it gets a header variable,
// assigned before the loop and at the end of every path through the body (fall-through, continue,
// break); the body reads the header and defines fresh SSA versions. An if whose branches break,
// continue or return takes the rest of the body into its branches, so each path ends in exactly one
// place. A return inside a loop sets a flag and the value, and breaks; after the loop, the rest of the
// method runs only when the flag is not set.
internal sealed partial class Lowerer
{
    private readonly Stack<LoopContext> _loops = new();
    private readonly SyntheticLocal _returned = new("_returned");
    private readonly SyntheticLocal _result = new("_result");
    private TypeRef _returnType = TypeRef.Double;

    private sealed class LoopContext
    {
        public LoopContext(ILabelSymbol? exit, ILabelSymbol? @continue, List<(object Key, Variable Header)> carried)
        {
            Exit = exit;
            Continue = @continue;
            Carried = carried;
        }

        public ILabelSymbol? Exit { get; }

        public ILabelSymbol? Continue { get; }

        public List<(object Key, Variable Header)> Carried { get; }

        /// <summary>Set when a header turned out varied after the body was lowered assuming it was not.</summary>
        public bool NeedsAnotherPass { get; set; }

        public Action<Env, List<Statement>> Break { get; set; } = (_, _) => { };
    }

    /// <summary>Lowers a loop; false when it was reported as unsupported.</summary>
    private bool LowerLoop(ILoopOperation loop, Env env, List<Statement> output)
    {
        _origin = AddOrigin(LoopHeading(loop));
        int origin = _origin;
        IOperation? condition;
        bool conditionAtTop = true;
        List<IOperation> step = new();
        int stepOrigin = -1;
        Variable? collection = null;
        SyntheticLocal? indexKey = null;
        ILocalSymbol? element = null;
        switch (loop)
        {
            case IForLoopOperation f:
                foreach (IOperation before in f.Before)
                {
                    if (before is IVariableDeclarationGroupOperation or IExpressionStatementOperation)
                    {
                        LowerStatements(new List<IOperation> { before }, 0, env, output);
                    }
                    else
                    {
                        LowerExpressionStatement(before, env, output);
                    }
                }
                _origin = origin;
                condition = f.Condition;
                step.AddRange(f.AtLoopBottom);
                if (step.Count > 0 && loop.Syntax is ForStatementSyntax { Incrementors: var incrementors })
                {
                    stepOrigin = AddOrigin(incrementors.ToString()); // so the writer can put the increment back in the for
                }
                break;
            case IWhileLoopOperation w when w.ConditionIsUntil:
                Report(DiagnosticDescriptors.UnsupportedStatement, loop.Syntax, "this kind of loop is not supported", "use for, while, do/while or foreach");
                return false;
            case IWhileLoopOperation w:
                condition = w.Condition;
                conditionAtTop = w.ConditionIsTop;
                break;
            case IForEachLoopOperation each:
            {
                IOperation source = each.Collection is IConversionOperation { IsImplicit: true } c ? c.Operand : each.Collection;
                // foreach over new[] { … }: the array becomes a local first.
                Expr lowered = source is IArrayCreationOperation && source.Type is { } arrayType
                    ? LowerArrayAssignment(new SyntheticLocal("_items"), arrayType, source, env, output)
                    : LowerExpression(source, env, output);
                if (lowered is not Variable v || v.Type.Kind != ScalarKind.Sequence)
                {
                    if (_diagnostics.Count == 0)
                    {
                        Report(DiagnosticDescriptors.UnsupportedStatement, each.Collection.Syntax, "foreach over this collection is not supported", "loop over an array, a span or a local array");
                    }
                    return false;
                }
                if (each.LoopControlVariable is IVariableDeclaratorOperation { Symbol.RefKind: not RefKind.None })
                {
                    Report(DiagnosticDescriptors.UnsupportedStatement, loop.Syntax, "foreach with a ref loop variable is not supported", "write through the index instead: for (int i = 0; i < y.Length; i++) y[i] = …");
                    return false;
                }
                if (each.LoopControlVariable is not IVariableDeclaratorOperation declarator)
                {
                    Report(DiagnosticDescriptors.UnsupportedStatement, loop.Syntax, "this foreach form is not supported", "declare one loop variable");
                    return false;
                }
                collection = v;
                element = declarator.Symbol;
                condition = null;
                indexKey = new SyntheticLocal("_i");
                stepOrigin = origin; // the index increment is the foreach's own
                Define(indexKey, TypeRef.Int32, new Constant(0, TypeRef.Int32), env, output);
                break;
            }
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, loop.Syntax, "this kind of loop is not supported", "use for, while, do/while or foreach");
                return false;
        }

        bool mayReturn = ContainsReturn(loop);
        if (mayReturn)
        {
            if (!env.ContainsKey(_returned))
            {
                Define(_returned, TypeRef.Bool, new Constant(0, TypeRef.Bool), env, output);
                Define(_result, _returnType, new Constant(0, _returnType), env, output);
            }
        }
        var keys = new List<object>();
        foreach (object key in AssignedKeys(loop))
        {
            if (env.ContainsKey(key) && !keys.Contains(key, Env.Comparer))
            {
                keys.Add(key);
            }
        }
        if (collection is not null)
        {
            keys.Add(indexKey!);
        }
        if (mayReturn)
        {
            keys.Add(_returned);
            keys.Add(_result);
        }

        // Lower the body; again when a carried variable turned out varied (its header then is too).
        int diagnostics = _diagnostics.Count;
        int origins = _origins.Count;
        HashSet<string> names = _names.Save();
        int written = output.Count;
        Env start = new Env(env, Env.Comparer);
        for (int attempt = 0; ; attempt++)
        {
            var carried = new List<(object Key, Variable Header)>();
            foreach (object key in keys)
            {
                Variable before = env[key];
                var header = new Variable(NextVersionName(key, env), before.Type);
                output.Add(new Assignment(header, before, origin));
                if (Activity.IsVaried(before, _varied))
                {
                    _varied.Add(header.Name);
                }
                env[key] = header;
                carried.Add((key, header));
            }
            ILabelSymbol? exit = loop.ExitLabel;
            ILabelSymbol? @continue = loop.ContinueLabel;
            var context = new LoopContext(exit, @continue, carried);
            context.Break = (leaf, leafOutput) =>
            {
                UpdateHeaders(context, leaf, leafOutput);
                leafOutput.Add(new BreakStatement(_origin));
            };
            _loops.Push(context);

            var body = new Env(env, Env.Comparer);
            var statements = new List<Statement>();
            var conditionStatements = new List<Statement>();
            Expr test = new Constant(1, TypeRef.Bool);
            if (condition is not null && conditionAtTop)
            {
                test = LowerCondition(condition, body, conditionStatements);
                if (carried.FirstOrDefault(c => c.Header.Type.IsFloating && !body[c.Key].Equals(c.Header)) is { Key: not null } changed)
                {
                    // It runs once more than the body (the test that ends the loop): the backward sweep would miss that run.
                    Report(DiagnosticDescriptors.UnsupportedExpression, condition.Syntax, "assigning the floating-point variable '" + Env.NameOf(changed.Key) + "' in a loop condition is not supported",
                        "assign it in the loop body and test the result");
                }
                if (carried.Any(c => !body[c.Key].Equals(c.Header)))
                {
                    // The condition changed a carried variable (n-- > 0): keep its value for the exit.
                    if (test is not Constant and not Variable)
                    {
                        var decided = new Variable(_names.FreshNumbered("_c"), TypeRef.Bool);
                        conditionStatements.Add(new Assignment(decided, test, origin));
                        test = decided;
                    }
                    // The body reads the versions the condition defined, not the headers.
                    var versions = new Env(body, Env.Comparer);
                    UpdateHeaders(context, body, conditionStatements);
                    foreach (KeyValuePair<object, Variable> pair in versions)
                    {
                        body[pair.Key] = pair.Value;
                    }
                }
            }
            if (collection is not null)
            {
                test = new Binary(BinaryOperator.LessThan, body[indexKey!], new LengthRead(collection), TypeRef.Bool);
                TypeRef elementType = TypeMapper.Map(element!.Type);
                Define(element!, elementType, ConvertTo(new ElementRead(collection, body[indexKey!], collection.Type.Element!), elementType), body, statements);
            }
            IOperation? bottomTest = conditionAtTop ? null : condition;
            LowerStatements(Flatten(loop.Body), 0, body, statements, (leaf, end) =>
            {
                int saved = _origin;
                _origin = stepOrigin >= 0 ? stepOrigin : saved;
                foreach (IOperation s in step)
                {
                    LowerExpressionStatement(s is IExpressionStatementOperation e ? e.Operation : s, leaf, end);
                }
                if (collection is not null)
                {
                    Define(indexKey!, TypeRef.Int32, new Binary(BinaryOperator.Add, leaf[indexKey!], new Constant(1, TypeRef.Int32), TypeRef.Int32), leaf, end);
                }
                _origin = saved;
                if (bottomTest is not null)
                {
                    Expr again = LowerCondition(bottomTest, leaf, end);
                    if (again is not Constant and not Variable)
                    {
                        var decided = new Variable(_names.FreshNumbered("_c"), TypeRef.Bool);
                        end.Add(new Assignment(decided, again, origin));
                        again = decided;
                    }
                    UpdateHeaders(context, leaf, end);
                    end.Add(new IfStatement(again, EquatableArray<Statement>.Empty, new[] { (Statement)new BreakStatement(origin) }.ToEquatableArray(), origin));
                }
                else
                {
                    UpdateHeaders(context, leaf, end);
                }
                _origin = saved;
            });
            _loops.Pop();

            if (context.NeedsAnotherPass)
            {
                if (attempt > 64)
                {
                    throw new InvalidOperationException("The differentiated variables of a loop did not settle.");
                }
                // Forget this attempt: its diagnostics, names and statements; the varied set only grows.
                _diagnostics.RemoveRange(diagnostics, _diagnostics.Count - diagnostics);
                _origins.RemoveRange(origins, _origins.Count - origins);
                _names.Restore(names);
                output.RemoveRange(written, output.Count - written);
                env.Clear();
                foreach (KeyValuePair<object, Variable> pair in start)
                {
                    env[pair.Key] = pair.Value;
                }
                continue;
            }
            output.Add(new LoopStatement(conditionStatements.ToEquatableArray(), test, statements.ToEquatableArray(), origin) { StepOrigin = stepOrigin });
            return true;
        }
    }

    /// <summary>At the end of a path through the body: each carried variable's header takes its last version.</summary>
    private void UpdateHeaders(LoopContext context, Env leaf, List<Statement> output)
    {
        foreach ((object key, Variable header) in context.Carried)
        {
            if (!leaf.TryGetValue(key, out Variable? last) || last.Equals(header))
            {
                continue;
            }
            output.Add(new Assignment(header, last, _origin));
            if (Activity.IsVaried(last, _varied) && _varied.Add(header.Name))
            {
                context.NeedsAnotherPass = true;
            }
            leaf[key] = header;
        }
    }

    /// <summary><c>return value;</c> inside a loop: set the flag and the value, and leave the loop.</summary>
    private void ReturnFromLoop(IOperation returned, Env env, List<Statement> output)
    {
        Expr value = LowerExpression(returned, env, output);
        if (!value.Type.Equals(_returnType))
        {
            value = new Model.Conversion(value, _returnType);
        }
        Define(_result, _returnType, value, env, output);
        Define(_returned, TypeRef.Bool, new Constant(1, TypeRef.Bool), env, output);
        _loops.Peek().Break(env, output);
    }

    /// <summary>After a loop that may return: return its value when it did, else run the rest.</summary>
    private void AfterLoopThatMayReturn(List<IOperation> rest, Env env, List<Statement> output, Action<Env, List<Statement>>? fallThrough)
    {
        int origin = _origin;
        var thenOut = new List<Statement>();
        if (_loops.Count > 0)
        {
            // Still inside an outer loop: leave it too.
            var thenEnv = new Env(env, Env.Comparer);
            _loops.Peek().Break(thenEnv, thenOut);
        }
        else
        {
            thenOut.Add(new ReturnStatement(env[_result], origin));
        }
        var elseOut = new List<Statement>();
        LowerStatements(rest, 0, new Env(env, Env.Comparer), elseOut, fallThrough);
        output.Add(new IfStatement(env[_returned], thenOut.ToEquatableArray(), elseOut.ToEquatableArray(), origin));
    }

    /// <summary>
    /// A branch condition. Inside a loop a compound condition is computed into a <c>bool</c> first: the
    /// backward sweep then needs one recorded decision, not the values the condition reads.
    /// </summary>
    private Expr LowerBranchCondition(IOperation condition, Env env, List<Statement> output)
    {
        Expr test = LowerCondition(condition, env, output);
        if (test is Variable or Constant || (_loops.Count == 0 && !ReadsLocalArray(test)))
        {
            return test;
        }
        var decided = new Variable(_names.FreshNumbered("_c"), TypeRef.Bool);
        output.Add(new Assignment(decided, test, _origin));
        return decided;
    }

    private bool ReadsLocalArray(Expr e)
    {
        var names = new HashSet<string>();
        VariableUses.Names(e, names);
        return names.Overlaps(_localArrays);
    }

    /// <summary>True when <paramref name="op"/> returns, or breaks or continues the innermost loop being lowered.</summary>
    private bool ContainsJump(IOperation op)
    {
        if (ContainsReturn(op))
        {
            return true;
        }
        if (_loops.Count == 0)
        {
            return false;
        }
        LoopContext loop = _loops.Peek();
        return op.Descendants().OfType<IBranchOperation>().Any(b =>
            SymbolEqualityComparer.Default.Equals(b.Target, loop.Exit) || SymbolEqualityComparer.Default.Equals(b.Target, loop.Continue));
    }

    /// <summary>The locals and parameters a loop assigns (in its condition, body or step).</summary>
    private static IEnumerable<object> AssignedKeys(IOperation loop)
    {
        foreach (IOperation d in loop.Descendants())
        {
            IOperation? target = d switch
            {
                ISimpleAssignmentOperation a => a.Target,
                ICompoundAssignmentOperation c => c.Target,
                IIncrementOrDecrementOperation i => i.Target,
                _ => null,
            };
            if (target is not null && AssignableTarget(target) is { } symbol)
            {
                yield return symbol;
            }
        }
    }

    private static string LoopHeading(ILoopOperation loop) => loop.Syntax switch
    {
        ForStatementSyntax f => "for (" + f.Declaration + f.Initializers + "; " + f.Condition + "; " + f.Incrementors + ")",
        WhileStatementSyntax w => "while (" + w.Condition + ")",
        DoStatementSyntax d => "do ... while (" + d.Condition + ")",
        ForEachStatementSyntax e => "foreach (" + e.Type + " " + e.Identifier + " in " + e.Expression + ")",
        _ => loop.Syntax.ToString(),
    };
}
