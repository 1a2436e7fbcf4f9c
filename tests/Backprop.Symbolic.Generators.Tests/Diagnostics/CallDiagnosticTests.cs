using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Diagnostics;

/// <summary>
/// Diagnostics on calls: BPS0006 (no known derivative), BPS0013 (argument to a parameter the callee does not
/// differentiate), BPS0014 (the [Differentiable] callee has errors of its own).
/// </summary>
public sealed class CallDiagnosticTests
{
    [Fact]
    public void BPS0006_active_argument_to_a_method_without_derivative()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                public static double Helper(double v) => v * v;

                [Differentiable]
                public static double F(double x, int n) => Helper(n) + Helper([|x * 2|]);
            }
            """,
            "BPS0006",
            "'C.Helper' has no known derivative, but its argument 'x * 2' depends on the differentiated parameters; mark 'C.Helper' [Differentiable], or compute the value outside and pass it in as a parameter that is not differentiated");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0013_active_argument_to_a_parameter_the_callee_does_not_differentiate()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable(nameof(a))]
                public static double G(double a, double b) => a * b;

                [Differentiable]
                public static double F(double x) => G(1.0, [|x|]);
            }
            """,
            "BPS0013",
            "Argument 'x' depends on the differentiated parameters, but 'G' does not differentiate its parameter 'b'; add 'b' to the callee's [Differentiable] or pass a value that does not depend on the differentiated parameters");
        DiagnosticAssert.NoGradient(run, "F");
        DiagnosticAssert.HasGradient(run, "G");
    }

    [Fact]
    public void BPS0014_callee_has_errors_of_its_own()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static double Broken(double x)
                {
                    double s = 0;
                    try
                    {
                        s += x;
                    }
                    finally
                    {
                    }
                    return s;
                }

                [Differentiable]
                public static double F(double x) => 2 * [|Broken(x)|];
            }
            """,
            "BPS0014",
            "'Broken' is [Differentiable] but has errors of its own, so its gradient does not exist; fix the errors reported on 'Broken' first",
            "BPS0004");
        DiagnosticAssert.NoGradient(run, "F");
        DiagnosticAssert.NoGradient(run, "Broken");
    }
}
