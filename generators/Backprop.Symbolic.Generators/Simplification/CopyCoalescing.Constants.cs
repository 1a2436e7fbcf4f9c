using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Symbolic.Generators.Analyses;
using Backprop.Symbolic.Generators.Model;

namespace Backprop.Symbolic.Generators.Simplification;

// Step 1 of copy coalescing: variables that only ever hold one constant are read as that constant.
internal static partial class CopyCoalescing
{
    private static List<Statement> PropagateConstants(List<Statement> body, ISet<string> fixedNames)
    {
        var constants = new Dictionary<string, Constant?>();
        foreach (Statement s in VariableUses.Descendants(body))
        {
            if (s is IfStatement or LoopStatement or ReverseLoop)
            {
                continue; // their own definitions (counters, indices) are fixed
            }
            if (s is Assignment { Value: Constant c } a && c.Type.Equals(a.Target.Type) && !fixedNames.Contains(a.Target.Name))
            {
                constants[a.Target.Name] = !constants.TryGetValue(a.Target.Name, out Constant? known) || SameConstant(known, c) ? c : null;
                continue;
            }
            var defined = new HashSet<string>();
            VariableUses.Definitions(new[] { s }, defined, includeAccumulations: true);
            foreach (string name in defined)
            {
                constants[name] = null;
            }
        }
        var propagated = constants.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => (Expr)p.Value!);
        if (propagated.Count == 0)
        {
            return body;
        }
        return VariableRewriter.Rewrite(body,
            v => propagated.TryGetValue(v.Name, out Expr? c) ? c : v,
            v => v,
            s => s is not Assignment a || !propagated.ContainsKey(a.Target.Name))
            .Select(FoldIntegers).ToList();
    }

    private static bool SameConstant(Constant? a, Constant b) =>
        a is not null && a.Type.Equals(b.Type) && BitConverter.DoubleToInt64Bits(a.Value) == BitConverter.DoubleToInt64Bits(b.Value);

    /// <summary>Folds the integer arithmetic a propagated constant leaves (<c>0 + k</c>, <c>i * 1</c>); floating-point values stay as written.</summary>
    private static Statement FoldIntegers(Statement s) => s switch
    {
        Assignment { Target.Type.Kind: ScalarKind.Integer } a => a with { Value = Fold(a.Value) },
        ElementWrite w => w with { Index = Fold(w.Index) },
        ElementAccumulation w => w with { Index = Fold(w.Index) },
        TapeReserve r => r with { Count = Fold(r.Count) },
        IfStatement f => f with { Then = f.Then.Select(FoldIntegers).ToEquatableArray(), Else = f.Else.Select(FoldIntegers).ToEquatableArray() },
        LoopStatement l => l with { Header = l.Header.Select(FoldIntegers).ToEquatableArray(), Body = l.Body.Select(FoldIntegers).ToEquatableArray() },
        ReverseLoop r => r with { Body = r.Body.Select(FoldIntegers).ToEquatableArray() },
        _ => s,
    };

    private static Expr Fold(Expr e)
    {
        if (e is Binary { Type.Kind: ScalarKind.Bool, Operator: BinaryOperator.GreaterThan, Left.Type.Kind: ScalarKind.Integer } comparison)
        {
            return comparison with { Left = Fold(comparison.Left), Right = Fold(comparison.Right) }; // a nest's reservation: n > 0 ? … : 0
        }
        if (e.Type.Kind != ScalarKind.Integer)
        {
            return e;
        }
        switch (e)
        {
            case Binary { Operator: BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply } b:
            {
                Expr left = Fold(b.Left);
                Expr right = Fold(b.Right);
                if (!left.Type.Equals(b.Type) || !right.Type.Equals(b.Type))
                {
                    return b with { Left = left, Right = right };
                }
                return b.Operator switch
                {
                    BinaryOperator.Add when IsZero(left) => right,
                    BinaryOperator.Add or BinaryOperator.Subtract when IsZero(right) => left,
                    // a − (−c) is a + c; (a − c) + c is a.
                    BinaryOperator.Subtract when right is Constant { Value: < 0 and > int.MinValue } negative => Fold(new Binary(BinaryOperator.Add, left, negative with { Value = -negative.Value }, b.Type)),
                    BinaryOperator.Add when left is Binary { Operator: BinaryOperator.Subtract, Right: Constant c } inner && right is Constant d && c.Value == d.Value => inner.Left,
                    BinaryOperator.Multiply when IsOne(left) => right,
                    BinaryOperator.Multiply when IsOne(right) => left,
                    _ => b with { Left = left, Right = right },
                };
            }
            case MathCall { Function: "Max" or "Min" } m:
                return m with { Arguments = m.Arguments.Select(Fold).ToEquatableArray() };
            case Select c:
                return c with { Condition = Fold(c.Condition), WhenTrue = Fold(c.WhenTrue), WhenFalse = Fold(c.WhenFalse) };
            default:
                return e;
        }
    }

    private static bool IsZero(Expr e) => e is Constant { Value: 0 };

    private static bool IsOne(Expr e) => e is Constant { Value: 1 };
}
