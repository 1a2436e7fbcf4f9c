using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.TensorIndexers;

/// <summary>
/// Diagnostics of methods that read tensor elements: BPS0024 (writing into a tensor) and BPS0025 (using a tensor other
/// than through its elements, shape, Length and Rank), each with its exact message and span; the other methods of the
/// compilation are still generated.
/// </summary>
public sealed class ElementLoopDiagnosticTests
{
    private static string Method(string body, string parameters = "Tensor x, Tensor a") => """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;
        namespace N;
        public static partial class C
        {
            public static float Helper(Tensor t) => 0f;

            [Differentiable]
            public static float Penalty(Tensor w)
            {
                float s = 0f;
                for (int i = 0; i < w.Length; i++)
                {
                    s += w[i] * w[i];
                }
                return s;
            }

            [Differentiable]
            public static float F(
        """ + parameters + """
        )
            {
        """ + body + """

            }
        }
        """;

    private const string Where = " in a [Differentiable] method that reads tensor elements, which may use its tensor parameters only through x[i, …], x.Shape[k], x.Length and x.Rank; ";

    private const string AsLoop = "write it as a loop over the elements, or compute it in a [Differentiable] method of tensor operations that calls this one with the result";

    [Fact]
    public void BPS0024_writing_an_element()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Method("""
                    float s = 0f;
                    for (int i = 0; i < x.Shape[0]; i++)
                    {
                        s += x[i, 0];
                        [|x[i, 0] = 0f|];
                    }
                    return s;
            """),
            "BPS0024",
            "'x[i, 0] = 0f' writes into the tensor 'x', but a [Differentiable] method only reads its tensors; add into a local float, or write into a local array (new float[n]), and return the float");
        DiagnosticAssert.NoGradient(run, "F");
        DiagnosticAssert.HasGradient(run, "Penalty");
    }

    [Fact]
    public void BPS0024_adding_into_an_element()
    {
        DiagnosticAssert.Reports(Method("""
                    [|a[1, 1] += x[0, 0]|];
                    return x[1, 1];
            """),
            "BPS0024",
            "'a[1, 1] += x[0, 0]' writes into the tensor 'a', but a [Differentiable] method only reads its tensors; add into a local float, or write into a local array (new float[n]), and return the float");
    }

    [Fact]
    public void BPS0024_writing_through_the_span()
    {
        DiagnosticAssert.Reports(Method("""
                    [|x.Span[0] = 2f|];
                    return x[0, 0];
            """),
            "BPS0024",
            "'x.Span[0] = 2f' writes into the tensor 'x', but a [Differentiable] method only reads its tensors; add into a local float, or write into a local array (new float[n]), and return the float");
    }

    [Fact]
    public void BPS0024_fill()
    {
        DiagnosticAssert.Reports(Method("""
                    [|a.Fill(0f)|];
                    return x[0];
            """),
            "BPS0024",
            "'a.Fill(0f)' writes into the tensor 'a', but a [Differentiable] method only reads its tensors; add into a local float, or write into a local array (new float[n]), and return the float");
    }

    [Fact]
    public void BPS0025_tensor_operation_inside_an_element_loop()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Method("""
                    float s = 0f;
                    for (int i = 0; i < x.Shape[0]; i++)
                    {
                        s += x[i, 0] * [|Sum(a)|];
                    }
                    return s;
            """),
            "BPS0025",
            "the tensor operation 'Sum(a)'" + Where + AsLoop);
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0025_tensor_operator_beside_an_element_read()
    {
        // Reported once, on the outermost tensor operation.
        DiagnosticAssert.Reports(Method("return x[0, 1] * [|Mean(x * a)|];"),
            "BPS0025",
            "the tensor operation 'Mean(x * a)'" + Where + AsLoop);
    }

    [Fact]
    public void BPS0025_reading_through_the_span()
    {
        DiagnosticAssert.Reports(Method("return x[0] + [|a.Span|][0];"),
            "BPS0025",
            "'a.Span' uses a tensor as a whole" + Where + AsLoop);
    }

    [Fact]
    public void BPS0025_tensor_local()
    {
        DiagnosticAssert.Reports(Method("""
                    Tensor [|t = a|];
                    return x[0] * t[0];
            """),
            "BPS0025",
            "the tensor local 't'" + Where + "index the tensor parameters themselves");
    }

    [Fact]
    public void BPS0025_tensor_passed_to_a_differentiable_method_inside_a_loop()
    {
        DiagnosticAssert.Reports(Method("""
                    float s = 0f;
                    for (int i = 0; i < x.Length; i++)
                    {
                        s += x[i] * [|Penalty(a)|];
                    }
                    return s;
            """),
            "BPS0025",
            "passing a tensor to the [Differentiable] method 'C.Penalty' ('Penalty(a)')" + Where + "call it outside the loop, where it reads the whole tensor once");
    }

    [Fact]
    public void BPS0025_tensor_expression_passed_to_a_differentiable_method()
    {
        DiagnosticAssert.Reports(Method("return x[0] * [|Penalty(a * 2f)|];"),
            "BPS0025",
            "passing a tensor to the [Differentiable] method 'C.Penalty' ('Penalty(a * 2f)')" + Where + "pass it the tensor parameters themselves, or write its loops here");
    }

    [Fact]
    public void BPS0025_tensor_passed_to_another_method()
    {
        DiagnosticAssert.Reports(Method("return x[0] * [|Helper(a)|];"),
            "BPS0025",
            "passing a tensor to 'C.Helper' ('Helper(a)')" + Where + AsLoop);
    }

    [Fact]
    public void A_method_that_returns_a_tensor_keeps_the_tensor_rules()
    {
        // Element reads make a float-returning method one of element loops; a layer's stay refused (BPS0018).
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static Tensor Layer(Tensor x) => x * [|x[0]|];
            }
            """,
            "BPS0018",
            "reading 'x[0]' is not supported yet in a [Differentiable] method with tensors; use the Tensor operations, which work on every element (Sum and Mean reduce to a float)");
    }

    private static string Loss(string members) => """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;
        namespace N;
        public static partial class C
        {
            [Differentiable(nameof(w))]
            public static float Weighted(Tensor x, Tensor w)
            {
                float s = 0f;
                for (int i = 0; i < w.Length; i++)
                {
                    s += x[i] * w[i];
                }
                return s;
            }

        """ + members + """

        }
        """;

    [Fact]
    public void BPS0013_a_loss_passes_a_differentiated_tensor_where_the_element_method_does_not_differentiate()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Loss("""
                [Differentiable]
                public static float F(Tensor a, Tensor b) => Weighted([|Tanh(a)|], b);
            """),
            "BPS0013",
            "Argument 'Tanh(a)' depends on the differentiated parameters, but 'Weighted' does not differentiate its parameter 'x'; add 'x' to the callee's [Differentiable] or pass a value that does not depend on the differentiated parameters");
        DiagnosticAssert.NoGradient(run, "F");
        DiagnosticAssert.HasGradient(run, "Weighted");
    }

    // A float method that differentiates a span parameter, called by a loss with tensors ([|…|] marks the span argument).
    private static string SpanLoss(string lossAttribute) => """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;
        namespace N;
        public static partial class C
        {
            [Differentiable]
            public static float Weighted(Tensor x, ReadOnlySpan<float> weights)
            {
                float s = 0f;
                for (int i = 0; i < x.Length; i++)
                {
                    s += weights[i] * x[i] * x[i];
                }
                return s;
            }

        """ + "    " + lossAttribute + """

            public static float Loss(Tensor w, ReadOnlySpan<float> weights) => Weighted(w, [|weights|]) + Sum(Square(w));
        }
        """;

    [Fact]
    public void BPS0018_a_loss_passes_a_span_the_float_method_differentiates()
    {
        // The callee's gradient takes an adjoint span for 'weights' and its derivative a tangent span; the loss has
        // neither to give, so the call is refused instead of generating code that does not compile.
        GeneratorRun run = DiagnosticAssert.Reports(SpanLoss("[Differentiable(nameof(w))]"),
            "BPS0018",
            "passing the span 'weights' to 'C.Weighted', which differentiates its span parameter 'weights', is not supported yet in a [Differentiable] method with tensors; "
            + "name only the callee's other parameters in its [Differentiable(…)], or pass the values as a Tensor");
        DiagnosticAssert.NoGradient(run, "Loss");
        DiagnosticAssert.HasGradient(run, "Weighted");
    }

    [Fact]
    public void BPS0018_a_loss_passes_a_differentiated_span_to_a_float_method()
    {
        GeneratorRun run = DiagnosticAssert.Reports(SpanLoss("[Differentiable]"),
            "BPS0018",
            "passing the span 'weights', whose elements are differentiated, to 'C.Weighted' is not supported yet in a [Differentiable] method with tensors; pass the values as a Tensor");
        DiagnosticAssert.NoGradient(run, "Loss");
    }

    [Fact]
    public void BPS0018_an_element_method_called_inside_a_loop_over_time_steps()
    {
        DiagnosticAssert.Reports(Loss("""
                [Differentiable]
                public static float F(Tensor xs, Tensor h0, Tensor w)
                {
                    Tensor h = h0;
                    for (int t = 0; t < xs.Shape[0]; t++)
                    {
                        h = Tanh(TimeStep(xs, t) * [|Weighted(h, w)|]);
                    }
                    return Sum(h);
                }
            """),
            "BPS0018",
            "calls to [CustomGradient] methods, and to [Differentiable] methods that return a float from a layer or a loop over time steps, are not supported yet in a [Differentiable] method with tensors; "
            + "call the [Differentiable] method from a loss (a method that returns a float), outside its loops, or write the computation in this method");
    }
}
