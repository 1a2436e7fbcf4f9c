using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using CsCheck;

namespace Backprop.Symbolic.Generators.Tests.Properties;

// Random, well-typed, numerically safe [Differentiable] programs for the gradient property tests.
//
// A program is a small AST (below) that is rendered as:
//   * the user code the generator sees (double or float, with [Differentiable]);
//   * a "probe" twin in double precision, without [Differentiable], whose branch decisions and
//     non-smooth switches (Abs, Max, Floor, ...) are recorded by the Sig class, so a test can tell
//     whether central differences around a point straddle a kink; for float programs it is also the
//     double-precision reference for finite differences;
//   * for float programs, a float probe twin, to tell whether the float program takes the same
//     decisions as its double twin at a point.
//
// Safety by construction: every expression carries an upper bound on its magnitude; composites whose
// bound exceeds a limit are squashed through Tanh/Atan, Exp/Sinh/Cosh get bounded arguments, Log/Sqrt/
// Cbrt/Pow get arguments of the form e*e + c with c > 0, Asin/Acos get Tanh(e)*0.9, divisions are by
// (1 + e*e), (e*e + 0.5) or a literal, and Atan2 always has a positive second argument. Literals are
// dyadic rationals so the float and double renderings denote the same numbers.

/// <summary>The floating-point type a program is written in.</summary>
public enum Precision
{
    Double,
    Single,
}

/// <summary>An expression of the program's floating-point type.</summary>
public abstract record Expr;

/// <summary>A literal; always a dyadic rational, exact in float and double.</summary>
public sealed record Lit(double Value) : Expr;

/// <summary>A floating-point variable, parameter, const local or const field.</summary>
public sealed record Ref(string Name) : Expr;

/// <summary>The passive int parameter, cast to the floating-point type.</summary>
public sealed record IntRef(string Name) : Expr;

/// <summary>Unary minus.</summary>
public sealed record Neg(Expr Operand) : Expr;

/// <summary>A binary operator: + - * /.</summary>
public sealed record Bin(char Op, Expr Left, Expr Right) : Expr;

/// <summary>A call of Math.<c>Function</c> (MathF in float programs unless <c>ViaDouble</c>).</summary>
public sealed record Call(string Function, ImmutableArray<Expr> Args, bool ViaDouble = false) : Expr;

/// <summary><c>(T)Math.Sign(e)</c>.</summary>
public sealed record SignOf(Expr Operand) : Expr;

/// <summary>An identity cast <c>(T)(e)</c>.</summary>
public sealed record Cast(Expr Operand) : Expr;

/// <summary>A call of another [Differentiable] method of the batch.</summary>
public sealed record HelperCall(string Name, ImmutableArray<Expr> Args) : Expr;

/// <summary><c>c ? a : b</c>.</summary>
public sealed record Ternary(Cond Condition, Expr WhenTrue, Expr WhenFalse) : Expr;

/// <summary>A boolean condition.</summary>
public abstract record Cond;

/// <summary>A comparison of two floating-point expressions: &lt; &gt; &lt;= &gt;=.</summary>
public sealed record Cmp(string Op, Expr Left, Expr Right) : Cond;

/// <summary>A comparison of the passive int parameter with a constant.</summary>
public sealed record IntCmp(string Op, string Name, int Value) : Cond;

public sealed record And(Cond Left, Cond Right) : Cond;

public sealed record Or(Cond Left, Cond Right) : Cond;

public sealed record Not(Cond Operand) : Cond;

/// <summary>A statement.</summary>
public abstract record Stmt;

/// <summary><c>T name = value;</c></summary>
public sealed record Declare(string Name, Expr Value) : Stmt;

/// <summary><c>const T name = value;</c></summary>
public sealed record DeclareConst(string Name, double Value) : Stmt;

/// <summary><c>name op value;</c> with op one of = += -= *= /=.</summary>
public sealed record Assign(string Name, string Op, Expr Value) : Stmt;

/// <summary><c>name++;</c>, <c>++name;</c>, <c>name--;</c> or <c>--name;</c>.</summary>
public sealed record Increment(string Name, bool Up, bool Prefix) : Stmt;

/// <summary><c>if (c) { ... } else if (c) { ... } else { ... }</c>.</summary>
public sealed record If(Cond Condition, ImmutableArray<Stmt> Then, ImmutableArray<ElseIf> ElseIfs, ImmutableArray<Stmt>? Else) : Stmt;

/// <summary>An <c>else if</c> arm.</summary>
public sealed record ElseIf(Cond Condition, ImmutableArray<Stmt> Body);

/// <summary><c>return value;</c></summary>
public sealed record Return(Expr Value) : Stmt;

/// <summary>
/// A parameter: floating-point (differentiated), a passive int, or (helpers only) a <c>ReadOnlySpan&lt;T&gt;</c> the
/// callers fill with a local array, checked through those callers.
/// </summary>
public sealed record Param(string Name, bool IsInt, bool IsSpan = false);

/// <summary>One [Differentiable] method.</summary>
public sealed record MethodSpec(string Name, ImmutableArray<Param> Parameters, ImmutableArray<Stmt> Body)
{
    public IEnumerable<Param> FloatingParameters => Parameters.Where(p => !p.IsInt);

    /// <summary>True when a span parameter keeps the method from being called with a point of numbers: its callers check it.</summary>
    public bool TakesSpan => Parameters.Any(p => p.IsSpan);

    /// <summary>Names of the helper methods this method calls directly.</summary>
    public ImmutableHashSet<string> Callees() => ProgramWalker.Callees(Body);
}

/// <summary>A compilation's worth of programs: helpers (callable by others) and top-level methods.</summary>
public sealed record ProgramBatch(Precision Precision, ImmutableArray<MethodSpec> Helpers, ImmutableArray<MethodSpec> Methods)
{
    public IEnumerable<MethodSpec> AllMethods => Helpers.Concat(Methods);

    /// <summary>A batch holding <paramref name="method"/> and the helpers it needs, transitively.</summary>
    public ProgramBatch Isolate(MethodSpec method)
    {
        var needed = new HashSet<string>();
        var pending = new Stack<string>(method.Callees());
        while (pending.Count > 0)
        {
            string name = pending.Pop();
            if (needed.Add(name))
            {
                foreach (string callee in Helpers.First(h => h.Name == name).Callees())
                {
                    pending.Push(callee);
                }
            }
        }
        var helpers = Helpers.Where(h => needed.Contains(h.Name) && h.Name != method.Name).ToImmutableArray();
        bool isHelper = Helpers.Any(h => h.Name == method.Name);
        return new ProgramBatch(
            Precision,
            isHelper ? helpers.Add(method) : helpers,
            isHelper ? ImmutableArray<MethodSpec>.Empty : ImmutableArray.Create(method));
    }
}

/// <summary>Walks the AST.</summary>
public static class ProgramWalker
{
    public static ImmutableHashSet<string> Callees(IEnumerable<Stmt> body)
    {
        var names = ImmutableHashSet.CreateBuilder<string>();
        foreach (Stmt s in body)
        {
            Visit(s, names);
        }
        return names.ToImmutable();
    }

