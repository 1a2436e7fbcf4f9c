using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Backprop.Symbolic.Generators.Tests.Infrastructure;

/// <summary>
/// Writes the C# of the driver class that <see cref="ArrayInvoke"/> compiles next to the test source: reflection cannot
/// pass a span (a ref struct), so for each [Differentiable] method the driver has static methods that take arrays in
/// <c>object[]</c>s and call the primal, <c>{Name}Gradient</c> and <c>{Name}Derivative</c> with spans over them.
/// </summary>
/// <remarks>
/// For the method numbered <c>k</c>, with <c>a</c> the arguments (a <c>T[]</c> for each span or array parameter, the
/// boxed exact type for each scalar), <c>g</c> one buffer per adjoint (a <c>T[]</c>; a length-1 one for a scalar's
/// <c>out</c>) and <c>t</c> one tangent per differentiable parameter (a <c>T[]</c> or a boxed scalar):
/// <list type="bullet">
/// <item><c>double Primal_k(object[] a)</c></item>
/// <item><c>double Gradient_k(object[] a, object[] g)</c></item>
/// <item><c>double Derivative_k(object[] a, object[] t, double[] derivative)</c></item>
/// <item><c>long GradientAllocations_k(object[] a, object[] g, int warmUp, int calls)</c> and
/// <c>long DerivativeAllocations_k(object[] a, object[] t, int warmUp, int calls)</c>: the bytes the calls after the
/// warm-up allocate on the calling thread, measured inside the compiled code so reflection allocates nothing in between.</item>
/// </list>
/// Only the methods the generator produced with the documented signature get gradient and derivative drivers.
/// </remarks>
public static class ArrayDriverSource
{
    public const string Namespace = "Backprop.Symbolic.Generators.Tests.ArrayDrivers";
    public const string ClassName = "Drivers";
    public const string MetadataName = Namespace + "." + ClassName;

    /// <summary>One method to drive: its number, its description, and which generated twins exist as documented.</summary>
    public sealed record Entry(int Index, ArrayMethod Method, bool HasGradient, bool HasDerivative);

    public static string PrimalName(int index) => "Primal_" + index;
    public static string GradientName(int index) => "Gradient_" + index;
    public static string DerivativeName(int index) => "Derivative_" + index;
    public static string GradientAllocationsName(int index) => "GradientAllocations_" + index;
    public static string DerivativeAllocationsName(int index) => "DerivativeAllocations_" + index;

    /// <summary>The driver class's source for <paramref name="entries"/> (the unsupported ones get no driver).</summary>
    public static string Write(IEnumerable<Entry> entries)
    {
        var text = new StringBuilder();
        text.AppendLine("// Written by the tests' ArrayDriverSource: drivers that call span-taking methods with arrays.");
        text.AppendLine("#nullable disable");
        text.AppendLine($"namespace {Namespace}");
        text.AppendLine("{");
        text.AppendLine($"    internal static class {ClassName}");
        text.AppendLine("    {");
        text.AppendLine("        public static double Sink;");
        foreach (Entry entry in entries.Where(e => e.Method.Unsupported is null))
        {
            WriteEntry(text, entry);
        }
        text.AppendLine("    }");
        text.AppendLine("}");
        return text.ToString();
    }

    private static void WriteEntry(StringBuilder text, Entry entry)
    {
        ArrayMethod m = entry.Method;
        int k = entry.Index;
        string target = m.TypeDisplayName + "." + m.Name;
        text.AppendLine();
        text.AppendLine($"        // {m.TypeMetadataName}: {m.Signature}");

        // Each argument read straight out of the object[]: the implicit T[] -> (ReadOnly)Span<T> conversion does the rest.
        string[] args = m.Parameters.Select((p, i) => $"({Cast(p)})a[{i}]").ToArray();
        text.AppendLine($"        public static double {PrimalName(k)}(object[] a) => {target}({string.Join(", ", args)});");

        if (entry.HasGradient)
        {
            string call = $"{target}Gradient({string.Join(", ", args.Concat(GradientAdjoints(m, i => $"(({Buffer(m.Differentiable[i])})g[{i}])")))})";
            text.AppendLine($"        public static double {GradientName(k)}(object[] a, object[] g) => {call};");
            WriteAllocations(text, GradientAllocationsName(k), "g", m, locals =>
                $"{target}Gradient({string.Join(", ", locals.Concat(GradientAdjoints(m, i => "g" + i)))})");
        }

        if (entry.HasDerivative)
        {
            string call = $"{target}Derivative({string.Join(", ", args.Concat(Tangents(m, i => $"(({TangentCast(m.Differentiable[i])})t[{i}])")))}, out {m.ReturnTypeName} d)";
            text.AppendLine($"        public static double {DerivativeName(k)}(object[] a, object[] t, double[] derivative)");
            text.AppendLine("        {");
            text.AppendLine($"            double value = {call};");
            text.AppendLine("            derivative[0] = d;");
            text.AppendLine("            return value;");
            text.AppendLine("        }");
            WriteAllocations(text, DerivativeAllocationsName(k), "t", m, locals =>
                $"{target}Derivative({string.Join(", ", locals.Concat(Tangents(m, i => "t" + i)))}, out {m.ReturnTypeName} _)");
        }
    }

