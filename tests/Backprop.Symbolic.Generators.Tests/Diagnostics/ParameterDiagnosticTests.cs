using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Diagnostics;

/// <summary>
/// Diagnostics about parameters and the attribute's parameter names: BPS0008 (unknown name), BPS0009 (named parameter
/// cannot be differentiated), BPS0010 (unsupported parameter), BPS0012 (adjoint name clash).
/// </summary>
public sealed class ParameterDiagnosticTests
{
    [Fact]
    public void BPS0008_attribute_names_no_parameter()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable([|"z"|])]
                public static double F(double x, double y) => x * y;
            }
            """,
            "BPS0008",
            "[Differentiable] names 'z', but 'F' has no parameter of that name; use nameof(parameter) with one of: x, y");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0009_attribute_names_an_int_parameter()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable(nameof(x), [|nameof(n)|])]
                public static double F(double x, int n) => x * n;
            }
            """,
            "BPS0009",
            "Parameter 'n' has type 'int', which cannot be differentiated; only float and double parameters, and spans and arrays of them, can be named in [Differentiable]");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0010_ref_parameter()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x, ref double [|y|]) => x * y;
            }
            """,
            "BPS0010",
            "Parameter 'y' of type 'double' is not supported in a [Differentiable] method; pass it by value (without ref, in, out or params)");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0010_writable_span_parameter()
    {
        DiagnosticAssert.Reports("""
            using System;
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x, Span<double> [|w|]) => x * w[0];
            }
            """,
            "BPS0010",
            "Parameter 'w' of type 'System.Span<double>' is not supported in a [Differentiable] method; a [Differentiable] method only reads its inputs; take a ReadOnlySpan<double> instead");
    }

    [Fact]
    public void BPS0010_array_of_strings()
    {
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x, string[] [|names|]) => x * names.Length;
            }
            """,
            "BPS0010",
            "Parameter 'names' of type 'string[]' is not supported in a [Differentiable] method; use a ReadOnlySpan or an array of float, double, an integer type or bool");
    }

    [Fact]
    public void BPS0009_integer_span_named_for_differentiation()
    {
        DiagnosticAssert.Reports("""
            using System;
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable([|nameof(labels)|])]
                public static double F(double x, ReadOnlySpan<int> labels) => x * labels[0];
            }
            """,
            "BPS0009",
            "Parameter 'labels' has type 'System.ReadOnlySpan<int>', which cannot be differentiated; only float and double parameters, and spans and arrays of them, can be named in [Differentiable]");
    }

    [Fact]
    public void BPS0010_decimal_parameter()
    {
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x, decimal [|m|]) => x * (double)m;
            }
            """,
            "BPS0010",
            "Parameter 'm' of type 'decimal' is not supported in a [Differentiable] method; use float, double, an integer type, bool, or a ReadOnlySpan or array of those");
    }

    [Fact]
    public void BPS0012_adjoint_name_clashes_with_a_parameter()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double [|x|], double dX) => x * dX;
            }
            """,
            "BPS0012",
            "The adjoint of parameter 'x' would be named 'dX', which is already the name of a parameter or of another adjoint of 'F'; rename one of the parameters");
        DiagnosticAssert.NoGradient(run, "F");
    }
}