    private static void Visit(Stmt s, ImmutableHashSet<string>.Builder names)
    {
        switch (s)
        {
            case Declare d: Visit(d.Value, names); break;
            case Assign a: Visit(a.Value, names); break;
            case Return r: Visit(r.Value, names); break;
            case For f:
                foreach (Stmt t in f.Body) { Visit(t, names); }
                break;
            case DeclareArray a:
                foreach (Expr e in a.Elements) { Visit(e, names); }
                break;
            case WriteElement w: Visit(w.Value, names); break;
            case If i:
                Visit(i.Condition, names);
                foreach (Stmt t in i.Then) { Visit(t, names); }
                foreach (ElseIf e in i.ElseIfs)
                {
                    Visit(e.Condition, names);
                    foreach (Stmt t in e.Body) { Visit(t, names); }
                }
                if (i.Else is { } els)
                {
                    foreach (Stmt t in els) { Visit(t, names); }
                }
                break;
        }
    }

    private static void Visit(Cond c, ImmutableHashSet<string>.Builder names)
    {
        switch (c)
        {
            case Cmp cmp: Visit(cmp.Left, names); Visit(cmp.Right, names); break;
            case And a: Visit(a.Left, names); Visit(a.Right, names); break;
            case Or o: Visit(o.Left, names); Visit(o.Right, names); break;
            case Not n: Visit(n.Operand, names); break;
        }
    }

    private static void Visit(Expr e, ImmutableHashSet<string>.Builder names)
    {
        switch (e)
        {
            case HelperCall h:
                names.Add(h.Name);
                foreach (Expr a in h.Args) { Visit(a, names); }
                break;
            case Neg n: Visit(n.Operand, names); break;
            case Bin b: Visit(b.Left, names); Visit(b.Right, names); break;
            case Call c:
                foreach (Expr a in c.Args) { Visit(a, names); }
                break;
            case SignOf s: Visit(s.Operand, names); break;
            case Cast c: Visit(c.Operand, names); break;
            case Ternary t: Visit(t.Condition, names); Visit(t.WhenTrue, names); Visit(t.WhenFalse, names); break;
        }
    }
}

/// <summary>Renders programs as C# source.</summary>
public static class ProgramRenderer
{
    public const string Namespace = "PropertyPrograms";
    public const string UserClass = "Batch";
    public const string ProbeClass = "Probe";
    public const string SingleProbeClass = "ProbeF";
    public const string SigClass = "Sig";

    /// <summary>The const fields every batch class declares, with their values.</summary>
    public static readonly ImmutableArray<(string Name, double Value)> ConstFields =
        ImmutableArray.Create(("Scale", 1.25), ("Offset", -0.75));

    /// <summary>The hint-name suffix of the generated file for <paramref name="method"/>.</summary>
    public static string HintSuffix(string method) => $"{UserClass}.{method}.g.cs";

    /// <summary>The whole compilation unit: user class, probe class, Sig class.</summary>
    public static string RenderBatch(ProgramBatch batch)
    {
        var sb = new StringBuilder();
        sb.AppendLine("using System;");
        sb.AppendLine("using Backprop.Symbolic;");
        sb.AppendLine();
        sb.AppendLine($"namespace {Namespace};");
        sb.AppendLine();
        sb.Append(RenderUserClass(batch));
        sb.AppendLine();
        AppendProbeClass(sb, batch, ProbeClass, Precision.Double);
        if (batch.Precision == Precision.Single)
        {
            AppendProbeClass(sb, batch, SingleProbeClass, Precision.Single);
        }
        sb.Append(SigSource);
        return sb.ToString();
    }

    private static void AppendProbeClass(StringBuilder sb, ProgramBatch batch, string name, Precision precision)
    {
        sb.AppendLine($"public static class {name}");
        sb.AppendLine("{");
        AppendConstFields(sb, TypeName(precision));
        foreach (MethodSpec m in batch.AllMethods)
        {
            sb.AppendLine();
            AppendMethod(sb, m, new Mode(precision, Probe: true));
        }
        sb.AppendLine("}");
        sb.AppendLine();
    }

