using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Diagnostics;

/// <summary>
/// Diagnostics about the declaration of a [Differentiable] method and its type: BPS0001 (type not partial),
/// BPS0002 (not static), BPS0003 (no body), BPS0007 (gradient name taken), BPS0011 (return type), BPS0015 (generic).
/// </summary>
public sealed class DeclarationDiagnosticTests
{
    [Fact]
    public void BPS0001_containing_type_is_not_partial()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static class [|Plain|]
            {
                [Differentiable] public static double F(double x) => x * x;
            }
            """,
            "BPS0001",
            "Type 'Plain' must be declared partial because it contains the [Differentiable] method 'F'; add the 'partial' modifier to 'Plain' and every type that contains it");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0001_an_outer_type_is_not_partial()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static class [|Outer|]
            {
                public static partial class Inner
                {
                    [Differentiable] public static double F(double x) => x * x;
                }
            }
            """,
            "BPS0001",
            "Type 'Outer' must be declared partial because it contains the [Differentiable] method 'F'; add the 'partial' modifier to 'Outer' and every type that contains it");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0002_method_is_not_static()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public partial class C
            {
                [Differentiable] public double [|F|](double x) => x * x;
            }
            """,
            "BPS0002",
            "[Differentiable] method 'F' must be static; make it static and pass any state it reads as parameters");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0003_extern_method_has_no_body()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using System.Runtime.InteropServices;
            using Backprop.Symbolic;
            namespace N;
            public static partial class Native
            {
                [Differentiable]
                [DllImport("libm")]
                public static extern double [|cos|](double x);
            }
            """,
            "BPS0003",
            "[Differentiable] method 'cos' has no body to differentiate; give it a block or expression body");
        DiagnosticAssert.NoGradient(run, "cos");
    }

    [Fact]
    public void BPS0007_gradient_name_is_already_taken()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable] public static double [|F|](double x) => x * x;

                public static double FGradient(double x, out double dX)
                {
                    dX = 0;
                    return x;
                }
            }
            """,
            "BPS0007",
            "Type 'C' already has a member named 'FGradient', which the gradient of 'F' needs; rename that member or the [Differentiable] method");
    }

    [Fact]
    public void BPS0011_return_type_is_not_floating_point()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable] public static int [|F|](double x) => (int)x;
            }
            """,
            "BPS0011",
            "[Differentiable] method 'F' returns 'int'; it must return float or double (a loss) or Tensor (a layer)");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0011_void_method()
    {
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable] public static void [|F|](double x) { }
            }
            """,
            "BPS0011",
            "[Differentiable] method 'F' returns 'void'; it must return float or double (a loss) or Tensor (a layer)");
    }

    [Fact]
    public void BPS0015_generic_method()
    {
        GeneratorRun run = DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [Differentiable] public static double [|F|]<T>(double x) => x * x;
            }
            """,
            "BPS0015",
            "[Differentiable] method 'F' is generic; write it for double or float (containing types may be generic)");
        DiagnosticAssert.NoGradient(run, "F");
    }
}
