using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.CustomTensorGradients;

/// <summary>
/// The diagnostics of [CustomGradient] on methods with tensors: BPS0017 for a gradient or pullback of another shape,
/// BPS0026 for a tangent or value method of another shape (or one given to a method that returns a float), BPS0027
/// for a custom layer without a tangent that a generated method calls with derivatives. Each at its exact span, with
/// its exact message; the callers get no gradient, the other methods still do.
/// </summary>
public sealed class CustomTensorGradientDiagnosticTests
{
    private const string Header = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;
        namespace N;
        """;

    [Theory]
    [InlineData("public static float LogCoshGradient(Tensor p, Tensor t, Tensor dP) => 0;")]
    [InlineData("public static float LogCoshGradient(Tensor p, Tensor t, out Tensor dP, out Tensor dT) { dP = p; dT = t; return 0; }")]
    [InlineData("public static void LogCoshGradient(Tensor p, Tensor t, Tensor dP, Tensor dT) { }")]
    [InlineData("public static float LogCoshGradient(Tensor p, Tensor t, Tensor dP, Tensor dT, out float dScale) { dScale = 0; return 0; }")]
    [InlineData("")]
    public void BPS0017_custom_tensor_loss_gradient_with_the_wrong_signature(string gradient)
    {
        GeneratorRun run = DiagnosticAssert.Reports(Header + $$"""
            public static partial class C
            {
                [[|CustomGradient(nameof(LogCoshGradient))|]]
                public static float LogCosh(Tensor p, Tensor t) => Sum(p - t);

                {{gradient}}

                [Differentiable] public static float Uses(Tensor x, Tensor y) => LogCosh(x * 2f, y);

                [Differentiable] public static float Independent(Tensor x) => Sum(x);
            }
            """.Replace("nameof(LogCoshGradient)", gradient.Length == 0 ? "\"LogCoshGradient\"" : "nameof(LogCoshGradient)"),
            "BPS0017",
            "The gradient that [CustomGradient] names for 'C.LogCosh' must be declared in the same type as: static float LogCoshGradient(Tensor p, Tensor t, Tensor dP, Tensor dT)");
        DiagnosticAssert.NoGradient(run, "Uses");
        DiagnosticAssert.HasGradient(run, "Independent");
    }

    [Theory]
    [InlineData("public static void SwishPullback(Tensor x, float beta, Tensor dResult, Tensor dX, out float dBeta) { dBeta = 0; }")]
    [InlineData("public static void SwishPullback(Tensor x, float beta, Tensor dX, ref float dBeta) { }")]
    [InlineData("public static Tensor SwishPullback(Tensor x, float beta, Tensor dResult, Tensor dX, ref float dBeta) => x;")]
    [InlineData("public static void SwishPullback(Tensor x, float beta, int steps, Tensor dResult, Tensor dX, ref float dBeta) { }")]
    public void BPS0017_custom_layer_pullback_with_the_wrong_signature(string pullback)
    {
        GeneratorRun run = DiagnosticAssert.Reports(Header + $$"""
            public static partial class C
            {
                [[|CustomGradient(nameof(SwishPullback), Tangent = nameof(SwishDerivative))|]]
                public static Tensor Swish(Tensor x, float beta) => x * Sigmoid(x * beta);

                {{pullback}}

                public static Tensor SwishDerivative(Tensor x, float beta, Tensor dX, float dBeta, out Tensor derivative) { derivative = x; return x; }

                [Differentiable] public static float Uses(Tensor x, float beta) => Sum(Swish(x, beta));

                [Differentiable] public static float Independent(Tensor x) => Sum(x);
            }
            """,
            "BPS0017",
            "The gradient that [CustomGradient] names for 'C.Swish' must be declared in the same type as: static void SwishPullback(Tensor x, float beta, Tensor dResult, Tensor dX, ref float dBeta)");
        DiagnosticAssert.NoGradient(run, "Uses");
        DiagnosticAssert.HasGradient(run, "Independent");
    }

    [Theory]
    [InlineData("public static Tensor SwishDerivative(Tensor x, float beta, Tensor dX, float dBeta, Tensor derivative) => x;")]
    [InlineData("public static Tensor SwishDerivative(Tensor x, float beta, Tensor dX, out Tensor derivative) { derivative = x; return x; }")]
    [InlineData("public static void SwishDerivative(Tensor x, float beta, Tensor dX, float dBeta, out Tensor derivative) { derivative = x; }")]
    [InlineData("")]
    public void BPS0026_custom_layer_tangent_with_the_wrong_signature(string tangent)
    {
        GeneratorRun run = DiagnosticAssert.Reports(Header + $$"""
            public static partial class C
            {
                [CustomGradient(nameof(SwishPullback), [|Tangent = nameof(SwishDerivative)|])]
                public static Tensor Swish(Tensor x, float beta) => x * Sigmoid(x * beta);

                public static void SwishPullback(Tensor x, float beta, Tensor dResult, Tensor dX, ref float dBeta) { }

                {{tangent}}