    /// <summary>The user-visible class alone (what the generator differentiates).</summary>
    public static string RenderUserClass(ProgramBatch batch)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"public static partial class {UserClass}");
        sb.AppendLine("{");
        AppendConstFields(sb, TypeName(batch.Precision));
        foreach (MethodSpec m in batch.AllMethods)
        {
            sb.AppendLine();
            AppendMethod(sb, m, new Mode(batch.Precision, Probe: false));
        }
        sb.AppendLine("}");
        return sb.ToString();
    }

    private static string TypeName(Precision p) => p == Precision.Single ? "float" : "double";

    private static void AppendConstFields(StringBuilder sb, string type)
    {
        bool single = type == "float";
        foreach ((string name, double value) in ConstFields)
        {
            sb.AppendLine($"    private const {type} {name} = {Literal(value, single)};");
        }
    }

    private readonly record struct Mode(Precision Precision, bool Probe)
    {
        public bool Single => Precision == Precision.Single;
        public string T => Single ? "float" : "double";
    }

    private static void AppendMethod(StringBuilder sb, MethodSpec m, Mode mode)
    {
        if (!mode.Probe)
        {
            sb.AppendLine("    [Differentiable]");
        }
        string parameters = string.Join(", ", m.Parameters.Select(p => (p.IsInt ? "int" : p.IsSpan ? $"ReadOnlySpan<{mode.T}>" : mode.T) + " " + p.Name));
        sb.AppendLine($"    public static {mode.T} {m.Name}({parameters})");
        sb.AppendLine("    {");
        foreach (Stmt s in m.Body)
        {
            AppendStmt(sb, s, mode, 2);
        }
        sb.AppendLine("    }");
    }

    private static void AppendStmt(StringBuilder sb, Stmt s, Mode mode, int indent)
    {
        string pad = new(' ', indent * 4);
        switch (s)
        {
            case Declare d:
                sb.AppendLine($"{pad}{mode.T} {d.Name} = {E(d.Value, mode)};");
                break;
            case DeclareConst c:
                sb.AppendLine($"{pad}const {mode.T} {c.Name} = {Literal(c.Value, mode.Single)};");
                break;
            case Assign a:
                sb.AppendLine($"{pad}{a.Name} {a.Op} {E(a.Value, mode)};");
                break;
            case Increment inc:
                string op = inc.Up ? "++" : "--";
                sb.AppendLine(inc.Prefix ? $"{pad}{op}{inc.Name};" : $"{pad}{inc.Name}{op};");
                break;
            case Return r:
                sb.AppendLine($"{pad}return {E(r.Value, mode)};");
                break;
            case For f:
                sb.AppendLine($"{pad}for (int {f.Counter} = 0; {f.Counter} < {f.Bound}; {f.Counter}++)");
                AppendBlock(sb, f.Body, mode, indent);
                break;
            case Break:
                sb.AppendLine($"{pad}break;");
                break;
            case DeclareArray a when a.Elements.IsEmpty:
                sb.AppendLine($"{pad}{mode.T}[] {a.Name} = new {mode.T}[{a.Length.ToString(CultureInfo.InvariantCulture)}];");
                break;
            case DeclareArray a:
                string elements = string.Join(", ", a.Elements.Select(e => E(e, mode)));
                sb.AppendLine(a.Braces ? $"{pad}{mode.T}[] {a.Name} = {{ {elements} }};" : $"{pad}{mode.T}[] {a.Name} = new {mode.T}[] {{ {elements} }};");
                break;
            case WriteElement w:
                sb.AppendLine($"{pad}{w.Array}[{Index(w.Array, w.Index)}] {w.Op} {E(w.Value, mode)};");
                break;
            case If i:
                sb.AppendLine($"{pad}if ({C(i.Condition, mode)})");
                AppendBlock(sb, i.Then, mode, indent);
                foreach (ElseIf e in i.ElseIfs)
                {
                    sb.AppendLine($"{pad}else if ({C(e.Condition, mode)})");
                    AppendBlock(sb, e.Body, mode, indent);
                }
                if (i.Else is { } els)
                {
                    sb.AppendLine($"{pad}else");
                    AppendBlock(sb, els, mode, indent);
                }
                break;
            default:
                throw new InvalidOperationException("Unknown statement " + s);
        }
    }

    private static void AppendBlock(StringBuilder sb, ImmutableArray<Stmt> body, Mode mode, int indent)
    {
        string pad = new(' ', indent * 4);
        sb.AppendLine($"{pad}{{");
        foreach (Stmt s in body)
        {
            AppendStmt(sb, s, mode, indent + 1);
        }
        sb.AppendLine($"{pad}}}");
    }

    /// <summary>A literal with a decimal point (so it is never an int), suffixed f in float code.</summary>
    public static string Literal(double value, bool single)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (single)
        {
            text += "f";
        }
        else if (!text.Contains('.') && !text.Contains('E'))
        {
            text += ".0";
        }
        return value < 0 ? "(" + text + ")" : text;
    }

    /// <summary>Functions whose switch points the probe records.</summary>
    private static readonly ImmutableHashSet<string> Kinked =
        ImmutableHashSet.Create("Abs", "Max", "Min", "Clamp", "Floor", "Ceiling", "Round", "Truncate");

    private static string E(Expr e, Mode mode) => e switch
    {
        Lit l => Literal(l.Value, mode.Single),
        Ref r => r.Name,
        IntRef i => $"(({mode.T}){i.Name})",
        Neg n => $"(-{E(n.Operand, mode)})",
        Bin b => $"({E(b.Left, mode)} {b.Op} {E(b.Right, mode)})",
        SignOf s => $"(({mode.T}){(mode.Probe ? SigClass : mode.Single ? "MathF" : "Math")}.Sign({E(s.Operand, mode)}))",
        Cast c => $"(({mode.T})({E(c.Operand, mode)}))",
        HelperCall h => $"{h.Name}({string.Join(", ", h.Args.Select(a => E(a, mode)))})",
        Ternary t => $"({C(t.Condition, mode)} ? {E(t.WhenTrue, mode)} : {E(t.WhenFalse, mode)})",
        Call c => RenderCall(c, mode),
        Element el => $"{el.Array}[{Index(el.Array, el.Index)}]",
        _ => throw new InvalidOperationException("Unknown expression " + e),
    };

    private static string Index(string array, ArrayIndex index) => index.Variable switch
    {
        null => index.Offset.ToString(CultureInfo.InvariantCulture),
        string v when index.Abs => $"(Math.Abs({v}) + {index.Offset.ToString(CultureInfo.InvariantCulture)}) % {array}.Length",
        string v => $"({v} + {index.Offset.ToString(CultureInfo.InvariantCulture)}) % {array}.Length",
    };

    private static string RenderCall(Call c, Mode mode)
    {
        // In float code a call "via double" converts its arguments to double and the result back.
        bool viaDouble = mode.Single && c.ViaDouble;
        string owner = mode.Probe && Kinked.Contains(c.Function) ? SigClass
            : mode.Single && !viaDouble && c.Function != "Clamp" ? "MathF" // MathF has no Clamp; Math.Clamp has a float overload.
            : "Math";
        string args = string.Join(", ", c.Args.Select(a => (viaDouble ? "(double)" : "") + E(a, mode)));
        string call = $"{owner}.{c.Function}({args})";
        return viaDouble ? $"((float){call})" : call;
    }

    private static string C(Cond c, Mode mode) => c switch
    {
        Cmp cmp when mode.Probe => $"{SigClass}.{CmpName(cmp.Op)}({E(cmp.Left, mode)}, {E(cmp.Right, mode)})",
        Cmp cmp => $"({E(cmp.Left, mode)} {cmp.Op} {E(cmp.Right, mode)})",
        IntCmp i => $"({i.Name} {i.Op} {i.Value.ToString(CultureInfo.InvariantCulture)})",
        And a => $"({C(a.Left, mode)} && {C(a.Right, mode)})",
        Or o => $"({C(o.Left, mode)} || {C(o.Right, mode)})",
        Not n => $"(!{C(n.Operand, mode)})",
        _ => throw new InvalidOperationException("Unknown condition " + c),
    };

    private static string CmpName(string op) => op switch
    {
        "<" => "Lt",
        ">" => "Gt",
        "<=" => "Le",
        ">=" => "Ge",
        _ => throw new InvalidOperationException(op),
    };

    // Records every decision a probe takes (comparison outcomes, the arm of Abs/Max/Min/Clamp/Sign,
    // the result of Floor/Ceiling/Round/Truncate) into a hash. Two evaluations with equal hashes ran
    // the same smooth piece of the program. The float overloads serve the float probes; they mix the
    // same values, so a float and a double probe that take the same decisions have equal hashes.
    private const string SigSource = """
        public static class Sig
        {
            public static ulong Hash;

            public static void Reset() => Hash = 14695981039346656037UL;

            private static void Mix(ulong value) => Hash = (Hash ^ value) * 1099511628211UL;

            private static bool Decide(bool result)
            {
                Mix(result ? 1UL : 2UL);
                return result;
            }

            private static void Piece(double result) => Mix((ulong)BitConverter.DoubleToInt64Bits(result));

            public static bool Lt(double a, double b) => Decide(a < b);
            public static bool Gt(double a, double b) => Decide(a > b);
            public static bool Le(double a, double b) => Decide(a <= b);
            public static bool Ge(double a, double b) => Decide(a >= b);
            public static bool Lt(float a, float b) => Decide(a < b);
            public static bool Gt(float a, float b) => Decide(a > b);
            public static bool Le(float a, float b) => Decide(a <= b);
            public static bool Ge(float a, float b) => Decide(a >= b);

            public static double Abs(double e) { Decide(e >= 0.0); return Math.Abs(e); }
            public static float Abs(float e) { Decide(e >= 0f); return Math.Abs(e); }
            public static double Max(double a, double b) { Decide(a >= b); return Math.Max(a, b); }
            public static float Max(float a, float b) { Decide(a >= b); return Math.Max(a, b); }
            public static double Min(double a, double b) { Decide(a <= b); return Math.Min(a, b); }
            public static float Min(float a, float b) { Decide(a <= b); return Math.Min(a, b); }

            public static double Clamp(double e, double lo, double hi)
            {
                Decide(e < lo);
                Decide(e > hi);
                return Math.Clamp(e, lo, hi);
            }

            public static float Clamp(float e, float lo, float hi)
            {
                Decide(e < lo);
                Decide(e > hi);
                return Math.Clamp(e, lo, hi);
            }

            public static int Sign(double e) { Piece(Math.Sign(e)); return Math.Sign(e); }
            public static int Sign(float e) { Piece(Math.Sign(e)); return Math.Sign(e); }

            public static double Floor(double e) { double r = Math.Floor(e); Piece(r); return r; }
            public static float Floor(float e) { float r = MathF.Floor(e); Piece(r); return r; }
            public static double Ceiling(double e) { double r = Math.Ceiling(e); Piece(r); return r; }
            public static float Ceiling(float e) { float r = MathF.Ceiling(e); Piece(r); return r; }
            public static double Round(double e) { double r = Math.Round(e); Piece(r); return r; }
            public static float Round(float e) { float r = MathF.Round(e); Piece(r); return r; }
            public static double Truncate(double e) { double r = Math.Truncate(e); Piece(r); return r; }
            public static float Truncate(float e) { float r = MathF.Truncate(e); Piece(r); return r; }
        }

        """;
}

