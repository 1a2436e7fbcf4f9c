using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;

namespace Backprop.Symbolic.Generators.Tests.Properties;

// Loops and local arrays in random programs: for loops (inside branches and other loops) whose carried
// values are read after them, local arrays created anywhere (in loops, after early returns) and indexed
// through their own length, and `if (...) break;`.
//
// Safety by construction, for any trip count: at a loop's entry each variable it may carry gets a base bound
// c0 (its bound, at least CarriedFloor), and the loop nest a headroom. Inside the loop a carried variable is
// only scaled by a factor of magnitude at most 1, divided by one of magnitude at least 1, reset to a value
// bounded by c0, or incremented by at most 1 per iteration while the nest's headroom lasts (each increment
// costs the product of the enclosing loops' trip counts). So it stays within c0 + headroom, its bound for the
// whole loop.

/// <summary><c>for (int Counter = 0; Counter &lt; Bound; Counter++) { Body }</c>; Bound is a trip count or the passive int parameter.</summary>
public sealed record For(string Counter, string Bound, ImmutableArray<Stmt> Body) : Stmt;

/// <summary><c>break;</c> (only as the arm of an if inside a loop).</summary>
public sealed record Break : Stmt;

/// <summary>
/// A local array: <c>new T[Length]</c> when <see cref="Elements"/> is empty, else an initializer written
/// <c>{ a, b }</c> (<see cref="Braces"/>) or <c>new T[] { a, b }</c>.
/// </summary>
public sealed record DeclareArray(string Name, int Length, ImmutableArray<Expr> Elements, bool Braces) : Stmt;

/// <summary><c>Array[Index] op Value;</c> with op one of = += *=.</summary>
public sealed record WriteElement(string Array, ArrayIndex Index, string Op, Expr Value) : Stmt;

/// <summary>
/// An index into a local array: <c>Offset</c>, or <c>(Variable + Offset) % array.Length</c> for a loop counter,
/// or <c>(Math.Abs(Variable) + Offset) % array.Length</c> (<see cref="Abs"/>) for the passive int parameter.
/// </summary>
public sealed record ArrayIndex(string? Variable, int Offset, bool Abs);

/// <summary><c>Array[Index]</c>.</summary>
public sealed record Element(string Array, ArrayIndex Index) : Expr;

public static partial class RandomProgramGenerator
{
    private sealed partial class MethodBuilder
    {
        private const double CarriedFloor = 2.5;
        private const double Headroom = 4.0;
        private const double LoopCounterBound = 3.0;

        // A helper's span parameter, and the bound of its elements: callers pass local arrays within it.
        private const string SpanParameter = "v";
        private const double SpanElementBound = 16.0;

        private static readonly string[] Contractions = { "Sin", "Cos", "Tanh" };
        private static readonly string[] Saturations = { "Sin", "Tanh", "Atan" };

        private readonly List<(string Counter, int Multiplier)> _loops = new();
        private readonly Dictionary<string, double> _carried = new();
        private readonly Dictionary<string, int> _lengths = new();
        private double _headroom;

        private bool IsCarried(string name) => _carried.ContainsKey(name);

        private Stmt Loop(int nesting, bool allowReturn)
        {
            string counter = NewLocal("i");
            int trips = Int(1, 3);
            string bound = _intParam is not null && Chance(0.3) ? _intParam : trips.ToString(CultureInfo.InvariantCulture);
            if (bound == _intParam)
            {
                trips = (int)LoopCounterBound;
            }
            if (_loops.Count == 0)
            {
                _headroom = Headroom;
            }
            var entering = Visible.Where(v => v.Kind is VarKind.Param or VarKind.Local or VarKind.Array && !_carried.ContainsKey(v.Name))
                .Select(v => v.Name).ToList();
            foreach (string name in entering)
            {
                double c0 = Math.Max(_bounds[name], CarriedFloor);
                _carried[name] = c0;
                _bounds[name] = c0 + _headroom;
            }
            _loops.Add((counter, (_loops.Count == 0 ? 1 : _loops[^1].Multiplier) * trips));
            _scopes.Add(new List<(string, VarKind)>());
            var body = new List<Stmt>();
            int count = Int(1, 3);
            for (int i = 0; i < count; i++)
            {
                body.Add(Statement(nesting + 1, allowReturn));
            }
            foreach ((string name, _) in _scopes[^1])
            {
                _bounds.Remove(name);
            }
            _scopes.RemoveAt(_scopes.Count - 1);
            _loops.RemoveAt(_loops.Count - 1);
            foreach (string name in entering)
            {
                _carried.Remove(name);
            }
            return new For(counter, bound, body.ToImmutableArray());
        }

