using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Simplification;

/// <summary>
/// Smart constructors for derivative expressions: constant folding, 0 and 1 elimination, sign
/// propagation, and pushing a product into a select whose branches are constants. Only generated
/// derivative code goes through here; the user's own expressions are emitted as written so the
/// gradient returns exactly the value the method returns.
/// </summary>
internal static class ExpressionBuilder
{
    public static Constant Const(double value, TypeRef type)
    {
        if (value == 0)
        {
            value = 0; // no negative zero in generated derivative code
        }
        return new(type.Kind == ScalarKind.Single ? (float)value : value, type);
    }

    public static bool IsConstant(Expr e, double value) => e is Constant c && c.Value == value;

    public static bool IsAtomic(Expr e) => e is Variable or Constant or Literal or MemberRead;

    /// <summary>Atomic, or a numeric conversion of an atomic value: as cheap to repeat as to store.</summary>
    public static bool IsCheap(Expr e) => IsAtomic(e) || (e is Conversion c && IsAtomic(c.Operand));

    public static Expr Negate(Expr a)
    {
        switch (a)
        {
            case Constant c:
                return Const(-c.Value, c.Type);
            case Unary { Operator: UnaryOperator.Negate } u:
                return u.Operand;
            case Binary { Operator: BinaryOperator.Subtract } s:
                return new Binary(BinaryOperator.Subtract, s.Right, s.Left, s.Type);
            case Select s when s.WhenTrue is Constant || s.WhenFalse is Constant:
                return Select(s.Condition, Negate(s.WhenTrue), Negate(s.WhenFalse));
            default:
                return new Unary(UnaryOperator.Negate, a, a.Type);
        }
    }

    public static Expr Add(Expr a, Expr b)
    {
        if (a is Constant ca && b is Constant cb)
        {
            return Const(ca.Value + cb.Value, a.Type);
        }
        if (IsConstant(a, 0))
        {
            return b;
        }
        if (IsConstant(b, 0))
        {
            return a;
        }
        if (b is Unary { Operator: UnaryOperator.Negate } nb)
        {
            return Subtract(a, nb.Operand);
        }
        if (a is Unary { Operator: UnaryOperator.Negate } na)
        {
            return Subtract(b, na.Operand);
        }
        if (a.Equals(b))
        {
            return Multiply(Const(2, a.Type), a);
        }
        return new Binary(BinaryOperator.Add, a, b, a.Type);
    }

    public static Expr Subtract(Expr a, Expr b)
    {
        if (a is Constant ca && b is Constant cb)
        {
            return Const(ca.Value - cb.Value, a.Type);
        }
        if (IsConstant(b, 0))
        {
            return a;
        }
        if (IsConstant(a, 0))
        {
            return Negate(b);
        }
        if (b is Unary { Operator: UnaryOperator.Negate } nb)
        {
            return Add(a, nb.Operand);
        }
        return new Binary(BinaryOperator.Subtract, a, b, a.Type);
    }

    public static Expr Multiply(Expr a, Expr b)
    {
        if (a is Constant ca && b is Constant cb)
        {
            return Const(ca.Value * cb.Value, a.Type);
        }
        if (IsConstant(a, 0) || IsConstant(b, 0))
        {
            return Const(0, a.Type);
        }
        if (IsConstant(a, 1))
        {
            return b;
        }
        if (IsConstant(b, 1))
        {
            return a;
        }
        if (IsConstant(a, -1))
        {
            return Negate(b);
        }
        if (IsConstant(b, -1))
        {
            return Negate(a);
        }
        if (a is Unary { Operator: UnaryOperator.Negate } na)
        {
            return Negate(Multiply(na.Operand, b));
        }
        if (b is Unary { Operator: UnaryOperator.Negate } nb)
        {
            return Negate(Multiply(a, nb.Operand));
        }
        if (a is Select sa && (sa.WhenTrue is Constant || sa.WhenFalse is Constant))
        {
            return Select(sa.Condition, Multiply(sa.WhenTrue, b), Multiply(sa.WhenFalse, b));
        }
        if (b is Select sb && (sb.WhenTrue is Constant || sb.WhenFalse is Constant))
        {
            return Select(sb.Condition, Multiply(a, sb.WhenTrue), Multiply(a, sb.WhenFalse));
        }
        if (b is Constant && a is not Constant)
        {
            // Constants first reads like the math: 2 * x.
            return new Binary(BinaryOperator.Multiply, b, a, a.Type);
        }
        return new Binary(BinaryOperator.Multiply, a, b, a.Type);
    }

    public static Expr Divide(Expr a, Expr b)
    {
        if (a is Constant ca && b is Constant cb && cb.Value != 0)
        {
            return Const(ca.Value / cb.Value, a.Type);
        }
        if (IsConstant(b, 1))
        {
            return a;
        }
        if (IsConstant(b, -1))
        {
            return Negate(a);
        }
        if (IsConstant(a, 0))
        {
            return Const(0, a.Type);
        }
        if (a is Unary { Operator: UnaryOperator.Negate } na)
        {
            return Negate(Divide(na.Operand, b));
        }
        if (a is Select sa && (sa.WhenTrue is Constant || sa.WhenFalse is Constant))
        {
            return Select(sa.Condition, Divide(sa.WhenTrue, b), Divide(sa.WhenFalse, b));
        }
        return new Binary(BinaryOperator.Divide, a, b, a.Type);
    }

    public static Expr Compare(BinaryOperator op, Expr a, Expr b) => new Binary(op, a, b, TypeRef.Bool);

