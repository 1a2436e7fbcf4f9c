using System.Collections.Generic;
using Backprop.Symbolic.Generators.Model;
using static Backprop.Symbolic.Generators.Simplification.ExpressionBuilder;

namespace Backprop.Symbolic.Generators.Differentiation;

/// <summary>
/// The table of local partial derivatives: for every operator and known function, ∂f/∂argᵢ as an
/// expression of the arguments and of f's own value. Reverse mode multiplies these by the adjoint,
/// forward mode by the tangent. Conventions at points where f is not differentiable: Abs'(0) = 0;
/// Max and Min send the whole derivative to their first argument on ties; Clamp's derivative flows to
/// the value when min ≤ value ≤ max and to the bound it returned otherwise; Sign, Floor, Ceiling,
/// Round and Truncate have derivative 0.
/// </summary>
internal static class DerivativeRules
{
    private static readonly Dictionary<string, int[]> Arities = new()
    {
        ["Sin"] = new[] { 1 }, ["Cos"] = new[] { 1 }, ["Tan"] = new[] { 1 },
        ["Asin"] = new[] { 1 }, ["Acos"] = new[] { 1 }, ["Atan"] = new[] { 1 }, ["Atan2"] = new[] { 2 },
        ["Sinh"] = new[] { 1 }, ["Cosh"] = new[] { 1 }, ["Tanh"] = new[] { 1 },
        ["Exp"] = new[] { 1 }, ["Log"] = new[] { 1, 2 }, ["Log10"] = new[] { 1 }, ["Log2"] = new[] { 1 },
        ["Sqrt"] = new[] { 1 }, ["Cbrt"] = new[] { 1 }, ["Pow"] = new[] { 2 },
        ["Abs"] = new[] { 1 }, ["Max"] = new[] { 2 }, ["Min"] = new[] { 2 }, ["Clamp"] = new[] { 3 },
        ["FusedMultiplyAdd"] = new[] { 3 },
        ["Sign"] = new[] { 1 }, ["Floor"] = new[] { 1 }, ["Ceiling"] = new[] { 1 },
        ["Round"] = new[] { 1, 2, 3 }, ["Truncate"] = new[] { 1 },
    };

    private static readonly HashSet<string> ZeroDerivative = new() { "Sign", "Floor", "Ceiling", "Round", "Truncate" };

    /// <summary>True when <c>Math.{name}</c> with this many arguments has a rule here.</summary>
    public static bool IsKnown(string name, int arity) =>
        Arities.TryGetValue(name, out int[]? arities) && System.Array.IndexOf(arities, arity) >= 0;

    /// <summary>True for the piecewise-constant functions whose derivative is 0 wherever it exists.</summary>
    public static bool HasZeroDerivative(string name) => ZeroDerivative.Contains(name);

    /// <summary>The operands of an expression node that derivatives flow through.</summary>
    public static IReadOnlyList<Expr> Operands(Expr e) => e switch
    {
        Unary u => new[] { u.Operand },
        Binary b => new[] { b.Left, b.Right },
        Conversion c => new[] { c.Operand },
        MathCall m => m.Arguments.ToArrayList(),
        _ => System.Array.Empty<Expr>(),
    };

    /// <summary>Rebuilds a node with new operands (same operator, same type).</summary>
    public static Expr WithOperands(Expr e, IReadOnlyList<Expr> operands) => e switch
    {
        Unary u => u with { Operand = operands[0] },
        Binary b => b with { Left = operands[0], Right = operands[1] },
        Conversion c => c with { Operand = operands[0] },
        MathCall m => m with { Arguments = operands.ToEquatableArray() },
        _ => e,
    };