/// <summary>CsCheck generators of random program batches.</summary>
public static partial class RandomProgramGenerator
{
    /// <summary>A batch of <paramref name="methods"/> top-level methods and <paramref name="helpers"/> helpers.</summary>
    public static Gen<ProgramBatch> Batch(Precision precision, int methods, int helpers) =>
        new BatchGen(precision, methods, helpers);

    /// <summary>A coordinate of an evaluation point: mostly uniform in [-2, 2], sometimes a special value.</summary>
    public static readonly Gen<double> Coordinate = Gen.Frequency(
        (9, Gen.Double.Unit.Select(u => -2.0 + (4.0 * u))),
        (1, Gen.OneOf(0.0, 1.0, -1.0, 0.5, -1.5)));

    /// <summary>A value of the passive int parameter.</summary>
    public static readonly Gen<int> IntArgument = Gen.Int[-2, 3];

    /// <summary>The magnitude bound of the parameters (points are drawn from [-2, 2]).</summary>
    internal const double ParameterBound = 2.0;

    private sealed class BatchGen(Precision precision, int methodCount, int helperCount) : Gen<ProgramBatch>
    {
        public override ProgramBatch Generate(PCG pcg, Size? min, out Size size)
        {
            var helpers = ImmutableArray.CreateBuilder<MethodSpec>();
            var helperSignatures = new List<HelperSignature>();
            for (int i = 0; i < helperCount; i++)
            {
                var builder = new MethodBuilder(pcg, helperSignatures, isHelper: true);
                (MethodSpec spec, double bound) = builder.Build("H" + i.ToString(CultureInfo.InvariantCulture));
                helpers.Add(spec);
                helperSignatures.Add(new HelperSignature(spec.Name, spec.Parameters.Count(p => !p.IsSpan), bound, spec.TakesSpan));
            }
            var methods = ImmutableArray.CreateBuilder<MethodSpec>();
            for (int i = 0; i < methodCount; i++)
            {
                var builder = new MethodBuilder(pcg, helperSignatures, isHelper: false);
                methods.Add(builder.Build("F" + i.ToString(CultureInfo.InvariantCulture)).Spec);
            }
            size = new Size(0);
            return new ProgramBatch(precision, helpers.ToImmutable(), methods.ToImmutable());
        }
    }

    /// <summary>A helper's name, its number of scalar parameters, the bound of its value, and whether a span parameter follows them.</summary>
    private sealed record HelperSignature(string Name, int Arity, double Bound, bool TakesSpan);

    private enum VarKind
    {
        Param,
        Local,
        Const,
        Array,
        SpanParam,
    }

    /// <summary>Builds one method; tracks the variables in scope and their magnitude bounds.</summary>
    private sealed partial class MethodBuilder
    {
        private const double ExprLimit = 10.0;
        private const double VarLimit = 12.0;

        private static readonly string[] ParamNames = { "x", "y", "z", "w", "theta", "alpha", "weight", "b", "x1", "x2", "rate" };
        private static readonly string[] IntNames = { "k", "n", "steps" };
        private static readonly double[] Literals = { 0.25, 0.5, 0.75, 1.5, 2.0, 3.0, -0.5, -1.25, 0.125, 1.0, 2.5, -2.0, 0.375 };
        private static readonly string[] Comparisons = { "<", ">", "<=", ">=" };

        private readonly PCG _pcg;
        private readonly IReadOnlyList<HelperSignature> _helpers;
        private readonly bool _isHelper;
        private readonly List<List<(string Name, VarKind Kind)>> _scopes = new();
        private readonly Dictionary<string, double> _bounds = new();
        private string? _intParam;
        private int _locals;

        public MethodBuilder(PCG pcg, IReadOnlyList<HelperSignature> helpers, bool isHelper)
        {
            _pcg = pcg;
            _helpers = helpers;
            _isHelper = isHelper;
        }

        private int Int(int lo, int hiInclusive) => Gen.Int[lo, hiInclusive].Generate(_pcg, null, out _);

        private bool Chance(double p) => Gen.Double.Unit.Generate(_pcg, null, out _) < p;

        private T Pick<T>(IReadOnlyList<T> items) => items[Int(0, items.Count - 1)];

        private int Weighted(params int[] weights)
        {
            int total = weights.Sum();
            int r = Int(0, total - 1);
            for (int i = 0; i < weights.Length; i++)
            {
                if (r < weights[i])
                {
                    return i;
                }
                r -= weights[i];
            }
            throw new InvalidOperationException();
        }

        public (MethodSpec Spec, double ReturnBound) Build(string name)
        {
            var parameters = ImmutableArray.CreateBuilder<Param>();
            _scopes.Add(new List<(string, VarKind)>());
            if (_isHelper)
            {
                int arity = Int(1, 2);
                foreach (string p in new[] { "a", "b" }.Take(arity))
                {
                    parameters.Add(new Param(p, false));
                }
            }
            else
            {
                int arity = Int(1, 3);
                var names = ParamNames.OrderBy(_ => Int(0, 1 << 20)).Take(arity).ToList();
                foreach (string p in names)
                {
                    parameters.Add(new Param(p, false));
                }
                if (Chance(0.3))
                {
                    _intParam = Pick(IntNames);
                    parameters.Insert(Int(0, parameters.Count), new Param(_intParam, true));
                }
            }
            if (_isHelper && Chance(0.35))
            {
                parameters.Add(new Param(SpanParameter, IsInt: false, IsSpan: true));
                Declare(SpanParameter, VarKind.SpanParam, SpanElementBound);
                _lengths[SpanParameter] = 2;
            }
            foreach (Param p in parameters.Where(p => !p.IsInt && !p.IsSpan))
            {
                Declare(p.Name, VarKind.Param, RandomProgramGenerator.ParameterBound);
            }

            var body = new List<Stmt>();
            int count = _isHelper ? Int(1, 3) : Int(2, 6);
            for (int i = 0; i < count; i++)
            {
                body.Add(Statement(nesting: 0, allowReturn: true));
            }
            // Return something that depends on the parameters and some local, not only on constants.
            (Expr result, double bound) = Expression(Int(1, 3));
            var live = Visible.Where(v => v.Kind is VarKind.Param or VarKind.Local).Select(v => v.Name).ToList();
            var folded = parameters.Where(p => !p.IsInt && !p.IsSpan).Select(p => p.Name).Append(Pick(live)).Distinct().ToList();
            foreach (string v in folded.Where(_ => Chance(0.8)))
            {
                (result, bound) = Int(0, 2) switch
                {
                    0 => (new Bin('+', result, new Ref(v)), bound + _bounds[v]),
                    1 => (new Bin('*', result, new Ref(v)), bound * _bounds[v]),
                    _ => (new Bin('-', result, Fn("Sin", new Ref(v))), bound + 1),
                };
            }
            if (Visible.Any(v => v.Kind is VarKind.Array or VarKind.SpanParam) && Chance(_lengths.ContainsKey(SpanParameter) ? 1.0 : 0.5))
            {
                // An element of a local array, read after the loops that wrote it.
                (Expr element, double elementBound) = ElementRead();
                (result, bound) = (new Bin('+', result, element), bound + elementBound);
            }
            (result, bound) = Limit((result, bound), ExprLimit);
            body.Add(new Return(result));
            return (new MethodSpec(name, parameters.ToImmutable(), body.ToImmutableArray()), bound);
        }

