using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Diagnostics;
using Backprop.Symbolic.Generators.Differentiation;
using Backprop.Symbolic.Generators.Model;
using Backprop.Symbolic.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Conversion = Backprop.Symbolic.Generators.Model.Conversion;

namespace Backprop.Symbolic.Generators.Lowering;

/// <summary>
/// Lowers a method body's IOperation tree into the IR, in SSA form: every assignment defines a fresh
/// variable; an <c>if</c> without a return joins its branches with copies into a new variable; an
/// <c>if</c> with a return takes the statements that follow it into its branches, so every return ends
/// a path. Loops (<c>Lowerer.Loops.cs</c>) and arrays (<c>Lowerer.Arrays.cs</c>) are lowered in their own
/// files. Constructs the IR cannot express become diagnostics on their syntax.
/// </summary>
internal sealed partial class Lowerer
{
    private readonly SemanticModel _semanticModel;
    private readonly CancellationToken _cancellationToken;
    private readonly NameAllocator _names;
    private readonly Func<IMethodSymbol, bool> _calleeHasErrors;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly List<string> _origins = new();
    private readonly HashSet<string> _varied = new();
    private int _origin = -1;

    public Lowerer(SemanticModel semanticModel, NameAllocator names, Func<IMethodSymbol, bool> calleeHasErrors, CancellationToken cancellationToken)
    {
        _semanticModel = semanticModel;
        _names = names;
        _calleeHasErrors = calleeHasErrors;
        _cancellationToken = cancellationToken;
    }

    public IReadOnlyList<DiagnosticInfo> Diagnostics => _diagnostics;

    public IReadOnlyList<string> Origins => _origins;

    /// <summary>True when the body has compile errors: the compiler reports them, so the generator stays quiet.</summary>
    public bool HasInvalidCode { get; private set; }

    /// <summary>True when a call failed for a reason reported on another declaration (a custom gradient's).</summary>
    public bool FailedSilently => _failedSilently;

    private bool _failedSilently;

    /// <summary>Lowers the body. <paramref name="entry"/> maps each parameter to its entry variable; <paramref name="varied"/> names the differentiated ones.</summary>
    public List<Statement> Lower(MethodDeclarationSyntax syntax, Env entry, IEnumerable<string> varied)
    {
        foreach (string v in varied)
        {
            _varied.Add(v);
        }
        if (_semanticModel.GetDeclaredSymbol(syntax, _cancellationToken) is IMethodSymbol method)
        {
            _returnType = TypeMapper.Map(method.ReturnType);
        }
        var env = new Env(entry, Env.Comparer);
        var output = new List<Statement>();
        _hasTensors = entry.Values.Any(v => v.Type.IsTensor) || _returnType is { IsTensor: true };
        if (syntax.Body is { } body)
        {
            IOperation? operation = _semanticModel.GetOperation(body, _cancellationToken);
            if (operation is not IBlockOperation block)
            {
                throw new InvalidOperationException("The method body has no operation tree.");
            }
            if (_hasTensors && TakeTensorElementsPath(block))
            {
                return output;
            }
            if (_hasTensors && RefuseTensorConstructs(block))
            {
                return output;
            }
            LowerStatements(block.Operations.ToList(), 0, env, output);
        }
        else if (syntax.ExpressionBody is { } arrow)
        {
            IOperation? operation = _semanticModel.GetOperation(arrow, _cancellationToken);
            IOperation? returned = operation switch
            {
                IBlockOperation b => b.Operations.OfType<IReturnOperation>().FirstOrDefault()?.ReturnedValue,
                IReturnOperation r => r.ReturnedValue,
                _ => null,
            } ?? throw new InvalidOperationException("The expression body has no operation tree.");
            if (_hasTensors && TakeTensorElementsPath(operation!))
            {
                return output;
            }
            if (_hasTensors && RefuseTensorConstructs(operation!))
            {
                return output;
            }
            _origin = AddOrigin("return " + arrow.Expression.ToString() + ";");
            LowerReturn(returned, env, output);
        }
        return output;
    }

    // ----- statements -------------------------------------------------------------------------------

