using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Diagnostics;

/// <summary>Diagnostics on the body of a [Differentiable] method: BPS0004 (statement) and BPS0005 (expression).</summary>
public sealed class BodyDiagnosticTests
{
    [Fact]
    public void BPS0004_goto_statement()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double s = x;
                    [|goto done;|]
                    done:
                    return s;
                }
            }
            """,
            "BPS0004",
            "goto statements and labels are not supported in a [Differentiable] method; use loops with break and continue, if/else and return");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0005_writing_into_a_parameter_span()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double[] w)
                {
                    [|w[0] = 2 * w[1]|];
                    return w[0];
                }
            }
            """,
            "BPS0005",
            "writing into the parameter 'w' is not supported in a [Differentiable] method; a [Differentiable] method only reads its inputs: copy the values into a local array (new double[n]) and write there");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0004_ref_local()
    {
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double a = x * x;
                    [|ref double r = ref a;|]
                    return r;
                }
            }
            """,
            "BPS0004",
            "ref locals are not supported in a [Differentiable] method; use an ordinary local");
    }

    [Fact]
    public void BPS0005_array_variable_assigned_twice()
    {
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double[] t = new double[2];
                    t[0] = x;
                    t = [|new double[3]|];
                    t[1] = x;
                    return t[0] + t[1];
                }
            }
            """,
            "BPS0005",
            "assigning an array variable twice is not supported in a [Differentiable] method; create each local array once and overwrite its elements, or use a second variable");
    }

    [Fact]
    public void BPS0005_local_array_passed_to_a_method_that_is_not_differentiable()
    {
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                public static double Sum(System.ReadOnlySpan<double> v) => v[0] + v[1];

                [Differentiable]
                public static double F(double x)
                {
                    double[] t = { x, 2 * x };
                    return Sum([|t|]);
                }
            }
            """,
            "BPS0005",
            "passing a local array, or a span or array whose elements are differentiated, to a method that is neither [Differentiable] nor [CustomGradient] is not supported in a [Differentiable] method; mark the method [Differentiable] and let it take a ReadOnlySpan<double>, or pass the elements it needs as separate parameters");
    }

    [Fact]
    public void BPS0005_local_array_passed_to_a_method_that_is_not_differentiable_inside_a_loop()
    {
        DiagnosticAssert.Reports("""
            using System;
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                public static double Sum(ReadOnlySpan<double> v) => v[0] + v[1];

                [Differentiable]
                public static double F(ReadOnlySpan<double> x)
                {
                    double s = 0;
                    for (int i = 0; i < 2; i++)
                    {
                        double[] t = { x[i], s };
                        s += Sum([|t|]);
                    }
                    return s;
                }
            }
            """,
            "BPS0005",
            "passing a local array, or a span or array whose elements are differentiated, to a method that is neither [Differentiable] nor [CustomGradient] is not supported in a [Differentiable] method; mark the method [Differentiable] and let it take a ReadOnlySpan<double>, or pass the elements it needs as separate parameters");
    }

    [Fact]
    public void BPS0013_local_array_passed_to_a_span_parameter_the_callee_does_not_differentiate()
    {
        DiagnosticAssert.Reports("""
            using System;
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable(nameof(a))] public static double Scaled(ReadOnlySpan<double> v, double a) => a * (v[0] + v[1]);

                [Differentiable]
                public static double F(double x)
                {
                    double s = 0;
                    for (int i = 0; i < 2; i++)
                    {
                        double[] t = { x, s };
                        s += Scaled([|t|], x);
                    }
                    return s;
                }
            }
            """,
            "BPS0013",
            "Argument 't' depends on the differentiated parameters, but 'Scaled' does not differentiate its parameter 'v'; add 'v' to the callee's [Differentiable] or pass a value that does not depend on the differentiated parameters");
    }

    [Fact]
    public void BPS0005_local_array_passed_to_an_array_parameter_inside_a_loop()
    {
        DiagnosticAssert.Reports("""
            using System;
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable] public static double Sum(double[] v) => v[0] + v[1];

                [Differentiable]
                public static double F(ReadOnlySpan<double> x)
                {
                    double s = 0;
                    for (int i = 0; i < 2; i++)
                    {
                        double[] t = { x[i], s };
                        s += Sum([|t|]);
                    }
                    return s;
                }
            }
            """,
            "BPS0005",
            "a local array can only be passed to a ReadOnlySpan<double> parameter in a [Differentiable] method; declare 'v' of 'Sum' as ReadOnlySpan<double>");
    }

    [Theory]
    [InlineData("Span<double> y = stackalloc double[2]; y[0] = x; [|foreach (ref double v in y) { v *= v; }|] return y[0];", "BPS0004",
        "foreach with a ref loop variable is not supported in a [Differentiable] method; write through the index instead: for (int i = 0; i < y.Length; i++) y[i] = …")]
    [InlineData("double[] a; if (x > 0) { a = [|new[] { x, 2 * x }|]; } else { a = new[] { 3 * x }; } return a[0];", "BPS0005",
        "creating a local array in a branch and using it after the branch is not supported in a [Differentiable] method; create the array once before the if and write its elements in the branches")]
    [InlineData("double s = 1; while ([|(s *= x) < 10|]) { } return s;", "BPS0005",
        "assigning the floating-point variable 's' in a loop condition is not supported in a [Differentiable] method; assign it in the loop body and test the result")]
    [InlineData("double[] a = { x, 2 * x }; return [|a[^1]|];", "BPS0005",
        "indexing from the end (^) and ranges (..) are not supported in a [Differentiable] method; index with an int: x[x.Length - 1], or loop over the elements")]
    [InlineData("double[] a = { x, 2 * x }; [|a[0]++|]; return a[0];", "BPS0005",
        "++ and -- on an element are not supported in a [Differentiable] method; write a[i] += 1 instead")]
    [InlineData("Span<double> a = [|stackalloc double[] { x, 2 * x }|]; return a[0];", "BPS0005",
        "stackalloc with an initializer is not supported in a [Differentiable] method; write stackalloc T[n] and assign the elements, or use new T[] { … }")]
    public void Loops_and_arrays_unsupported_forms(string markedBody, string id, string message) =>
        DiagnosticAssert.Reports(InMethod(markedBody), id, message);

    [Fact]
    public void BPS0004_try_statement()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double y = x;
                    [|try
                    {
                        y = x * x;
                    }
                    finally
                    {
                        y = y + 1;
                    }|]
                    return y;
                }
            }
            """,
            "BPS0004",
            "try statements are not supported in a [Differentiable] method; handle errors in the caller");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0005_switch_expression()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => 2 * [|x switch { > 0 => x, _ => -x }|];
            }
            """,
            "BPS0005",
            "switch expressions are not supported yet in a [Differentiable] method; use a conditional expression or if/else");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Theory]
    [InlineData("[|switch (n) { case 1: return x; default: return 2 * x; }|]",
        "switch statements are not supported yet in a [Differentiable] method; use if/else if/else")]
    [InlineData("if (x < 0) [|throw new System.ArgumentException();|] return x;",
        "throw statements are not supported yet in a [Differentiable] method; validate arguments in the caller")]
    [InlineData("[|lock (typeof(C)) { return x; }|]",
        "using and lock statements are not supported in a [Differentiable] method; keep resources and locks outside the [Differentiable] method")]
    [InlineData("[|goto end;|] end: return x;",
        "goto statements and labels are not supported in a [Differentiable] method; use loops with break and continue, if/else and return")]
    public void BPS0004_other_statements(string markedBody, string message) =>
        DiagnosticAssert.Reports(InMethod(markedBody), "BPS0004", message);

    [Fact]
    public void BPS0004_local_function()
    {
        // One error per cause: the call to the local function is not reported again.
        DiagnosticAssert.Reports(
            InMethod("[|double Sq(double v) => v * v;|] return Sq(x);"),
            "BPS0004",
            "local functions are not supported in a [Differentiable] method; make it a separate static [Differentiable] method");
    }

    [Theory]
    [InlineData("System.Func<double, double> f = [|v => v * v|]; return x;",
        "lambdas and delegates are not supported in a [Differentiable] method; write the function as a static [Differentiable] method and call it")]
    [InlineData("var a = [|new double[2, 2]|]; return x;",
        "this use of an array is not supported in a [Differentiable] method; use one-dimensional local arrays (new double[n]) and read and write their elements by index")]
    [InlineData("return [|x is > 0|] ? x : -x;",
        "patterns are not supported in a [Differentiable] method; use comparison operators")]
    [InlineData("return [|Math.Sin(x) is var s|] ? s : 0;",
        "patterns are not supported in a [Differentiable] method; use comparison operators")]
    [InlineData("return [|x.GetHashCode()|] + x;",
        "calls to instance methods are not supported in a [Differentiable] method; call a static method, passing the values it needs")]
    [InlineData("return [|(x, x).Item1|];",
        "reading instance fields or properties is not supported in a [Differentiable] method; pass the value in as a parameter")]
    [InlineData("return (double)[|(decimal)x|];",
        "converting a differentiated value to 'decimal' is not supported in a [Differentiable] method; keep the computation in float or double")]
    [InlineData("return n > 0 ? x : [|throw new System.Exception()|];",
        "throw expressions are not supported yet in a [Differentiable] method; validate arguments in the caller")]
    public void BPS0005_other_expressions(string markedBody, string message) =>
        DiagnosticAssert.Reports(InMethod(markedBody), "BPS0005", message);

    private static string InMethod(string markedBody) => $$"""
        using System;
        using Backprop.Symbolic;
        namespace N;
        public static partial class C
        {
            [Differentiable]
            public static double F(double x, int n)
            {
                {{markedBody}}
            }
        }
        """;
}