    /// <summary>The adjoint arguments: a new span over each buffer, or <c>out buffer[0]</c> for a scalar.</summary>
    private static IEnumerable<string> GradientAdjoints(ArrayMethod m, System.Func<int, string> buffer) =>
        m.Differentiable.Select((p, i) => p.IsSequence
            ? $"new global::System.Span<{p.ElementTypeName}>({buffer(i)})"
            : $"out {buffer(i)}[0]");

    /// <summary>The tangent arguments: a new read-only span over each array, or the scalar.</summary>
    private static IEnumerable<string> Tangents(ArrayMethod m, System.Func<int, string> tangent) =>
        m.Differentiable.Select((p, i) => p.IsSequence
            ? $"new global::System.ReadOnlySpan<{p.ElementTypeName}>({tangent(i)})"
            : tangent(i));

    /// <summary>
    /// A method that unpacks the arguments once, calls <paramref name="call"/> <c>warmUp</c> times, then measures the bytes
    /// <c>calls</c> more calls allocate on this thread.
    /// </summary>
    private static void WriteAllocations(StringBuilder text, string name, string extra, ArrayMethod m, System.Func<IEnumerable<string>, string> call)
    {
        text.AppendLine($"        public static long {name}(object[] a, object[] {extra}, int warmUp, int calls)");
        text.AppendLine("        {");
        for (int i = 0; i < m.Parameters.Length; i++)
        {
            text.AppendLine($"            {Cast(m.Parameters[i])} a{i} = ({Cast(m.Parameters[i])})a[{i}];");
        }
        for (int i = 0; i < m.Differentiable.Length; i++)
        {
            ArrayParameter p = m.Differentiable[i];
            string type = extra == "g" ? Buffer(p) : TangentCast(p);
            text.AppendLine($"            {type} {extra}{i} = ({type}){extra}[{i}];");
        }
        string invocation = call(Enumerable.Range(0, m.Parameters.Length).Select(i => "a" + i));
        text.AppendLine("            double sink = 0;");
        text.AppendLine($"            for (int i = 0; i < warmUp; i++) {{ sink += {invocation}; }}");
        // The fewest bytes over up to three rounds of `calls` calls: an allocation per call shows in every round, while a
        // one-off event of the runtime (tiered compilation promoting a method mid-round) shows in one at most.
        text.AppendLine("            long allocated = long.MaxValue;");
        text.AppendLine("            for (int round = 0; round < 3 && allocated != 0; round++)");
        text.AppendLine("            {");
        text.AppendLine("                long before = global::System.GC.GetAllocatedBytesForCurrentThread();");
        text.AppendLine($"                for (int i = 0; i < calls; i++) {{ sink += {invocation}; }}");
        text.AppendLine("                allocated = global::System.Math.Min(allocated, global::System.GC.GetAllocatedBytesForCurrentThread() - before);");
        text.AppendLine("            }");
        text.AppendLine("            Sink = sink;");
        text.AppendLine("            return allocated;");
        text.AppendLine("        }");
    }

    /// <summary>How an argument is read out of the object[]: the scalar's type, or an array of the element type.</summary>
    private static string Cast(ArrayParameter p) => p.IsSequence ? p.ElementTypeName + "[]" : p.ElementTypeName;

    private static string Buffer(ArrayParameter p) => p.ElementTypeName + "[]";

    private static string TangentCast(ArrayParameter p) => p.IsSequence ? p.ElementTypeName + "[]" : p.ElementTypeName;
}