    /// <summary>Lowers <paramref name="ops"/> from <paramref name="index"/>; true when every path returned.</summary>
    /// <remarks>
    /// <paramref name="fallThrough"/>, inside a loop, writes what ends an iteration (the step, the carried
    /// variables' updates) where control reaches the end of <paramref name="ops"/> or a <c>continue</c>.
    /// </remarks>
    private bool LowerStatements(List<IOperation> ops, int index, Env env, List<Statement> output, Action<Env, List<Statement>>? fallThrough = null)
    {
        for (int i = index; i < ops.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            IOperation op = ops[i];
            if (op is IInvalidOperation || op.Descendants().Any(d => d is IInvalidOperation))
            {
                HasInvalidCode = true;
                return true;
            }
            switch (op)
            {
                case IBlockOperation block:
                {
                    // A nested block: splice its statements in front of the rest.
                    var spliced = new List<IOperation>(block.Operations);
                    spliced.AddRange(ops.Skip(i + 1));
                    return LowerStatements(spliced, 0, env, output, fallThrough);
                }
                case IReturnOperation ret:
                {
                    _origin = AddOrigin(op.Syntax);
                    if (ret.ReturnedValue is null)
                    {
                        Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "return statements without a value are not supported", "return the method's value");
                        return true;
                    }
                    if (_loops.Count > 0)
                    {
                        ReturnFromLoop(ret.ReturnedValue, env, output);
                        return true;
                    }
                    LowerReturn(ret.ReturnedValue, env, output);
                    return true; // anything after is unreachable
                }
                case IConditionalOperation conditional when !ContainsJump(conditional):
                    _origin = AddOrigin("if (" + ((IfStatementSyntax)op.Syntax).Condition + ")");
                    LowerJoiningIf(conditional, env, output);
                    break;
                case IConditionalOperation conditional:
                {
                    _origin = AddOrigin("if (" + ((IfStatementSyntax)op.Syntax).Condition + ")");
                    Expr condition = LowerBranchCondition(conditional.Condition, env, output);
                    int origin = _origin;
                    List<IOperation> rest = ops.Skip(i + 1).ToList();
                    var thenOps = Flatten(conditional.WhenTrue);
                    thenOps.AddRange(rest);
                    var elseOps = Flatten(conditional.WhenFalse);
                    elseOps.AddRange(rest);
                    var thenOut = new List<Statement>();
                    var elseOut = new List<Statement>();
                    LowerStatements(thenOps, 0, new Env(env, Env.Comparer), thenOut, fallThrough);
                    LowerStatements(elseOps, 0, new Env(env, Env.Comparer), elseOut, fallThrough);
                    output.Add(new IfStatement(condition, thenOut.ToEquatableArray(), elseOut.ToEquatableArray(), origin));
                    return true;
                }
                case IVariableDeclarationGroupOperation group:
                    _origin = AddOrigin(op.Syntax);
                    foreach (IVariableDeclarationOperation declaration in group.Declarations)
                    {
                        foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                        {
                            IVariableInitializerOperation? initializer = declarator.GetVariableInitializer();
                            if (declarator.Symbol.IsConst)
                            {
                                continue; // read through its constant value
                            }
                            if (declarator.Symbol.RefKind != RefKind.None)
                            {
                                Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "ref locals are not supported", "use an ordinary local");
                                continue;
                            }
                            if (initializer is not null)
                            {
                                Assign(declarator.Symbol, declarator.Symbol.Type, initializer.Value, env, output);
                            }
                        }
                    }
                    break;
                case IExpressionStatementOperation statement:
                    _origin = AddOrigin(op.Syntax);
                    LowerExpressionStatement(statement.Operation, env, output);
                    break;
                case IEmptyOperation:
                    break;
                case IForLoopOperation loop when _hasTensors:
                    LowerTensorLoop(loop, env, output); // checked by CheckTensorLoop
                    break;
                case ILoopOperation loop:
                {
                    if (!LowerLoop(loop, env, output))
                    {
                        return true;
                    }
                    if (ContainsReturn(loop))
                    {
                        // A return inside the loop left it with the flag set: the rest runs only when it is not.
                        AfterLoopThatMayReturn(ops.Skip(i + 1).ToList(), env, output, fallThrough);
                        return true;
                    }
                    break;
                }
                case ITryOperation:
                    Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "try statements are not supported", "handle errors in the caller");
                    return true;
                case ISwitchOperation:
                    Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "switch statements are not supported yet", "use if/else if/else");
                    return true;
                case IThrowOperation:
                    Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "throw statements are not supported yet", "validate arguments in the caller");
                    return true;
                case IBranchOperation branch when _loops.Count > 0 && branch.Target.Equals(_loops.Peek().Exit, SymbolEqualityComparer.Default):
                    _origin = AddOrigin(op.Syntax);
                    _loops.Peek().Break(env, output);
                    return true;
                case IBranchOperation branch when _loops.Count > 0 && branch.Target.Equals(_loops.Peek().Continue, SymbolEqualityComparer.Default):
                    _origin = AddOrigin(op.Syntax);
                    fallThrough?.Invoke(env, output);
                    return true;
                case IBranchOperation or ILabeledOperation:
                    Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "goto statements and labels are not supported", "use loops with break and continue, if/else and return");
                    return true;
                case ILocalFunctionOperation:
                    Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "local functions are not supported", "make it a separate static [Differentiable] method");
                    break;
                case IUsingOperation or ILockOperation or IUsingDeclarationOperation:
                    Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "using and lock statements are not supported", "keep resources and locks outside the [Differentiable] method");
                    return true;
                default:
                    Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, Describe(op.Syntax) + " statements are not supported", "rewrite it with locals, if/else and return");
                    return true;
            }
        }
        fallThrough?.Invoke(env, output);
        return false;
    }

    /// <summary>
    /// <c>return c ? a : b;</c> becomes <c>if (c) return a; else return b;</c>: no joined variable, and the
    /// gradient can run each branch's forward and backward statements together.
    /// </summary>
    private void LowerReturn(IOperation returned, Env env, List<Statement> output)
    {
        if (returned is IConditionalOperation { WhenFalse: not null } conditional && conditional.ConstantValue.HasValue == false)
        {
            Expr condition = LowerBranchCondition(conditional.Condition, env, output);
            var thenOut = new List<Statement>();
            var elseOut = new List<Statement>();
            LowerReturn(conditional.WhenTrue, new Env(env, Env.Comparer), thenOut);
            LowerReturn(conditional.WhenFalse, new Env(env, Env.Comparer), elseOut);
            output.Add(new IfStatement(condition, thenOut.ToEquatableArray(), elseOut.ToEquatableArray(), _origin));
            return;
        }
        Expr value = LowerExpression(returned, env, output);
        output.Add(new ReturnStatement(value, _origin));
    }

    private void LowerJoiningIf(IConditionalOperation conditional, Env env, List<Statement> output)
    {
        int origin = _origin;
        Expr condition = LowerBranchCondition(conditional.Condition, env, output);
        var thenEnv = new Env(env, Env.Comparer);
        var elseEnv = new Env(env, Env.Comparer);
        var thenOut = new List<Statement>();
        var elseOut = new List<Statement>();
        LowerStatements(Flatten(conditional.WhenTrue), 0, thenEnv, thenOut);
        LowerStatements(Flatten(conditional.WhenFalse), 0, elseEnv, elseOut);
        Join(thenEnv, elseEnv, env, thenOut, elseOut, origin);
        output.Add(new IfStatement(condition, thenOut.ToEquatableArray(), elseOut.ToEquatableArray(), origin));
    }

    /// <summary>Where a variable has different versions at the end of the two branches, both copy into a new one.</summary>
    private void Join(Env thenEnv, Env elseEnv, Env env,
        List<Statement> thenOut, List<Statement> elseOut, int origin)
    {
        foreach (KeyValuePair<object, Variable> pair in thenEnv)
        {
            if (!elseEnv.TryGetValue(pair.Key, out Variable? elseVersion))
            {
                continue; // declared inside one branch, or assigned on one path only: not readable after the if
            }
            if (pair.Value.Equals(elseVersion))
            {
                env[pair.Key] = pair.Value;
                continue;
            }
            if (pair.Value.Type.Kind == ScalarKind.Sequence)
            {
                // Which array a variable names would then depend on the branch taken.
                SyntaxNode where = _allocationSyntax.TryGetValue(pair.Value.Name, out SyntaxNode? a) ? a
                    : _allocationSyntax.TryGetValue(elseVersion.Name, out SyntaxNode? b) ? b : null!;
                if (where is not null)
                {
                    Report(DiagnosticDescriptors.UnsupportedExpression, where, "creating a local array in a branch and using it after the branch is not supported",
                        "create the array once before the if and write its elements in the branches");
                }
                env[pair.Key] = pair.Value;
                continue;
            }
            var joined = new Variable(_names.Fresh(Env.NameOf(pair.Key)), pair.Value.Type);
            thenOut.Add(new Assignment(joined, pair.Value, origin));
            elseOut.Add(new Assignment(joined, elseVersion, origin));
            if (_varied.Contains(pair.Value.Name) || _varied.Contains(elseVersion.Name))
            {
                _varied.Add(joined.Name);
            }
            env[pair.Key] = joined;
        }
    }

    private void LowerExpressionStatement(IOperation operation, Env env, List<Statement> output)
    {
        switch (operation)
        {
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                LowerExpression(operation, env, output);
                break;
            case IInvocationOperation invocation when invocation.TargetMethod.ReturnsVoid:
            {
                if (!CheckStaticCall(invocation))
                {
                    return;
                }
                var arguments = LowerArguments(invocation, env, output);
                output.Add(new ExpressionStatement(new PassiveCall(MethodName(invocation.TargetMethod), arguments, new TypeRef("void", ScalarKind.Other)), _origin));
                break;
            }
            case IInvocationOperation:
                // A value-returning call used as a statement: evaluate it for its effects.
                LowerExpression(operation, env, output);
                break;
            case IDiscardOperation:
                break;
            case IThrowOperation:
                Report(DiagnosticDescriptors.UnsupportedStatement, operation.Syntax.Parent ?? operation.Syntax, "throw statements are not supported yet", "validate arguments in the caller");
                break;
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, operation.Syntax, Describe(operation.Syntax) + " statements are not supported", "assign the value to a local or return it");
                break;
        }
    }

    // ----- expressions ------------------------------------------------------------------------------

    private Expr LowerCondition(IOperation condition, Env env, List<Statement> output) =>
        LowerExpression(condition, env, output);

    private Expr LowerExpression(IOperation op, Env env, List<Statement> output)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (op is IInvalidOperation || op.Type is { TypeKind: TypeKind.Error })
        {
            HasInvalidCode = true;
            return new Constant(0, TypeRef.Double);
        }
        if (op.ConstantValue.HasValue && op.Type is not null)
        {
            return ConstantOf(op.ConstantValue.Value, op.Type, op.Syntax);
        }
        if (_hasTensors && TryLowerTensor(op, env, output, out Expr tensor))
        {
            return tensor;
        }
        if (ReadsTensorElements && TryLowerTensorElement(op, env, output, out Expr tensorElement))
        {
            return tensorElement;
        }
        switch (op)
        {
            case IParenthesizedOperation p:
                return LowerExpression(p.Operand, env, output);
            case ILocalReferenceOperation local:
                return Read(local.Local, env, op.Syntax);
            case IParameterReferenceOperation parameter:
                return Read(parameter.Parameter, env, op.Syntax);
            case IFieldReferenceOperation field when field.Field.IsStatic:
                return new MemberRead(TypeName(field.Field.ContainingType) + "." + field.Field.Name, TypeMapper.Map(field.Field.Type));
            case IPropertyReferenceOperation property when property.Property.IsStatic && property.Arguments.Length == 0:
                return new MemberRead(TypeName(property.Property.ContainingType) + "." + property.Property.Name, TypeMapper.Map(property.Property.Type));
            case IArrayElementReferenceOperation element when element.Indices.Length == 1:
                return LowerElementRead(element.ArrayReference, element.Indices[0], op, env, output);
            case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } indexer
                when indexer.Arguments.Length == 1 && TypeMapper.Map(instance.Type!).Kind == ScalarKind.Sequence:
                return LowerElementRead(instance, indexer.Arguments[0].Value, op, env, output);
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { } instance }
                when TypeMapper.Map(instance.Type!).Kind == ScalarKind.Sequence:
                return LowerLength(instance, op, env, output);
            case IImplicitIndexerReferenceOperation or IRangeOperation:
                return Unsupported(op, "indexing from the end (^) and ranges (..) are not supported", "index with an int: x[x.Length - 1], or loop over the elements");
            case IFieldReferenceOperation or IPropertyReferenceOperation:
                return Unsupported(op, "reading instance fields or properties is not supported", "pass the value in as a parameter");
            case IConversionOperation conversion:
                return LowerConversion(conversion, env, output);
            case IUnaryOperation unary:
                return LowerUnary(unary, env, output);
            case IBinaryOperation binary:
                return LowerBinary(binary, env, output);
            case ISimpleAssignmentOperation assignment when ElementTarget(assignment.Target) is { } element:
                return LowerElementWrite(assignment, element.Sequence, element.Index, assignment.Value, null, env, output);
            case ICompoundAssignmentOperation compound when ElementTarget(compound.Target) is { } element:
                return LowerElementWrite(compound, element.Sequence, element.Index, compound.Value, compound, env, output);
            case ISimpleAssignmentOperation assignment:
            {
                ISymbol? target = AssignableTarget(assignment.Target);
                if (target is null)
                {
                    return Unsupported(assignment.Target, "assignments to fields, properties and elements are not supported", "assign to a local variable instead");
                }
                return Assign(target, assignment.Target.Type!, assignment.Value, env, output);
            }
            case ICompoundAssignmentOperation compound:
                return LowerCompoundAssignment(compound, env, output);
            case IIncrementOrDecrementOperation increment:
                return LowerIncrement(increment, env, output);
            case IConditionalOperation conditional when conditional.WhenFalse is not null:
                return LowerConditionalExpression(conditional, env, output, name: null);
            case IInvocationOperation invocation:
                return LowerInvocation(invocation, env, output);
            case IDefaultValueOperation when op.Type is not null:
                return new Literal("default(" + TypeMapper.Map(op.Type).Name + ")", TypeMapper.Map(op.Type));
            case IArrayCreationOperation or IArrayElementReferenceOperation or IArrayInitializerOperation:
                return Unsupported(op, "this use of an array is not supported", "use one-dimensional local arrays (new double[n]) and read and write their elements by index");
            case IObjectCreationOperation:
                return Unsupported(op, "creating objects is not supported", "create the object outside and pass the numbers in as parameters");
            case IAnonymousFunctionOperation or IDelegateCreationOperation:
                return Unsupported(op, "lambdas and delegates are not supported", "write the function as a static [Differentiable] method and call it");
            case ISwitchExpressionOperation:
                return Unsupported(op, "switch expressions are not supported yet", "use a conditional expression or if/else");
            case IIsPatternOperation or IIsTypeOperation:
                return Unsupported(op, "patterns are not supported", "use comparison operators");
            case ITupleOperation or IDeconstructionAssignmentOperation:
                return Unsupported(op, "tuples are not supported", "use separate locals");
            case IThrowOperation:
                return Unsupported(op, "throw expressions are not supported yet", "validate arguments in the caller");
            default:
                return Unsupported(op, Describe(op.Syntax) + " expressions are not supported", "rewrite it with arithmetic, Math functions and calls to [Differentiable] methods");
        }
    }

    private Expr Read(ISymbol symbol, Env env, SyntaxNode syntax)
    {
        if (symbol is ILocalSymbol { IsConst: true, HasConstantValue: true } constant)
        {
            return ConstantOf(constant.ConstantValue, constant.Type, syntax);
        }
        if (env.TryGetValue(symbol, out Variable? variable))
        {
            return variable;
        }
        // Assigned by a construct already reported (a pattern, an out argument): no second error.
        if (_diagnostics.Count == 0)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, syntax, "reading '" + symbol.Name + "', which is assigned by a pattern, an out argument or a deconstruction, is not supported", "assign it with '='");
        }
        return new Constant(0, TypeRef.Double);
    }

    private Expr Assign(object target, ITypeSymbol targetType, IOperation valueOperation, Env env, List<Statement> output)
    {
        if (TypeMapper.Map(targetType).Kind == ScalarKind.Sequence)
        {
            return LowerArrayAssignment(target, targetType, valueOperation, env, output);
        }
        if (valueOperation is IConditionalOperation { WhenFalse: not null, ConstantValue.HasValue: false } conditional)
        {
            // The branches assign the target's next version directly: no copy after the join.
            Variable joined = LowerConditionalExpression(conditional, env, output, NextVersionName(target, env));
            env[target] = joined;
            return joined;
        }
        Expr value = LowerExpression(valueOperation, env, output);
        return Define(target, TypeMapper.Map(targetType), value, env, output);
    }

    private Variable Define(object target, TypeRef type, Expr value, Env env, List<Statement> output)
    {
        string name = NextVersionName(target, env);
        var variable = new Variable(name, type);
        output.Add(new Assignment(variable, value, _origin));
        if ((type.IsFloating || type.IsTensor) && Activity.IsVaried(value, _varied))
        {
            _varied.Add(name);
        }
        env[target] = variable;
        return variable;
    }

    /// <summary>The name of the next version of a user variable: its own name the first time, if free; else <c>name_1</c>, ….</summary>
    private string NextVersionName(object target, Env env) =>
        env.ContainsKey(target) || !_names.TryTakeOwn(Env.NameOf(target)) ? _names.Fresh(Env.NameOf(target)) : Env.NameOf(target);

    /// <summary>Lowers <c>c ? a : b</c> into a branch whose arms assign one variable, named <paramref name="name"/> or a fresh <c>_cN</c>.</summary>
    private Variable LowerConditionalExpression(IConditionalOperation conditional, Env env, List<Statement> output, string? name)
    {
        Expr condition = LowerBranchCondition(conditional.Condition, env, output);
        TypeRef type = TypeMapper.Map(conditional.Type!);
        var thenOut = new List<Statement>();
        var elseOut = new List<Statement>();
        var thenEnv = new Env(env, Env.Comparer);
        var elseEnv = new Env(env, Env.Comparer);
        Expr whenTrue = LowerExpression(conditional.WhenTrue, thenEnv, thenOut);
        Expr whenFalse = LowerExpression(conditional.WhenFalse!, elseEnv, elseOut);
        name ??= _names.FreshNumbered("_c");
        var result = new Variable(name, type);
        thenOut.Add(new Assignment(result, whenTrue, _origin));
        elseOut.Add(new Assignment(result, whenFalse, _origin));
        // Assignments inside the branches (x = c ? y++ : z) also join.
        Join(thenEnv, elseEnv, env, thenOut, elseOut, _origin);
        output.Add(new IfStatement(condition, thenOut.ToEquatableArray(), elseOut.ToEquatableArray(), _origin));
        if (Activity.IsVaried(whenTrue, _varied) || Activity.IsVaried(whenFalse, _varied))
        {
            _varied.Add(name);
        }
        return result;
    }

    private Expr LowerConversion(IConversionOperation conversion, Env env, List<Statement> output)
    {
        Expr operand = LowerExpression(conversion.Operand, env, output);
        if (conversion.Type is { } to && TypeMapper.Map(to).Kind == ScalarKind.Sequence && operand.Type.Kind == ScalarKind.Sequence)
        {
            return operand; // an array or span seen as a span: the same elements
        }
        if (conversion.OperatorMethod is not null)
        {
            return Unsupported(conversion, "user-defined conversions are not supported", "convert between float, double and integer types only");
        }
        if (conversion.Type is null)
        {
            return operand;
        }
        TypeRef type = TypeMapper.Map(conversion.Type);
        if (type.Equals(operand.Type))
        {
            return operand;
        }
        if (!conversion.Conversion.IsNumeric && !conversion.Conversion.IsIdentity)
        {
            if (type.IsFloating || Activity.IsVaried(operand, _varied))
            {
                return Unsupported(conversion, "this conversion is not supported", "convert between float, double and integer types only");
            }
        }
        if (type.Kind == ScalarKind.Other && Activity.IsVaried(operand, _varied))
        {
            // decimal and the like: the derivative would be lost without a word.
            return Unsupported(conversion, "converting a differentiated value to '" + conversion.Type.ToDisplayString() + "' is not supported", "keep the computation in float or double");
        }
        return new Conversion(operand, type);
    }

    private Expr LowerUnary(IUnaryOperation unary, Env env, List<Statement> output)
    {
        if (unary.OperatorMethod is not null)
        {
            return Unsupported(unary, "user-defined operators are not supported", "use float or double arithmetic");
        }
        Expr operand = LowerExpression(unary.Operand, env, output);
        TypeRef type = TypeMapper.Map(unary.Type!);
        return unary.OperatorKind switch
        {
            UnaryOperatorKind.Plus => operand,
            UnaryOperatorKind.Minus => new Unary(UnaryOperator.Negate, operand, type),
            UnaryOperatorKind.Not => new Unary(UnaryOperator.Not, operand, type),
            UnaryOperatorKind.BitwiseNegation => new Unary(UnaryOperator.BitwiseNot, operand, type),
            _ => Unsupported(unary, "the operator '" + unary.OperatorKind + "' is not supported", "use arithmetic, comparison and logical operators"),
        };
    }

    private Expr LowerBinary(IBinaryOperation binary, Env env, List<Statement> output)
    {
        if (binary.OperatorMethod is not null)
        {
            return Unsupported(binary, "user-defined operators are not supported", "use float or double arithmetic");
        }
        Expr left = LowerExpression(binary.LeftOperand, env, output);
        BinaryOperator? op = MapBinary(binary.OperatorKind);
        if (op is null)
        {
            return Unsupported(binary, "the operator '" + binary.OperatorKind + "' is not supported", "use arithmetic, comparison and logical operators");
        }
        Expr right;
        if (op is BinaryOperator.ConditionalAnd or BinaryOperator.ConditionalOr)
        {
            // The right operand runs only when the left one does not decide: when lowering it needs
            // statements (a [Differentiable] call, a conditional), they go into a branch.
            var rightEnv = new Env(env, Env.Comparer);
            var rightStatements = new List<Statement>();
            right = LowerExpression(binary.RightOperand, rightEnv, rightStatements);
            if (rightStatements.Count > 0)
            {
                int origin = _origin;
                var result = new Variable(_names.FreshNumbered("_c"), TypeRef.Bool);
                var decided = new List<Statement> { new Assignment(result, new Constant(op == BinaryOperator.ConditionalOr ? 1 : 0, TypeRef.Bool), origin) };
                rightStatements.Add(new Assignment(result, right, origin));
                var decidedEnv = new Env(env, Env.Comparer);
                bool runsOnTrue = op == BinaryOperator.ConditionalAnd;
                var whenTrue = runsOnTrue ? rightStatements : decided;
                var whenFalse = runsOnTrue ? decided : rightStatements;
                Join(runsOnTrue ? rightEnv : decidedEnv, runsOnTrue ? decidedEnv : rightEnv, env, whenTrue, whenFalse, origin);
                output.Add(new IfStatement(left, whenTrue.ToEquatableArray(), whenFalse.ToEquatableArray(), origin));
                return result;
            }
        }
        else
        {
            right = LowerExpression(binary.RightOperand, env, output);
        }
        return new Binary(op.Value, left, right, TypeMapper.Map(binary.Type!));
    }

    private static BinaryOperator? MapBinary(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => BinaryOperator.Add,
        BinaryOperatorKind.Subtract => BinaryOperator.Subtract,
        BinaryOperatorKind.Multiply => BinaryOperator.Multiply,
        BinaryOperatorKind.Divide => BinaryOperator.Divide,
        BinaryOperatorKind.Remainder => BinaryOperator.Remainder,
        BinaryOperatorKind.LessThan => BinaryOperator.LessThan,
        BinaryOperatorKind.LessThanOrEqual => BinaryOperator.LessThanOrEqual,
        BinaryOperatorKind.GreaterThan => BinaryOperator.GreaterThan,
        BinaryOperatorKind.GreaterThanOrEqual => BinaryOperator.GreaterThanOrEqual,
        BinaryOperatorKind.Equals => BinaryOperator.Equals,
        BinaryOperatorKind.NotEquals => BinaryOperator.NotEquals,
        BinaryOperatorKind.ConditionalAnd => BinaryOperator.ConditionalAnd,
        BinaryOperatorKind.ConditionalOr => BinaryOperator.ConditionalOr,
        BinaryOperatorKind.And => BinaryOperator.And,
        BinaryOperatorKind.Or => BinaryOperator.Or,
        BinaryOperatorKind.ExclusiveOr => BinaryOperator.ExclusiveOr,
        BinaryOperatorKind.LeftShift => BinaryOperator.LeftShift,
        BinaryOperatorKind.RightShift => BinaryOperator.RightShift,
        _ => null,
    };

    private Expr LowerCompoundAssignment(ICompoundAssignmentOperation compound, Env env, List<Statement> output)
    {
        ISymbol? target = AssignableTarget(compound.Target);
        if (target is null)
        {
            return Unsupported(compound.Target, "assignments to fields, properties and elements are not supported", "assign to a local variable instead");
        }
        if (compound.OperatorMethod is not null)
        {
            return Unsupported(compound, "user-defined operators are not supported", "use float or double arithmetic");
        }
        BinaryOperator? op = MapBinary(compound.OperatorKind);
        if (op is null)
        {
            return Unsupported(compound, "the operator '" + compound.OperatorKind + "=' is not supported", "use arithmetic operators");
        }
        Expr current = Read(target, env, compound.Target.Syntax);
        Expr value = LowerExpression(compound.Value, env, output);
        TypeRef targetType = TypeMapper.Map(compound.Target.Type!);
        // The operator works in the wider of the two types; the result converts back to the target's type.
        TypeRef operatorType = Wider(targetType, value.Type);
        Expr left = operatorType.Equals(targetType) ? current : new Conversion(current, operatorType);
        Expr right = operatorType.Equals(value.Type) ? value : new Conversion(value, operatorType);
        Expr result = new Binary(op.Value, left, right, operatorType);
        if (!operatorType.Equals(targetType))
        {
            result = new Conversion(result, targetType);
        }
        return Define(target, targetType, result, env, output);
    }

    private static TypeRef Wider(TypeRef a, TypeRef b)
    {
        if (a.Kind == ScalarKind.Double || b.Kind == ScalarKind.Double)
        {
            return TypeRef.Double;
        }
        if (a.Kind == ScalarKind.Single || b.Kind == ScalarKind.Single)
        {
            return TypeRef.Single;
        }
        return a;
    }

    private Expr LowerIncrement(IIncrementOrDecrementOperation increment, Env env, List<Statement> output)
    {
        if (ElementTarget(increment.Target) is { } element)
        {
            return Unsupported(increment, "++ and -- on an element are not supported", "write a[i] += 1 instead");
        }
        ISymbol? target = AssignableTarget(increment.Target);
        if (target is null)
        {
            return Unsupported(increment.Target, "assignments to fields, properties and elements are not supported", "assign to a local variable instead");
        }
        Expr current = Read(target, env, increment.Target.Syntax);
        TypeRef type = TypeMapper.Map(increment.Target.Type!);
        var op = increment.Kind == OperationKind.Increment ? BinaryOperator.Add : BinaryOperator.Subtract;
        Expr one = type.Kind is ScalarKind.Other ? new Literal("1", type) : new Constant(1, type);
        Expr updated = new Binary(op, current, one, type);
        if (type.Kind is ScalarKind.Integer && type.Name is not "int" and not "long" and not "uint" and not "ulong")
        {
            updated = new Conversion(updated, type); // byte/short arithmetic widens to int
        }
        Variable next = Define(target, type, updated, env, output);
        return increment.IsPostfix ? current : next;
    }

    private Expr LowerInvocation(IInvocationOperation invocation, Env env, List<Statement> output)
    {
        IMethodSymbol method = invocation.TargetMethod;
        if (!CheckStaticCall(invocation))
        {
            return new Constant(0, TypeMapper.Map(method.ReturnType));
        }
        EquatableArray<Expr> arguments = LowerArguments(invocation, env, output);
        TypeRef type = TypeMapper.Map(method.ReturnType);
        if (CheckSequenceArguments(invocation, arguments) is { } refused)
        {
            return refused;
        }
        string containing = method.ContainingType.ToDisplayString();
        bool isMath = containing is "System.Math" or "System.MathF" or "System.Double" or "System.Single";
        if (isMath && DerivativeRules.IsKnown(method.Name, arguments.Count) && (type.IsFloating || !arguments.Any(a => a.Type.IsFloating)))
        {
            return new MathCall(method.Name, arguments, type);
        }
        bool anyVaried = arguments.Any(a => Activity.IsVaried(a, _varied));
        if (CustomGradientReader.Find(method.OriginalDefinition) is { } custom && type.IsFloating)
        {
            if (!anyVaried)
            {
                return new PassiveCall(MethodName(method), arguments, type);
            }
            if (CustomGradientReader.Resolve(method.OriginalDefinition, custom, out string expected) is not { } gradient)
            {
                // A declaration in this compilation has its own BPS0017; a referenced one is reported here.
                if (method.Locations.Any(l => l.IsInSource))
                {
                    _failedSilently = true;
                }
                else
                {
                    Report(DiagnosticDescriptors.CustomGradientMismatch, invocation.Syntax, DisplayName(method), expected);
                }
                return new Constant(0, type);
            }
            return LowerDifferentiableCall(invocation, arguments, type, output,
                TypeName(method.ContainingType) + "." + gradient.Name, CustomGradientReader.DifferentiatedParameters(method.OriginalDefinition));
        }
        if (DifferentiableAttributeReader.IsDifferentiable(method) && type.IsFloating)
        {
            if (_calleeHasErrors(method.OriginalDefinition))
            {
                Report(DiagnosticDescriptors.CalleeNotDifferentiable, invocation.Syntax, method.Name);
                return new Constant(0, type);
            }
            if (!anyVaried)
            {
                return new PassiveCall(MethodName(method), arguments, type);
            }
            return LowerDifferentiableCall(invocation, arguments, type, output,
                TypeName(method.ContainingType) + "." + method.Name + "Gradient", DifferentiableAttributeReader.DifferentiatedParameters(method.OriginalDefinition));
        }
        if (anyVaried && type.IsFloating)
        {
            int index = IndexOfFirstVaried(arguments);
            IArgumentOperation argument = OrderedArguments(invocation)[index];
            Report(DiagnosticDescriptors.NoDerivative, argument.Syntax, DisplayName(method), argument.Syntax.ToString());
            return new Constant(0, type);
        }
        return new PassiveCall(MethodName(method), arguments, type);
    }

    private Expr LowerDifferentiableCall(IInvocationOperation invocation, EquatableArray<Expr> arguments, TypeRef type, List<Statement> output,
        string gradient, bool[] differentiated)
    {
        IMethodSymbol method = invocation.TargetMethod;
        var ordered = OrderedArguments(invocation);
        string stem = "_" + char.ToLowerInvariant(method.Name[0]) + method.Name.Substring(1);
        var target = new Variable(_names.Fresh(stem), type);
        var partials = new List<PartialSlot>();
        bool failed = false;
        for (int i = 0; i < arguments.Count; i++)
        {
            if (differentiated[i])
            {
                // A span argument's partials fill a buffer of its length.
                TypeRef partialType = arguments[i].Type.Kind == ScalarKind.Sequence ? TypeRef.SpanOf(arguments[i].Type.Element!) : arguments[i].Type;
                partials.Add(new PartialSlot(new Variable(_names.Fresh(target.Name + "_" + NameAllocator.AdjointStem(method.Parameters[i].Name)), partialType)));
            }
            else
            {
                partials.Add(new PartialSlot(null));
                if (arguments[i].Type.IsDifferentiable && Activity.IsVaried(arguments[i], _varied))
                {
                    Report(DiagnosticDescriptors.ArgumentNotDifferentiated, ordered[i].Syntax, ordered[i].Syntax.ToString(), method.Name, method.Parameters[i].Name,
                    DiagnosticDescriptors.AddToDifferentiable(method.Parameters[i].Name));
                    failed = true;
                }
            }
        }
        if (failed)
        {
            return new Constant(0, type);
        }
        output.Add(new DifferentiableCall(target, gradient, arguments, partials.ToEquatableArray(), _origin));
        _varied.Add(target.Name);
        return target;
    }

    private bool CheckStaticCall(IInvocationOperation invocation)
    {
        if (invocation.TargetMethod.MethodKind == MethodKind.LocalFunction)
        {
            // Its declaration already has BPS0004 when it was reached; one error per cause.
            if (!_diagnostics.Any(d => d.Id == DiagnosticDescriptors.UnsupportedStatement.Id))
            {
                Unsupported(invocation, "calls to local functions are not supported", "make it a static method of the type, marked [Differentiable] if its arguments depend on the differentiated parameters");
            }
            return false;
        }
        if (invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke)
        {
            Unsupported(invocation, "calling delegates is not supported", "call a static method directly");
            return false;
        }
        if (invocation.Instance is not null)
        {
            Unsupported(invocation, "calls to instance methods are not supported", "call a static method, passing the values it needs");
            return false;
        }
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter is { RefKind: not RefKind.None and not RefKind.In })
            {
                Unsupported(argument, "ref and out arguments are not supported", "return the value instead");
                return false;
            }
            if (argument.ArgumentKind == ArgumentKind.ParamArray)
            {
                Unsupported(argument, "params arrays are not supported", "pass the values as separate parameters");
                return false;
            }
        }
        return true;
    }

    private EquatableArray<Expr> LowerArguments(IInvocationOperation invocation, Env env, List<Statement> output)
    {
        // Evaluate in source order (side effects), then pass in parameter order.
        var values = new Dictionary<int, Expr>();
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            values[argument.Parameter?.Ordinal ?? values.Count] = LowerExpression(argument.Value, env, output);
        }
        return values.OrderBy(p => p.Key).Select(p => p.Value).ToEquatableArray();
    }

    private static List<IArgumentOperation> OrderedArguments(IInvocationOperation invocation) =>
        invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).ToList();

    private int IndexOfFirstVaried(EquatableArray<Expr> arguments)
    {
        for (int i = 0; i < arguments.Count; i++)
        {
            if (Activity.IsVaried(arguments[i], _varied))
            {
                return i;
            }
        }
        return 0;
    }

    // ----- helpers ----------------------------------------------------------------------------------

    private static ISymbol? AssignableTarget(IOperation target) => target switch
    {
        ILocalReferenceOperation l => l.Local,
        IParameterReferenceOperation p => p.Parameter,
        _ => null,
    };

    private Expr ConstantOf(object? value, ITypeSymbol type, SyntaxNode syntax)
    {
        TypeRef t = TypeMapper.Map(type);
        switch (value)
        {
            case double d:
                return new Constant(d, t);
            case float f:
                return new Constant(f, t);
            case bool b:
                return new Constant(b ? 1 : 0, t);
            case int or short or sbyte or byte or ushort:
                return new Constant(System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), t);
            case long or uint or ulong:
                return new Literal(System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) + (value is long ? "L" : value is uint ? "U" : "UL"), t);
            case string s:
                return new Literal(Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(s, quote: true), t);
            case char c:
                return new Literal(Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(c, quote: true), t);
            case null:
                return new Literal("default(" + t.Name + ")", t);
            default:
                return new Literal("(" + t.Name + ")" + System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), t);
        }
    }

    private static List<IOperation> Flatten(IOperation? op) => op switch
    {
        null => new List<IOperation>(),
        IBlockOperation block => block.Operations.ToList(),
        _ => new List<IOperation> { op },
    };

    private static bool ContainsReturn(IOperation op) =>
        op.Descendants().Any(d => d is IReturnOperation);

    private Expr Unsupported(IOperation op, string what, string todo)
    {
        Report(DiagnosticDescriptors.UnsupportedExpression, op.Syntax, what, todo);
        return new Constant(0, op.Type is null ? TypeRef.Double : TypeMapper.Map(op.Type));
    }

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode syntax, params string[] arguments)
    {
        // One diagnostic per node: no cascades from the same construct.
        LocationInfo? location = DiagnosticFactory.ToInfo(syntax.GetLocation());
        if (_diagnostics.Any(d => d.Location == location && d.Id == descriptor.Id))
        {
            return;
        }
        _diagnostics.Add(DiagnosticFactory.Create(descriptor, syntax, arguments));
    }

    private int AddOrigin(SyntaxNode syntax) => AddOrigin(syntax.ToString());

    private int AddOrigin(string text)
    {
        string line = Regex.Replace(text, @"\s+", " ").Trim();
        if (line.Length > 100)
        {
            line = line.Substring(0, 97) + "...";
        }
        _origins.Add(line);
        return _origins.Count - 1;
    }

    private static string Describe(SyntaxNode syntax)
    {
        string kind = syntax.Kind().ToString();
        foreach (string suffix in new[] { "Statement", "Expression" })
        {
            if (kind.EndsWith(suffix, StringComparison.Ordinal))
            {
                kind = kind.Substring(0, kind.Length - suffix.Length);
            }
        }
        return "'" + Regex.Replace(kind, "(?<=[a-z])(?=[A-Z])", " ").ToLowerInvariant() + "'";
    }

    internal static string TypeName(INamedTypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private static string MethodName(IMethodSymbol method)
    {
        string name = TypeName(method.ContainingType) + "." + method.Name;
        if (method.IsGenericMethod)
        {
            name += "<" + string.Join(", ", method.TypeArguments.Select(t => t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))) + ">";
        }
        return name;
    }

    private static string DisplayName(IMethodSymbol method) => method.ContainingType.Name + "." + method.Name;
}
