using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Diagnostics;

/// <summary>Diagnostics on the body of a [Differentiable] method: BPS0004 (statement) and BPS0005 (expression).</summary>
public sealed class BodyDiagnosticTests
{
    [Fact]
    public void BPS0004_for_loop()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double s = 0;
                    [|for (int i = 0; i < 3; i++)
                    {
                        s += x;
                    }|]
                    return s;
                }
            }
            """,
            "BPS0004",
            "loops are not supported yet in a [Differentiable] method; write the computation without a loop, or compute it in a method whose arguments do not depend on the differentiated parameters");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0004_while_loop()
    {
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    [|while (x > 1)
                        x = x / 2;|]
                    return x;
                }
            }
            """,
            "BPS0004",
            "loops are not supported yet in a [Differentiable] method; write the computation without a loop, or compute it in a method whose arguments do not depend on the differentiated parameters");
    }

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

    private const string Loops = "loops are not supported yet in a [Differentiable] method; write the computation without a loop, or compute it in a method whose arguments do not depend on the differentiated parameters";

    [Theory]
    [InlineData("[|foreach (var v in new[] { 1.0, 2.0 }) { x += v; }|] return x;", Loops)]
    [InlineData("[|do { x /= 2; } while (x > 1);|] return x;", Loops)]
    [InlineData("[|switch (n) { case 1: return x; default: return 2 * x; }|]",
        "switch statements are not supported yet in a [Differentiable] method; use if/else if/else")]
    [InlineData("if (x < 0) [|throw new System.ArgumentException();|] return x;",
        "throw statements are not supported yet in a [Differentiable] method; validate arguments in the caller")]
    [InlineData("[|lock (typeof(C)) { return x; }|]",
        "using and lock statements are not supported in a [Differentiable] method; keep resources and locks outside the [Differentiable] method")]
    [InlineData("[|goto end;|] end: return x;",
        "goto, break and continue statements are not supported in a [Differentiable] method; use if/else and return")]
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
    [InlineData("var a = [|new double[2]|]; return x;",
        "arrays are not supported yet in a [Differentiable] method; pass the elements as separate parameters")]
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