        /// <summary>An update of a variable a loop carries that keeps it within its loop bound (see the top of this file).</summary>
        private Stmt LoopUpdate(string target)
        {
            double c0 = _carried[target];
            int kind = Int(0, 4);
            if (kind == 3)
            {
                double cost = _loops[^1].Multiplier;
                if (_headroom >= cost)
                {
                    _headroom -= cost;
                    Expr increment = Chance(0.5)
                        ? Fn("Sin", Fn("Sin", new Ref(target)))
                        : Bounded(Limit(Expression(Int(0, 2)), ExprLimit), 1.0).E;
                    return new Assign(target, Chance(0.7) ? "+=" : "-=", increment);
                }
                kind = 1;
            }
            switch (kind)
            {
                case 0:
                    return new Assign(target, "*=", Fn(Pick(Contractions), Limit(Expression(Int(0, 1)), ExprLimit).E));
                case 1:
                {
                    Expr inner = Chance(0.5) ? new Ref(target) : Limit(Expression(Int(0, 1)), ExprLimit).E;
                    Expr offset = Bounded(Limit(Expression(Int(0, 1)), ExprLimit), c0 - (Math.PI / 2)).E;
                    return new Assign(target, "=", new Bin('+', Fn(Pick(Saturations), inner), offset));
                }
                case 2:
                    return new Assign(target, "/=", Chance(0.4)
                        ? new Lit(Pick(new[] { 2.0, 1.5, 4.0, -2.5, 1.25 }))
                        : new Bin('+', new Lit(1.0), Square(Limit(Expression(Int(0, 2)), ExprLimit).E)));
                default:
                    return new Assign(target, "=", Bounded(Limit(Expression(Int(1, 3)), ExprLimit), c0).E);
            }
        }

        private Stmt ArrayDeclaration()
        {
            string name = NewLocal("t");
            int length = Int(2, 3);
            var elements = ImmutableArray.CreateBuilder<Expr>();
            double bound = 0;
            if (Chance(0.75))
            {
                for (int i = 0; i < length; i++)
                {
                    (Expr e, double b) = Limit(Expression(Int(0, 2)), VarLimit);
                    elements.Add(e);
                    bound = Math.Max(bound, b);
                }
            }
            Declare(name, VarKind.Array, bound);
            _lengths[name] = length;
            return new DeclareArray(name, length, elements.ToImmutable(), Braces: Chance(0.5));
        }

        private Stmt ElementWrite()
        {
            string array = Pick(Visible.Where(v => v.Kind == VarKind.Array).ToList()).Name;
            ArrayIndex index = Index(array);
            int kind = Int(0, 2);
            if (kind == 2 || IsCarried(array) && kind == 1)
            {
                return new WriteElement(array, index, "*=", Fn(Pick(Contractions), Limit(Expression(Int(0, 2)), ExprLimit).E));
            }
            (Expr e, double bound) = Limit(Expression(Int(1, 3)), ExprLimit);
            if (IsCarried(array))
            {
                return new WriteElement(array, index, "=", Bounded((e, bound), _carried[array]).E);
            }
            if (kind == 1 && _bounds[array] + bound <= VarLimit)
            {
                _bounds[array] += bound;
                return new WriteElement(array, index, "+=", e);
            }
            _bounds[array] = Math.Max(_bounds[array], bound);
            return new WriteElement(array, index, "=", e);
        }

        private (Expr E, double Bound) ElementRead()
        {
            string array = Pick(Visible.Where(v => v.Kind is VarKind.Array or VarKind.SpanParam).ToList()).Name;
            return (new Element(array, Index(array)), _bounds[array]);
        }

        private ArrayIndex Index(string array)
        {
            int offset = Int(0, _lengths[array] - 1);
            return Weighted(3, _loops.Count > 0 ? 5 : 0, _intParam is null ? 0 : 4) switch
            {
                0 => new ArrayIndex(null, offset, Abs: false),
                1 => new ArrayIndex(Pick(_loops).Counter, offset, Abs: false),
                _ => new ArrayIndex(_intParam, offset, Abs: true),
            };
        }
    }
}