    /// <summary>
    /// ∂e/∂(operand <paramref name="i"/>), or null where the node passes no derivative to it.
    /// <paramref name="result"/> stands for e's own value (a variable holding it, when one exists).
    /// </summary>
    public static Expr? Partial(Expr e, int i, Expr result)
    {
        TypeRef t = e.Type;
        if (!t.IsFloating)
        {
            return null;
        }
        Expr C(double v) => Const(v, t);
        switch (e)
        {
            case Unary { Operator: UnaryOperator.Negate }:
                return C(-1);
            case Conversion c:
                return c.Operand.Type.IsFloating ? C(1) : null;
            case Binary b:
                switch (b.Operator)
                {
                    case BinaryOperator.Add:
                        return C(1);
                    case BinaryOperator.Subtract:
                        return C(i == 0 ? 1 : -1);
                    case BinaryOperator.Multiply:
                        return i == 0 ? b.Right : b.Left;
                    case BinaryOperator.Divide:
                        return i == 0 ? Divide(C(1), b.Right) : Negate(Divide(result, b.Right));
                    case BinaryOperator.Remainder:
                        return i == 0 ? C(1) : Negate(Call("Truncate", t, Divide(b.Left, b.Right)));
                    default:
                        return null;
                }
            case MathCall m:
                return MathPartial(m, i, result, t);
            default:
                return null;
        }
    }

    private static Expr? MathPartial(MathCall m, int i, Expr r, TypeRef t)
    {
        Expr C(double v) => Const(v, t);
        Expr a = m.Arguments[0];
        Expr Arg(int k) => m.Arguments[k];
        switch (m.Function)
        {
            case "Sin": return Call("Cos", t, a);
            case "Cos": return Negate(Call("Sin", t, a));
            case "Tan": return Add(C(1), Multiply(r, r));
            case "Asin": return Divide(C(1), Call("Sqrt", t, Subtract(C(1), Multiply(a, a))));
            case "Acos": return Negate(Divide(C(1), Call("Sqrt", t, Subtract(C(1), Multiply(a, a)))));
            case "Atan": return Divide(C(1), Add(C(1), Multiply(a, a)));
            case "Atan2":
            {
                Expr y = Arg(0), x = Arg(1);
                Expr denominator = Add(Multiply(x, x), Multiply(y, y));
                return i == 0 ? Divide(x, denominator) : Negate(Divide(y, denominator));
            }
            case "Sinh": return Call("Cosh", t, a);
            case "Cosh": return Call("Sinh", t, a);
            case "Tanh": return Subtract(C(1), Multiply(r, r));
            case "Exp": return r;
            case "Log" when m.Arguments.Count == 1: return Divide(C(1), a);
            case "Log":
            {
                Expr b = Arg(1);
                Expr lnB = Call("Log", t, b);
                return i == 0 ? Divide(C(1), Multiply(a, lnB)) : Negate(Divide(r, Multiply(b, lnB)));
            }
            case "Log10": return Divide(C(1 / Ln10), a);
            case "Log2": return Divide(C(1 / Ln2), a);
            case "Sqrt": return Divide(C(0.5), r);
            case "Cbrt": return Divide(C(1), Multiply(C(3), Multiply(r, r)));
            case "Pow":
            {
                Expr b = Arg(1);
                return i == 0
                    ? Multiply(b, Call("Pow", t, a, Subtract(b, C(1))))
                    : Multiply(r, Call("Log", t, a));
            }
            case "Abs":
                return Select(Compare(BinaryOperator.GreaterThan, a, C(0)), C(1),
                    Select(Compare(BinaryOperator.LessThan, a, C(0)), C(-1), C(0)));
            case "Max":
                return Select(Compare(BinaryOperator.GreaterThanOrEqual, Arg(0), Arg(1)), C(i == 0 ? 1 : 0), C(i == 0 ? 0 : 1));
            case "Min":
                return Select(Compare(BinaryOperator.LessThanOrEqual, Arg(0), Arg(1)), C(i == 0 ? 1 : 0), C(i == 0 ? 0 : 1));
            case "Clamp":
            {
                Expr value = Arg(0), min = Arg(1), max = Arg(2);
                Expr below = Compare(BinaryOperator.LessThan, value, min);
                Expr above = Compare(BinaryOperator.GreaterThan, value, max);
                return i switch
                {
                    0 => Select(below, C(0), Select(above, C(0), C(1))),
                    1 => Select(below, C(1), C(0)),
                    _ => Select(below, C(0), Select(above, C(1), C(0))),
                };
            }
            case "FusedMultiplyAdd":
                return i switch { 0 => Arg(1), 1 => Arg(0), _ => C(1) };
            default:
                return null;
        }
    }
}