    public static Expr Select(Expr condition, Expr whenTrue, Expr whenFalse)
    {
        if (whenTrue.Equals(whenFalse))
        {
            return whenTrue;
        }
        if (condition is Constant c)
        {
            return c.Value != 0 ? whenTrue : whenFalse;
        }
        return new Select(condition, whenTrue, whenFalse, whenTrue.Type);
    }

    public static Expr Convert(Expr a, TypeRef type)
    {
        if (a.Type.Equals(type))
        {
            return a;
        }
        if (a is Constant c && type.IsFloating)
        {
            return Const(c.Value, type);
        }
        return new Conversion(a, type);
    }

    public static Expr Call(string function, TypeRef type, params Expr[] arguments)
    {
        if (function == "Pow" && arguments.Length == 2 && arguments[1] is Constant p)
        {
            if (p.Value == 1)
            {
                return arguments[0];
            }
            if (p.Value == 0)
            {
                return Const(1, type);
            }
            if (p.Value == 2 && IsAtomic(arguments[0]))
            {
                return new Binary(BinaryOperator.Multiply, arguments[0], arguments[0], type);
            }
        }
        return new MathCall(function, arguments.ToEquatableArray(), type);
    }

    /// <summary>
    /// Sums terms, collecting like ones: <c>t + t</c> becomes <c>2 * t</c> and <c>t - t</c> vanishes.
    /// </summary>
    public static Expr? Sum(IReadOnlyList<Expr> terms)
    {
        if (terms.Count == 0)
        {
            return null;
        }
        var bases = new List<Expr>();
        var coefficients = new List<double>();
        foreach (Expr t in terms)
        {
            (Expr term, double coefficient) = Split(t);
            int i = bases.IndexOf(term);
            if (i >= 0)
            {
                coefficients[i] += coefficient;
            }
            else
            {
                bases.Add(term);
                coefficients.Add(coefficient);
            }
        }
        Expr? sum = null;
        for (int i = 0; i < bases.Count; i++)
        {
            double c = coefficients[i];
            if (c == 0)
            {
                continue;
            }
            Expr magnitude = Math.Abs(c) == 1 ? bases[i] : Multiply(Const(Math.Abs(c), bases[i].Type), bases[i]);
            if (IsConstant(bases[i], 1))
            {
                magnitude = Const(Math.Abs(c), bases[i].Type);
            }
            sum = sum is null
                ? (c < 0 ? Negate(magnitude) : magnitude)
                : (c < 0 ? Subtract(sum, magnitude) : Add(sum, magnitude));
        }
        return sum ?? Const(0, terms[0].Type);
    }

    /// <summary>A term as coefficient × base: <c>-t</c> is (t, -1), <c>3 * t</c> is (t, 3).</summary>
    private static (Expr Term, double Coefficient) Split(Expr e)
    {
        switch (e)
        {
            case Constant k:
                return (Const(1, k.Type), k.Value);
            case Unary { Operator: UnaryOperator.Negate } n:
            {
                (Expr term, double c) = Split(n.Operand);
                return (term, -c);
            }
            case Binary { Operator: BinaryOperator.Multiply, Left: Constant k } m when m.Right is not Constant:
            {
                (Expr term, double c) = Split(m.Right);
                return (term, k.Value * c);
            }
            default:
                return (e, 1);
        }
    }

    private static void Flatten(Expr e, bool negate, List<Expr> terms)
    {
        switch (e)
        {
            case Binary { Operator: BinaryOperator.Add } a:
                Flatten(a.Left, negate, terms);
                Flatten(a.Right, negate, terms);
                break;
            case Binary { Operator: BinaryOperator.Subtract } s:
                Flatten(s.Left, negate, terms);
                Flatten(s.Right, !negate, terms);
                break;
            case Unary { Operator: UnaryOperator.Negate } n:
                Flatten(n.Operand, !negate, terms);
                break;
            default:
                Expr term = Simplify(e);
                terms.Add(negate ? Negate(term) : term);
                break;
        }
    }

    /// <summary>Rebuilds an expression bottom-up through the smart constructors; sums are collected like <see cref="Sum"/>.</summary>
    public static Expr Simplify(Expr e)
    {
        switch (e)
        {
            case Unary { Operator: UnaryOperator.Negate } u:
                return Negate(Simplify(u.Operand));
            case Binary { Operator: BinaryOperator.Add or BinaryOperator.Subtract } when e.Type.IsFloating:
            {
                var terms = new List<Expr>();
                Flatten(e, false, terms);
                return Sum(terms)!;
            }
            case Binary b:
            {
                Expr left = Simplify(b.Left);
                Expr right = Simplify(b.Right);
                return b.Operator switch
                {
                    BinaryOperator.Add => Add(left, right),
                    BinaryOperator.Subtract => Subtract(left, right),
                    BinaryOperator.Multiply => Multiply(left, right),
                    BinaryOperator.Divide => Divide(left, right),
                    _ => b with { Left = left, Right = right },
                };
            }
            case Select s:
                return Select(Simplify(s.Condition), Simplify(s.WhenTrue), Simplify(s.WhenFalse));
            case Conversion c:
                return Convert(Simplify(c.Operand), c.Type);
            case MathCall m:
                return m with { Arguments = m.Arguments.Select(Simplify).ToEquatableArray() };
            default:
                return e;
        }
    }

    public static Expr Zero(TypeRef type) => Const(0, type);

    public static Expr One(TypeRef type) => Const(1, type);

    public static double Ln10 => Math.Log(10);

    public static double Ln2 => Math.Log(2);
}
