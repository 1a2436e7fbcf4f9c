using System.Collections.Generic;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Differentiation;

/// <summary>
/// The element-wise tensor operations as scalar formulas over one element of each operand, and their local
/// partials: what the fused loops compute. Operators and the functions <c>Math</c> has (tanh, exp, log, sqrt) take
/// their partials from <see cref="DerivativeRules"/>; the others are written here. Partials read the operation's
/// own value where that is cheaper (tanh' = 1 − y², σ' = σ(1 − σ), exp' = y, sqrt' = 1/(2y)).
/// </summary>
internal static class ElementwiseRules
{
    private static readonly TypeRef F = TypeRef.Single;

    private static Expr C(double value) => Const(value, F);

    /// <summary>The element of <paramref name="function"/>'s result from its operands' elements, as the user's formula.</summary>
    public static Expr Value(TensorFunction function, IReadOnlyList<Expr> a)
    {
        switch (function)
        {
            case TensorFunction.Add:
                return new Binary(BinaryOperator.Add, a[0], a[1], F);
            case TensorFunction.Subtract:
                return new Binary(BinaryOperator.Subtract, a[0], a[1], F);
            case TensorFunction.Multiply:
                return new Binary(BinaryOperator.Multiply, a[0], a[1], F);
            case TensorFunction.Divide:
                return new Binary(BinaryOperator.Divide, a[0], a[1], F);
            case TensorFunction.Tanh:
            case TensorFunction.Exp:
            case TensorFunction.Log:
            case TensorFunction.Sqrt:
                return new MathCall(function.ToString(), EquatableArray.Create(a[0]), F);
            case TensorFunction.Sigmoid:
                // 1 / (1 + e^-x)
                return new Binary(BinaryOperator.Divide, C(1),
                    new Binary(BinaryOperator.Add, C(1), new MathCall("Exp", EquatableArray.Create<Expr>(new Unary(UnaryOperator.Negate, a[0], F)), F), F), F);
            case TensorFunction.Relu:
                return new MathCall("Max", EquatableArray.Create(a[0], C(0)), F);
            case TensorFunction.LeakyRelu:
                return new Select(new Binary(BinaryOperator.GreaterThan, a[0], C(0), TypeRef.Bool), a[0], new Binary(BinaryOperator.Multiply, a[1], a[0], F), F);
            case TensorFunction.Softplus:
                // log(1 + e^x) without overflow: max(x, 0) + log(1 + e^-|x|)
                return new Binary(BinaryOperator.Add,
                    new MathCall("Max", EquatableArray.Create(a[0], C(0)), F),
                    new MathCall("Log", EquatableArray.Create<Expr>(new Binary(BinaryOperator.Add, C(1),
                        new MathCall("Exp", EquatableArray.Create<Expr>(new Unary(UnaryOperator.Negate, new MathCall("Abs", EquatableArray.Create(a[0]), F), F)), F), F)), F), F);
            case TensorFunction.Square:
                return new Binary(BinaryOperator.Multiply, a[0], a[0], F);
            default:
                throw new System.ArgumentOutOfRangeException(nameof(function), function, "not an element-wise operation");
        }
    }

    /// <summary>True when <see cref="Value"/> reads its first operand more than once (a computed operand then gets a local).</summary>
    public static bool ReadsOperandTwice(TensorFunction function) =>
        function is TensorFunction.LeakyRelu or TensorFunction.Softplus or TensorFunction.Square;

    /// <summary>
    /// ∂f/∂(operand <paramref name="i"/>) at the operands' elements <paramref name="a"/>, with <paramref name="result"/>
    /// standing for f's own element.
    /// </summary>
    public static Expr Partial(TensorFunction function, int i, IReadOnlyList<Expr> a, Expr result)
    {
        switch (function)
        {
            case TensorFunction.Add:
            case TensorFunction.Subtract:
            case TensorFunction.Multiply:
            case TensorFunction.Divide:
            case TensorFunction.Tanh:
            case TensorFunction.Exp:
            case TensorFunction.Log:
            case TensorFunction.Sqrt:
                return DerivativeRules.Partial(Value(function, a), i, result)!;
            case TensorFunction.Sigmoid:
                return Multiply(result, Subtract(C(1), result));
            case TensorFunction.Relu:
                return Select(Compare(BinaryOperator.GreaterThan, a[0], C(0)), C(1), C(0));
            case TensorFunction.LeakyRelu:
                return i == 0
                    ? Select(Compare(BinaryOperator.GreaterThan, a[0], C(0)), C(1), a[1])
                    : Select(Compare(BinaryOperator.GreaterThan, a[0], C(0)), C(0), a[0]);
            case TensorFunction.Softplus:
                // σ(x)
                return Divide(C(1), Add(C(1), Call("Exp", F, Negate(a[0]))));
            case TensorFunction.Square:
                return Multiply(C(2), a[0]);
            default:
                throw new System.ArgumentOutOfRangeException(nameof(function), function, "not an element-wise operation");
        }
    }
}