        private void Declare(string name, VarKind kind, double bound)
        {
            _scopes[^1].Add((name, kind));
            _bounds[name] = bound;
        }

        private IEnumerable<(string Name, VarKind Kind)> Visible => _scopes.SelectMany(s => s);

        private string NewLocal(string prefix) => prefix + (_locals++).ToString(CultureInfo.InvariantCulture);

        // ---- statements ----

        // No statement returns on every path (only an arm of an if ends in a return), so the code after
        // a statement is always reachable.
        private Stmt Statement(int nesting, bool allowReturn)
        {
            var assignable = Visible.Where(v => v.Kind is VarKind.Param or VarKind.Local).Select(v => v.Name).ToList();
            var locals = Visible.Where(v => v.Kind == VarKind.Local).Select(v => v.Name).ToList();
            bool arrays = Visible.Any(v => v.Kind == VarKind.Array);
            var carried = assignable.Where(IsCarried).ToList();
            if (carried.Count > 0 && Chance(0.35))
            {
                // Loops mostly change what they carry, reading little else: values from before the loop that
                // the loop does not read are then only read after it, together with what it carried.
                return LoopUpdate(Pick(carried));
            }
            int kind = Weighted(
                30,                                           // declare
                4,                                            // const local
                12,                                           // assign
                16,                                           // compound assignment
                locals.Count > 0 ? 6 : 0,                     // ++ / --
                nesting < 2 ? 14 : 0,                         // if / else if / else
                allowReturn && nesting < 2 ? (nesting == 0 ? 8 : 5) : 0, // early return
                nesting < 2 && _loops.Count < 2 ? 12 : 0,     // for loop
                nesting == 0 ? 12 : 8,                        // local array
                arrays ? 10 : 0,                              // element write
                _loops.Count > 0 ? 3 : 0);                    // if (...) break;
            string? target = kind is 2 or 3 ? Pick(assignable) : kind == 4 ? Pick(locals) : null;
            if (target is not null && IsCarried(target))
            {
                // A variable an enclosing loop carries changes only in ways that keep its bound for any trip count.
                return LoopUpdate(target);
            }
            switch (kind)
            {
                case 0:
                {
                    (Expr e, double bound) = Limit(Expression(Int(1, 3)), VarLimit);
                    string name = NewLocal("u");
                    Declare(name, VarKind.Local, bound);
                    return new Declare(name, e);
                }
                case 1:
                {
                    double value = Pick(Literals);
                    string name = NewLocal("c");
                    Declare(name, VarKind.Const, Math.Abs(value));
                    return new DeclareConst(name, value);
                }
                case 2:
                {
                    (Expr e, double bound) = Limit(Expression(Int(1, 3)), VarLimit);
                    _bounds[target!] = bound;
                    return new Assign(target!, "=", e);
                }
                case 3:
                    return Compound(target!);
                case 4:
                {
                    if (_bounds[target!] + 1 > VarLimit)
                    {
                        return Compound(target!);
                    }
                    _bounds[target!] += 1;
                    return new Increment(target!, Up: Chance(0.5), Prefix: Chance(0.3));
                }
                case 5:
                    return IfStatement(nesting, allowReturn);
                case 6:
                {
                    (Expr e, _) = Limit(Expression(Int(1, 3)), ExprLimit);
                    return new If(Condition(1), ImmutableArray.Create<Stmt>(new Return(e)), ImmutableArray<ElseIf>.Empty, null);
                }
                case 7:
                    return Loop(nesting, allowReturn);
                case 8:
                    return ArrayDeclaration();
                case 9:
                    return ElementWrite();
                default:
                    return new If(Condition(1), ImmutableArray.Create<Stmt>(new Break()), ImmutableArray<ElseIf>.Empty, null);
            }
        }

        private Stmt Compound(string target)
        {
            double current = _bounds[target];
            switch (Int(0, 3))
            {
                case 0:
                case 1:
                {
                    (Expr e, double bound) = Limit(Expression(Int(1, 2)), ExprLimit);
                    if (current + bound <= VarLimit)
                    {
                        _bounds[target] = current + bound;
                        return new Assign(target, Chance(0.5) ? "+=" : "-=", e);
                    }
                    // Would grow too much: squash the sum instead.
                    (Expr squashed, double b2) = Squash(new Bin('+', new Ref(target), e));
                    _bounds[target] = b2;
                    return new Assign(target, "=", squashed);
                }
                case 2:
                {
                    (Expr e, double bound) = Expression(Int(1, 2));
                    if (bound > 1.5)
                    {
                        (e, bound) = Squash(e);
                    }
                    if (current * bound > VarLimit)
                    {
                        (e, bound) = (new Call("Tanh", ImmutableArray.Create(e)), 1.0);
                    }
                    _bounds[target] = current * bound;
                    return new Assign(target, "*=", e);
                }
                default:
                {
                    if (Chance(0.3))
                    {
                        return new Assign(target, "/=", new Lit(Pick(new[] { 2.0, 1.5, 4.0, -2.5, 1.25 })));
                    }
                    (Expr e, _) = Limit(Expression(Int(0, 2)), ExprLimit);
                    return new Assign(target, "/=", PositiveDivisor(e));
                }
            }
        }

