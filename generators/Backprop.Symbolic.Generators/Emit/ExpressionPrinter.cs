using System;
using System.Globalization;
using System.Linq;
using Backprop.Symbolic.Generators.Model;
using Microsoft.CodeAnalysis.CSharp;
using Conversion = Backprop.Symbolic.Generators.Model.Conversion;

namespace Backprop.Symbolic.Generators.Emit;

/// <summary>Prints IR expressions as C#, with the parentheses precedence needs and no more.</summary>
internal static class ExpressionPrinter
{
    private const int Conditional = 3;
    private const int UnaryLevel = 15;
    private const int Primary = 16;

    public static string Print(Expr e) => Print(e, 0, false);

    private static string Print(Expr e, int parent, bool isRight)
    {
        (string text, int level) = Format(e);
        bool parens = level < parent || (level == parent && isRight && level != Primary && level != UnaryLevel);
        return parens ? "(" + text + ")" : text;
    }

    private static (string Text, int Level) Format(Expr e)
    {
        switch (e)
        {
            case Variable v:
                return (Identifier(v.Name), Primary);
            case Constant c:
            {
                string text = Number(c.Value, c.Type);
                return (text, text.StartsWith("-", StringComparison.Ordinal) ? UnaryLevel : Primary);
            }
            case Literal l:
                return (l.Code, l.Code.StartsWith("-", StringComparison.Ordinal) || l.Code.StartsWith("(", StringComparison.Ordinal) ? UnaryLevel : Primary);
            case MemberRead m:
                return (m.Code, Primary);
            case Unary u:
            {
                string op = u.Operator switch { UnaryOperator.Negate => "-", UnaryOperator.Not => "!", _ => "~" };
                string operand = Print(u.Operand, UnaryLevel, false);
                if (operand.StartsWith("-", StringComparison.Ordinal) || operand.StartsWith("!", StringComparison.Ordinal) || operand.StartsWith("~", StringComparison.Ordinal))
                {
                    operand = "(" + operand + ")";
                }
                return (op + operand, UnaryLevel);
            }
            case Conversion c:
            {
                string operand = Print(c.Operand, Primary, false);
                return ("(" + c.Type.Name + ")" + operand, UnaryLevel);
            }
            case Binary b:
            {
                int level = Level(b.Operator);
                return (Print(b.Left, level, false) + " " + Symbol(b.Operator) + " " + Print(b.Right, level, true), level);
            }
            case Select s:
                return (Print(s.Condition, Conditional + 1, false) + " ? " + Print(s.WhenTrue, Conditional + 1, false) + " : " + Print(s.WhenFalse, Conditional, false), Conditional);
            case MathCall m:
                return (MathClass(m) + "." + m.Function + "(" + string.Join(", ", m.Arguments.Select(Print)) + ")", Primary);
            case PassiveCall p:
                return (p.Method + "(" + string.Join(", ", p.Arguments.Select(Print)) + ")", Primary);
            case ElementRead r:
                return (Identifier(r.Sequence.Name) + "[" + Print(r.Index) + "]", Primary);
            case LengthRead l:
                return (Identifier(l.Sequence.Name) + ".Length", Primary);
            case TensorIndex t:
                return (string.Join(", ", t.Indices.Select(Print)), Primary);
            case TensorShapeRead s:
                return (Identifier(s.Tensor.Name) + (s.Axis is null ? ".Rank" : ".Shape[" + Print(s.Axis) + "]"), Primary);
            case SpanDot d:
                return ("global::Backprop.Symbolic.Kernels.SpanKernels.Dot(" + Elements(d.Left) + ", " + Elements(d.Right) + ")", Primary);
            default:
                throw new InvalidOperationException("Cannot print " + e.GetType().Name);
        }
    }

    /// <summary>A span's name, or a tensor's elements (<c>dW.Span</c>), for the span kernels.</summary>
    public static string Elements(Variable v) => Identifier(v.Name) + (v.Type.IsTensor ? ".Span" : "");

    private static string MathClass(MathCall m)
    {
        // MathF has every function the rules know but Clamp, which Math has for float too.
        bool single = m.Type.Kind == ScalarKind.Single || (m.Type.Kind != ScalarKind.Double && m.Arguments.Count > 0 && m.Arguments[0].Type.Kind == ScalarKind.Single);
        return single && m.Function != "Clamp" ? "global::System.MathF" : "global::System.Math";
    }

    /// <summary>A numeric constant as a C# literal of <paramref name="type"/>, round-trippable.</summary>
    public static string Number(double value, TypeRef type)
    {
        switch (type.Kind)
        {
            case ScalarKind.Double:
                if (double.IsNaN(value))
                {
                    return "double.NaN";
                }
                if (double.IsInfinity(value))
                {
                    return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
                }
                return WithPoint(RoundTrip(value));
            case ScalarKind.Single:
            {
                float f = (float)value;
                if (float.IsNaN(f))
                {
                    return "float.NaN";
                }
                if (float.IsInfinity(f))
                {
                    return f > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
                }
                string text = f.ToString("R", CultureInfo.InvariantCulture);
                if (float.Parse(text, CultureInfo.InvariantCulture) != f)
                {
                    text = f.ToString("G9", CultureInfo.InvariantCulture);
                }
                return text + "f";
            }
            case ScalarKind.Bool:
                return value != 0 ? "true" : "false";
            case ScalarKind.Integer:
                return ((long)value).ToString(CultureInfo.InvariantCulture) + (type.Name is "long" ? "L" : type.Name is "ulong" ? "UL" : type.Name is "uint" ? "U" : "");
            default:
                return "(" + type.Name + ")" + ((long)value).ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string RoundTrip(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (double.Parse(text, CultureInfo.InvariantCulture) != value)
        {
            text = value.ToString("G17", CultureInfo.InvariantCulture);
        }
        return text;
    }

    private static string WithPoint(string text) =>
        text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";

    /// <summary>An identifier, escaped with @ when it is a keyword.</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static int Level(BinaryOperator op) => op switch
    {
        BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Remainder => 13,
        BinaryOperator.Add or BinaryOperator.Subtract => 12,
        BinaryOperator.LeftShift or BinaryOperator.RightShift => 11,
        BinaryOperator.LessThan or BinaryOperator.LessThanOrEqual or BinaryOperator.GreaterThan or BinaryOperator.GreaterThanOrEqual => 10,
        BinaryOperator.Equals or BinaryOperator.NotEquals => 9,
        BinaryOperator.And => 8,
        BinaryOperator.ExclusiveOr => 7,
        BinaryOperator.Or => 6,
        BinaryOperator.ConditionalAnd => 5,
        _ => 4,
    };

    private static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Remainder => "%",
        BinaryOperator.LessThan => "<",
        BinaryOperator.LessThanOrEqual => "<=",
        BinaryOperator.GreaterThan => ">",
        BinaryOperator.GreaterThanOrEqual => ">=",
        BinaryOperator.Equals => "==",
        BinaryOperator.NotEquals => "!=",
        BinaryOperator.ConditionalAnd => "&&",
        BinaryOperator.ConditionalOr => "||",
        BinaryOperator.And => "&",
        BinaryOperator.Or => "|",
        BinaryOperator.ExclusiveOr => "^",
        BinaryOperator.LeftShift => "<<",
        _ => ">>",
    };
}
