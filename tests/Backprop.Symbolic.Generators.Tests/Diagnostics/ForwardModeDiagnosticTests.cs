using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Diagnostics;

/// <summary>
/// Diagnostics about the forward-mode method <c>{Name}Derivative</c>: BPS0007 when its name is taken and
/// BPS0016 when a parameter is named like its <c>derivative</c> output.
/// </summary>
public sealed class ForwardModeDiagnosticTests
{
    [Fact]
    public void BPS0007_derivative_name_is_already_taken()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable] public static double [|F|](double x) => x * x;

                [Differentiable] public static double G(double x) => x + 1;

                public static double FDerivative(double x) => 2 * x;
            }
            """,
            "BPS0007",
            "Type 'C' already has a member named 'FDerivative', which the gradient of 'F' needs; rename that member or the [Differentiable] method");
        DiagnosticAssert.NoGradient(run, "F");
        DiagnosticAssert.HasGradient(run, "G");
    }

    [Fact]
    public void BPS0016_parameter_named_like_the_derivative_output()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable] public static double F(double x, double [|derivative|]) => x * derivative;
            }
            """,
            "BPS0016",
            "Parameter 'derivative' has the name of the out parameter that 'FDerivative' uses for the directional derivative; rename the parameter");
        DiagnosticAssert.NoGradient(run, "F");
    }
}