        private Stmt IfStatement(int nesting, bool allowReturn)
        {
            Cond condition = Condition(1);
            var before = new Dictionary<string, double>(_bounds);
            var merged = new Dictionary<string, double>(_bounds);
            bool hasElse = Chance(0.5);
            int elseIfCount = Chance(0.3) ? 1 : 0;
            // With an else arm, at most one arm may end in a return, so the code after the if stays reachable.
            bool returnUsed = false;

            ImmutableArray<Stmt> Arm()
            {
                foreach (string key in before.Keys)
                {
                    _bounds[key] = before[key];
                }
                _scopes.Add(new List<(string, VarKind)>());
                var stmts = new List<Stmt>();
                int count = Int(1, 3);
                for (int i = 0; i < count; i++)
                {
                    stmts.Add(Statement(nesting + 1, allowReturn));
                }
                bool mayEndWithReturn = allowReturn && (!hasElse || !returnUsed);
                if (mayEndWithReturn && Chance(0.2))
                {
                    (Expr e, _) = Limit(Expression(Int(1, 2)), ExprLimit);
                    stmts.Add(new Return(e));
                    returnUsed = true;
                }
                foreach ((string name, _) in _scopes[^1])
                {
                    _bounds.Remove(name);
                }
                _scopes.RemoveAt(_scopes.Count - 1);
                foreach (string key in before.Keys)
                {
                    merged[key] = Math.Max(merged[key], _bounds[key]);
                }
                return stmts.ToImmutableArray();
            }

            ImmutableArray<Stmt> then = Arm();
            var elseIfs = ImmutableArray.CreateBuilder<ElseIf>();
            for (int i = 0; i < elseIfCount; i++)
            {
                Cond c = Condition(1);
                elseIfs.Add(new ElseIf(c, Arm()));
            }
            ImmutableArray<Stmt>? els = hasElse ? Arm() : null;
            foreach (string key in before.Keys)
            {
                _bounds[key] = merged[key];
            }
            return new If(condition, then, elseIfs.ToImmutable(), els);
        }

        // ---- conditions ----

        private Cond Condition(int depth)
        {
            int kind = Weighted(70, _intParam is null ? 0 : 10, depth > 0 ? 8 : 0, depth > 0 ? 8 : 0, depth > 0 ? 4 : 0);
            switch (kind)
            {
                case 0:
                {
                    (Expr left, _) = Limit(Expression(Int(0, 2)), ExprLimit);
                    Expr right = Chance(0.5) ? new Lit(Pick(Literals)) : Limit(Expression(Int(0, 1)), ExprLimit).E;
                    if (IsConstant(left) && IsConstant(right))
                    {
                        // A constant condition would make code unreachable; compare a variable instead.
                        left = new Ref(Pick(Visible.Where(v => v.Kind is VarKind.Param or VarKind.Local).ToList()).Name);
                    }
                    return new Cmp(Pick(Comparisons), left, right);
                }
                case 1:
                    return new IntCmp(Pick(new[] { ">", "<=", "==", "!=" }), _intParam!, Int(-1, 2));
                case 2:
                    return new And(Condition(depth - 1), Condition(depth - 1));
                case 3:
                    return new Or(Condition(depth - 1), Condition(depth - 1));
                default:
                    return new Not(Condition(depth - 1));
            }
        }

        // ---- expressions ----

        /// <summary>True for a C# constant expression (literals, consts and operators on them).</summary>
        private bool IsConstant(Expr e) => e switch
        {
            Lit => true,
            Ref r => ProgramRenderer.ConstFields.Any(f => f.Name == r.Name)
                || Visible.Any(v => v.Name == r.Name && v.Kind == VarKind.Const),
            Neg n => IsConstant(n.Operand),
            Bin b => IsConstant(b.Left) && IsConstant(b.Right),
            Cast c => IsConstant(c.Operand),
            Ternary t => IsConstant(t.WhenTrue) && IsConstant(t.WhenFalse),
            _ => false,
        };

        private (Expr E, double Bound) Leaf()
        {
            var vars = Visible.Where(v => v.Kind is not (VarKind.Array or VarKind.SpanParam)).ToList();
            int kind = Weighted(
                vars.Count > 0 ? 75 : 0,
                14,
                _intParam is null ? 0 : 6,
                5,
                Visible.Any(v => v.Kind is VarKind.Array or VarKind.SpanParam) ? 12 : 0, // an element of a local array or span
                _loops.Count > 0 ? 6 : 0);                         // a loop counter
            switch (kind)
            {
                case 4:
                    return ElementRead();
                case 5:
                    return (new IntRef(Pick(_loops).Counter), LoopCounterBound);
                case 0:
                {
                    string name = Pick(vars).Name;
                    return (new Ref(name), _bounds[name]);
                }
                case 1:
                {
                    double v = Pick(Literals);
                    return (new Lit(v), Math.Abs(v));
                }
                case 2:
                    return (new IntRef(_intParam!), 3.0);
                default:
                {
                    (string name, double value) = Pick(ProgramRenderer.ConstFields);
                    return (new Ref(name), Math.Abs(value));
                }
            }
        }

        private static (Expr E, double Bound) Squash(Expr e) => (new Call("Tanh", ImmutableArray.Create(e)), 1.0);

        private (Expr E, double Bound) Limit((Expr E, double Bound) x, double limit)
        {
            if (x.Bound <= limit)
            {
                return x;
            }
            return Chance(0.7)
                ? (new Call("Tanh", ImmutableArray.Create(x.E)), 1.0)
                : (new Call("Atan", ImmutableArray.Create(x.E)), Math.PI / 2);
        }

        /// <summary><paramref name="x"/> with magnitude at most <paramref name="max"/>.</summary>
        private static (Expr E, double Bound) Bounded((Expr E, double Bound) x, double max) =>
            x.Bound <= max ? x : (new Bin('*', new Lit(max), new Call("Tanh", ImmutableArray.Create(x.E))), max);

        private static Expr Square(Expr e) => new Bin('*', e, e);

        private Expr PositiveDivisor(Expr e) => Chance(0.6)
            ? new Bin('+', new Lit(1.0), Square(e))
            : new Bin('+', Square(e), new Lit(0.5));

        private Call Fn(string name, params Expr[] args) => new(name, ImmutableArray.Create(args), ViaDouble: Chance(0.1));

        private (Expr E, double Bound) Expression(int depth)
        {
            if (depth <= 0 || Chance(0.2))
            {
                return Leaf();
            }
            // A helper taking a span gets a local array whose elements stay within the bound the helper assumes.
            var spanArguments = Visible.Where(v => v.Kind == VarKind.Array && _bounds[v.Name] <= SpanElementBound).Select(v => v.Name).ToList();
            var usable = _helpers.Where(h => !h.TakesSpan || spanArguments.Count > 0).ToList();
            int kind = Weighted(
                14,                         // + -
                10,                         // *
                4,                          // unary minus
                6,                          // division
                30,                         // unary Math function
                9,                          // Max/Min/Clamp/FMA/Atan2/Log(a, b)
                5,                          // ternary
                usable.Count > 0 ? 6 : 0,   // helper call
                2);                         // identity cast
            (Expr E, double Bound) result;
            switch (kind)
            {
                case 0:
                {
                    var a = Expression(depth - 1);
                    var b = Expression(depth - 1);
                    result = (new Bin(Chance(0.5) ? '+' : '-', a.E, b.E), a.Bound + b.Bound);
                    break;
                }
                case 1:
                {
                    var a = Expression(depth - 1);
                    var b = Expression(depth - 1);
                    result = (new Bin('*', a.E, b.E), a.Bound * b.Bound);
                    break;
                }
                case 2:
                {
                    var a = Expression(depth - 1);
                    result = (new Neg(a.E), a.Bound);
                    break;
                }
                case 3:
                {
                    var a = Expression(depth - 1);
                    if (Chance(0.25))
                    {
                        double d = Pick(new[] { 2.0, 4.0, 1.5, -2.5, 0.5 });
                        result = (new Bin('/', a.E, new Lit(d)), a.Bound / Math.Abs(d));
                    }
                    else
                    {
                        var b = Limit(Expression(depth - 1), ExprLimit);
                        Expr divisor = PositiveDivisor(b.E);
                        result = (new Bin('/', a.E, divisor), 2 * a.Bound);
                    }
                    break;
                }
                case 4:
                    result = UnaryFunction(depth);
                    break;
                case 5:
                    result = BinaryFunction(depth);
                    break;
                case 6:
                {
                    Cond c = Condition(Math.Min(depth - 1, 1));
                    var a = Expression(depth - 1);
                    var b = Expression(depth - 1);
                    result = (new Ternary(c, a.E, b.E), Math.Max(a.Bound, b.Bound));
                    break;
                }
                case 7:
                {
                    HelperSignature h = Pick(usable);
                    var args = ImmutableArray.CreateBuilder<Expr>();
                    for (int i = 0; i < h.Arity; i++)
                    {
                        args.Add(Bounded(Expression(depth - 1), RandomProgramGenerator.ParameterBound).E);
                    }
                    if (h.TakesSpan)
                    {
                        args.Add(new Ref(Pick(spanArguments)));
                    }
                    result = (new HelperCall(h.Name, args.ToImmutable()), h.Bound);
                    break;
                }
                default:
                {
                    var a = Expression(depth - 1);
                    result = (new Cast(a.E), a.Bound);
                    break;
                }
            }
            return Limit(result, ExprLimit);
        }