                [Differentiable] public static float Uses(Tensor x, float beta) => Sum(Swish(x, beta));
            }
            """.Replace("nameof(SwishDerivative)", tangent.Length == 0 ? "\"SwishDerivative\"" : "nameof(SwishDerivative)"),
            "BPS0026",
            "[CustomGradient] on 'C.Swish': the tangent 'SwishDerivative' it names must be declared in the same type as: static Tensor SwishDerivative(Tensor x, float beta, Tensor dX, float dBeta, out Tensor derivative)");
        DiagnosticAssert.NoGradient(run, "Uses");
    }

    [Theory]
    [InlineData("public static Tensor SwishValue(Tensor x) => x;")]
    [InlineData("public static void SwishValue(Tensor x, float beta) { }")]
    [InlineData("public Tensor SwishValue(Tensor x, float beta) => x;")]
    public void BPS0026_custom_layer_value_with_the_wrong_signature(string value)
    {
        GeneratorRun run = DiagnosticAssert.Reports(Header + $$"""
            public partial class C
            {
                [CustomGradient(nameof(SwishPullback), Tangent = nameof(SwishDerivative), [|Value = nameof(SwishValue)|])]
                public static Tensor Swish(Tensor x, float beta) => x * Sigmoid(x * beta);

                public static void SwishPullback(Tensor x, float beta, Tensor dResult, Tensor dX, ref float dBeta) { }

                public static Tensor SwishDerivative(Tensor x, float beta, Tensor dX, float dBeta, out Tensor derivative) { derivative = x; return x; }

                {{value}}

                [Differentiable] public static float Uses(Tensor x, float beta) => Sum(Swish(x, beta));
            }
            """,
            "BPS0026",
            "[CustomGradient] on 'C.Swish': the value 'SwishValue' it names must be declared in the same type as: static Tensor SwishValue(Tensor x, float beta)");
        DiagnosticAssert.NoGradient(run, "Uses");
    }

    [Fact]
    public void BPS0026_tangent_given_to_a_custom_loss()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Header + """
            public static partial class C
            {
                [CustomGradient(nameof(LossGradient), [|Tangent = "LossDerivative"|])]
                public static float Loss(Tensor p) => Sum(p);

                public static float LossGradient(Tensor p, Tensor dP) { dP.Fill(1); return Sum(p); }

                [Differentiable] public static float Uses(Tensor x) => Loss(x);
            }
            """,
            "BPS0026",
            "[CustomGradient] on 'C.Loss': 'Tangent' and 'Value' apply only to a method that returns a Tensor, since the partials of a float give its forward mode; remove 'Tangent'");
        DiagnosticAssert.NoGradient(run, "Uses");
    }

    [Fact]
    public void BPS0026_value_given_to_a_scalar_custom_gradient()
    {
        DiagnosticAssert.Reports("""
            using System;
            using Backprop.Symbolic;
            namespace N;
            public static partial class C
            {
                [CustomGradient(nameof(SoftplusGradient), [|Value = "SoftplusValue"|])]
                public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

                public static double SoftplusGradient(double x, out double dX) { dX = 1 / (1 + Math.Exp(-x)); return Softplus(x); }
            }
            """,
            "BPS0026",
            "[CustomGradient] on 'C.Softplus': 'Tangent' and 'Value' apply only to a method that returns a Tensor, since the partials of a float give its forward mode; remove 'Value'");
    }

    [Fact]
    public void BPS0026_custom_gradient_on_a_method_with_tensors_that_returns_double()
    {
        DiagnosticAssert.Reports(Header + """
            public static partial class C
            {
                [[|CustomGradient("NormGradient")|]]
                public static double Norm(Tensor p) => Sum(p);
            }
            """,
            "BPS0026",
            "[CustomGradient] on 'C.Norm': a method with tensors returns float (a loss) or Tensor (a layer), not 'double'; return one of them");
    }

    [Fact]
    public void BPS0027_custom_layer_without_a_tangent_called_with_derivatives()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Header + """
            public static partial class C
            {
                [CustomGradient(nameof(SwishPullback))]
                public static Tensor Swish(Tensor x, float beta) => x * Sigmoid(x * beta);

                public static void SwishPullback(Tensor x, float beta, Tensor dResult, Tensor dX, ref float dBeta) { }

                [Differentiable(nameof(w))]
                public static float Net(Tensor x, Tensor w) => Sum([|Swish(MatMul(x, w), 1f)|]);

                // Called with values that carry no derivative, the layer needs neither pullback nor tangent.
                [Differentiable(nameof(w))]
                public static float Passive(Tensor x, Tensor w) => Sum(Swish(x, 1f) * w);
            }
            """,
            "BPS0027",
            "'C.Swish' has a hand-written pullback but no tangent, which 'NetDerivative' (the forward mode generated for this method) needs; name one with [CustomGradient(…, Tangent = nameof(SwishDerivative))] and declare it in the same type as: static Tensor SwishDerivative(Tensor x, float beta, Tensor dX, float dBeta, out Tensor derivative)");
        DiagnosticAssert.NoGradient(run, "Net");
        DiagnosticAssert.HasGradient(run, "Passive");
    }

    [Fact]
    public void BPS0013_differentiated_span_passed_to_a_custom_loss_whose_span_parameter_has_no_partial()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Header + """
            public static partial class C
            {
                [CustomGradient(nameof(WeightedGradient))]
                public static float Weighted(Tensor p, ReadOnlySpan<float> weights) => Sum(p) * weights[0];

                public static float WeightedGradient(Tensor p, ReadOnlySpan<float> weights, Tensor dP) { dP.Fill(weights[0]); return Sum(p) * weights[0]; }

                [Differentiable]
                public static float Uses(Tensor x, ReadOnlySpan<float> w) => Weighted(x, [|w|]);
            }
            """,
            "BPS0013",
            "Argument 'w' depends on the differentiated parameters, but 'Weighted' does not differentiate its parameter 'weights'; its [CustomGradient] methods have partials only for its Tensor and float parameters, so pass the values as a Tensor, or pass a value that does not depend on the differentiated parameters");
        DiagnosticAssert.NoGradient(run, "Uses");
    }
}