        private (Expr E, double Bound) UnaryFunction(int depth)
        {
            var a = Limit(Expression(depth - 1), ExprLimit);
            // Piecewise-constant functions (Sign, Floor, Ceiling, Round, Truncate) are rarer: they cut
            // the dependence on the parameters.
            switch (Weighted(3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 3))
            {
                case 0: return (Fn("Sin", a.E), 1.0);
                case 1: return (Fn("Cos", a.E), 1.0);
                case 2:
                    return a.Bound <= 4
                        ? (Fn("Tan", new Bin('*', new Lit(0.25), a.E)), Math.Tan(0.25 * a.Bound))
                        : (Fn("Tan", Fn("Tanh", a.E)), Math.Tan(1.0));
                case 3: return (Fn("Asin", new Bin('*', Fn("Tanh", a.E), new Lit(0.875))), Math.PI / 2);
                case 4: return (Fn("Acos", new Bin('*', Fn("Tanh", a.E), new Lit(0.875))), Math.PI);
                case 5: return (Fn("Atan", a.E), Math.PI / 2);
                case 6:
                {
                    var s = Bounded(a, 2.0);
                    return (Fn("Sinh", s.E), Math.Sinh(s.Bound));
                }
                case 7:
                {
                    var s = Bounded(a, 2.0);
                    return (Fn("Cosh", s.E), Math.Cosh(s.Bound));
                }
                case 8: return (Fn("Tanh", a.E), 1.0);
                case 9:
                {
                    var s = Bounded(a, 2.0);
                    return (Fn("Exp", s.E), Math.Exp(s.Bound));
                }
                case 10:
                    return Chance(0.5)
                        ? (Fn("Log", new Bin('+', Square(a.E), new Lit(1.0))), Math.Log((a.Bound * a.Bound) + 1))
                        : (Fn("Log", new Bin('+', new Lit(1.0), Fn("Exp", Bounded(a, 2.0).E))), Math.Log(1 + Math.Exp(2.0)));
                case 11: return (Fn("Log10", new Bin('+', Square(a.E), new Lit(1.0))), Math.Log10((a.Bound * a.Bound) + 1));
                case 12: return (Fn("Log2", new Bin('+', Square(a.E), new Lit(1.0))), Math.Log2((a.Bound * a.Bound) + 1));
                case 13:
                    return (Fn("Sqrt", new Bin('+', Square(a.E), new Lit(Chance(0.5) ? 1.0 : 0.25))), a.Bound + 1);
                case 14:
                    return Chance(0.5)
                        ? (Fn("Cbrt", new Bin('+', Square(a.E), new Lit(1.0))), Math.Cbrt((a.Bound * a.Bound) + 1))
                        : (Fn("Cbrt", new Bin('-', new Lit(-1.0), Square(a.E))), Math.Cbrt((a.Bound * a.Bound) + 1));
                case 15:
                {
                    var s = Bounded(a, 1.5);
                    Expr baseExpr = new Bin('+', Square(s.E), new Lit(1.0));
                    double baseBound = (s.Bound * s.Bound) + 1;
                    switch (Int(0, 2))
                    {
                        case 0:
                        {
                            double p = Pick(new[] { 0.5, 1.5, 2.0, -1.0, -0.5, -2.0, 0.75, 3.0 });
                            return (Fn("Pow", baseExpr, new Lit(p)), Math.Pow(baseBound, Math.Abs(p)));
                        }
                        case 1 when _intParam is not null:
                            return (Fn("Pow", baseExpr, new IntRef(_intParam)), Math.Pow(baseBound, 3));
                        default:
                        {
                            var t = Bounded(Expression(depth - 1), 1.5);
                            return (Fn("Pow", baseExpr, t.E), Math.Pow(baseBound, 1.5));
                        }
                    }
                }
                case 16: return (Fn("Abs", a.E), a.Bound);
                case 17: return (new SignOf(a.E), 1.0);
                case 18: return (Fn("Floor", a.E), a.Bound + 1);
                case 19: return (Fn("Ceiling", a.E), a.Bound + 1);
                case 20: return (Fn("Round", a.E), a.Bound + 1);
                case 21: return (Fn("Truncate", a.E), a.Bound);
                default: return (new Neg(Fn("Sin", a.E)), 1.0);
            }
        }

        private (Expr E, double Bound) BinaryFunction(int depth)
        {
            var a = Limit(Expression(depth - 1), ExprLimit);
            var b = Limit(Expression(depth - 1), ExprLimit);
            switch (Int(0, 6))
            {
                case 0: return (Fn("Max", a.E, b.E), Math.Max(a.Bound, b.Bound));
                case 1: return (Fn("Min", a.E, b.E), Math.Max(a.Bound, b.Bound));
                case 2:
                {
                    double lo = Pick(new[] { -1.5, -0.5, 0.0, -2.0 });
                    double hi = Pick(new[] { 0.5, 1.0, 1.75 });
                    return (Fn("Clamp", a.E, new Lit(lo), new Lit(hi)), Math.Max(Math.Abs(lo), hi));
                }
                case 3:
                {
                    var c = Limit(Expression(depth - 1), ExprLimit);
                    return (Fn("FusedMultiplyAdd", a.E, b.E, c.E), (a.Bound * b.Bound) + c.Bound);
                }
                case 4:
                    return (Fn("Atan2", a.E, new Bin('+', Square(b.E), new Lit(0.5))), Math.PI / 2);
                case 5:
                {
                    Expr arg = new Bin('+', Square(a.E), new Lit(1.0));
                    double argBound = Math.Log((a.Bound * a.Bound) + 1);
                    if (Chance(0.5))
                    {
                        double baseValue = Pick(new[] { 2.0, 10.0, 0.5, 3.0 });
                        return (Fn("Log", arg, new Lit(baseValue)), argBound / Math.Abs(Math.Log(baseValue)));
                    }
                    return (Fn("Log", arg, new Bin('+', Square(b.E), new Lit(1.5))), argBound / Math.Log(1.5));
                }
                default:
                    return (Fn("Max", Fn("Min", a.E, b.E), new Lit(Pick(new[] { -1.0, -0.25, 0.5 }))), Math.Max(a.Bound, b.Bound));
            }
        }
    }
}

/// <summary>Smaller variants of a failing method, for reporting a minimal program.</summary>
public static class ProgramShrinker
{
    /// <summary>Candidates, roughly biggest reduction first.</summary>
    public static IEnumerable<MethodSpec> Candidates(MethodSpec m)
    {
        foreach (ImmutableArray<Stmt> body in BlockShrinks(m.Body, topLevel: true))
        {
            yield return m with { Body = body };
        }
    }

    private static IEnumerable<ImmutableArray<Stmt>> BlockShrinks(ImmutableArray<Stmt> block, bool topLevel)
    {
        // Remove one statement (never the final return of the method).
        int removable = topLevel ? block.Length - 1 : block.Length;
        for (int i = 0; i < removable; i++)
        {
            if (!topLevel || block.Length > 1)
            {
                yield return block.RemoveAt(i);
            }
        }
        // Inline one arm of an if.
        for (int i = 0; i < block.Length; i++)
        {
            if (block[i] is If f)
            {
                var arms = new List<ImmutableArray<Stmt>> { f.Then };
                arms.AddRange(f.ElseIfs.Select(e => e.Body));
                if (f.Else is { } els)
                {
                    arms.Add(els);
                }
                foreach (ImmutableArray<Stmt> arm in arms)
                {
                    yield return block.RemoveAt(i).InsertRange(i, arm);
                }
                if (f.ElseIfs.Length > 0)
                {
                    yield return block.SetItem(i, f with { ElseIfs = ImmutableArray<ElseIf>.Empty });
                }
                if (f.Else is not null)
                {
                    yield return block.SetItem(i, f with { Else = null });
                }
            }
        }
        // Shrink inside one statement.
        for (int i = 0; i < block.Length; i++)
        {
            foreach (Stmt s in StmtShrinks(block[i]))
            {
                yield return block.SetItem(i, s);
            }
        }
    }

    private static IEnumerable<Stmt> StmtShrinks(Stmt s)
    {
        switch (s)
        {
            case Declare d:
                foreach (Expr e in ExprShrinks(d.Value)) { yield return d with { Value = e }; }
                break;
            case Assign a:
                if (a.Op != "=")
                {
                    yield return a with { Op = "=" };
                }
                foreach (Expr e in ExprShrinks(a.Value)) { yield return a with { Value = e }; }
                break;
            case Return r:
                foreach (Expr e in ExprShrinks(r.Value)) { yield return r with { Value = e }; }
                break;
            case For f:
                foreach (ImmutableArray<Stmt> b in BlockShrinks(f.Body, topLevel: false)) { yield return f with { Body = b }; }
                break;
            case DeclareArray a:
                for (int i = 0; i < a.Elements.Length; i++)
                {
                    foreach (Expr x in ExprShrinks(a.Elements[i])) { yield return a with { Elements = a.Elements.SetItem(i, x) }; }
                }
                break;
            case WriteElement w:
                foreach (Expr e in ExprShrinks(w.Value)) { yield return w with { Value = e }; }
                break;
            case If f:
                foreach (Cond c in CondShrinks(f.Condition)) { yield return f with { Condition = c }; }
                foreach (ImmutableArray<Stmt> b in BlockShrinks(f.Then, topLevel: false)) { yield return f with { Then = b }; }
                for (int i = 0; i < f.ElseIfs.Length; i++)
                {
                    ElseIf arm = f.ElseIfs[i];
                    foreach (ImmutableArray<Stmt> b in BlockShrinks(arm.Body, topLevel: false))
                    {
                        yield return f with { ElseIfs = f.ElseIfs.SetItem(i, arm with { Body = b }) };
                    }
                }
                if (f.Else is { } els)
                {
                    foreach (ImmutableArray<Stmt> b in BlockShrinks(els, topLevel: false)) { yield return f with { Else = b }; }
                }
                break;
        }
    }

    private static IEnumerable<Cond> CondShrinks(Cond c)
    {
        switch (c)
        {
            case And a:
                yield return a.Left;
                yield return a.Right;
                break;
            case Or o:
                yield return o.Left;
                yield return o.Right;
                break;
            case Not n:
                yield return n.Operand;
                break;
            case Cmp cmp:
                foreach (Expr e in ExprShrinks(cmp.Left)) { yield return cmp with { Left = e }; }
                foreach (Expr e in ExprShrinks(cmp.Right)) { yield return cmp with { Right = e }; }
                break;
        }
    }

    private static IEnumerable<Expr> ExprShrinks(Expr e)
    {
        switch (e)
        {
            case Lit:
                yield break;
            case Ref:
            case IntRef:
            case Element:
                yield return new Lit(0.5);
                yield break;
        }
        // Replace by a child, then by a literal, then shrink inside.
        foreach (Expr child in Children(e))
        {
            yield return child;
        }
        yield return new Lit(0.5);
        switch (e)
        {
            case Neg n:
                foreach (Expr x in ExprShrinks(n.Operand)) { yield return n with { Operand = x }; }
                break;
            case Bin b:
                foreach (Expr x in ExprShrinks(b.Left)) { yield return b with { Left = x }; }
                foreach (Expr x in ExprShrinks(b.Right)) { yield return b with { Right = x }; }
                break;
            case Call c:
                if (c.ViaDouble)
                {
                    yield return c with { ViaDouble = false };
                }
                for (int i = 0; i < c.Args.Length; i++)
                {
                    foreach (Expr x in ExprShrinks(c.Args[i])) { yield return c with { Args = c.Args.SetItem(i, x) }; }
                }
                break;
            case HelperCall h:
                for (int i = 0; i < h.Args.Length; i++)
                {
                    foreach (Expr x in ExprShrinks(h.Args[i])) { yield return h with { Args = h.Args.SetItem(i, x) }; }
                }
                break;
            case SignOf s:
                foreach (Expr x in ExprShrinks(s.Operand)) { yield return s with { Operand = x }; }
                break;
            case Cast c:
                foreach (Expr x in ExprShrinks(c.Operand)) { yield return c with { Operand = x }; }
                break;
            case Ternary t:
                foreach (Cond x in CondShrinks(t.Condition)) { yield return t with { Condition = x }; }
                foreach (Expr x in ExprShrinks(t.WhenTrue)) { yield return t with { WhenTrue = x }; }
                foreach (Expr x in ExprShrinks(t.WhenFalse)) { yield return t with { WhenFalse = x }; }
                break;
        }
    }

    private static IEnumerable<Expr> Children(Expr e) => e switch
    {
        Neg n => new[] { n.Operand },
        Bin b => new[] { b.Left, b.Right },
        Call c => c.Args,
        HelperCall h => h.Args,
        SignOf s => new[] { s.Operand },
        Cast c => new[] { c.Operand },
        Ternary t => new[] { t.WhenTrue, t.WhenFalse },
        _ => Array.Empty<Expr>(),
    };
}
