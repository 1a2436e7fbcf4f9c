using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Diagnostics of methods with tensors: BPS0018 (an operation, member or construct the tensor rules cannot
/// differentiate yet) and BPS0019 (writing into a tensor), each with its exact message and span.
/// </summary>
public sealed class TensorDiagnosticTests
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
            public static float Other(float v) => v * v;

            [Differentiable]
            public static float F(
        """ + parameters + """
        )
            {
        """ + body + """

            }
        }
        """;

    private const string With = " in a [Differentiable] method with tensors; ";

    [Fact]
    public void BPS0018_operation_without_a_derivative()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Method("return Sum([|Zeros(2, 3)|] * a);"),
            "BPS0018",
            "'Tensor.Zeros' cannot be differentiated yet" + With + "create tensors outside the method and pass them in as parameters");
        DiagnosticAssert.NoGradient(run, "F");
        DiagnosticAssert.HasGradient(run, "Other");
    }

    [Fact]
    public void BPS0018_instance_method_of_a_tensor()
    {
        DiagnosticAssert.Reports(Method("return Sum([|x.Slice(0, 0, 1)|]) + Sum(a);"),
            "BPS0018",
            "calling the tensor method 'Slice' is not supported" + With + "use the static Tensor operations (MatMul, +, Tanh, Sum, …) and x.Reshape(…)");
    }

    [Fact]
    public void BPS0025_reading_an_element_beside_a_tensor_operation()
    {
        // Reading an element makes the method one of element loops (TensorIndexers/), where Sum(a) is refused.
        DiagnosticAssert.Reports(Method("return x[0, 1] * [|Sum(a)|];"),
            "BPS0025",
            "the tensor operation 'Sum(a)' in a [Differentiable] method that reads tensor elements, which may use its tensor parameters only through x[i, …], x.Shape[k], x.Length and x.Rank; "
            + "write it as a loop over the elements, or compute it in a [Differentiable] method of tensor operations that calls this one with the result");
    }

    [Fact]
    public void BPS0018_reading_a_length()
    {
        // x.Shape[k] is read as an int (a loop's bound); other members stay refused.
        DiagnosticAssert.Reports(Method("return [|x.Length|] * Sum(a);"),
            "BPS0018",
            "reading 'x.Length' is not supported yet" + With + "use the Tensor operations, which work on every element (Sum and Mean reduce to a float)");
    }

    [Fact]
    public void BPS0018_if_statement()
    {
        DiagnosticAssert.Reports(Method("""
                    float s = Sum(x * a);
                    [|if (s > 0)|]
                    {
                        s = 2 * s;
                    }
                    return s;
            """),
            "BPS0018",
            "'if' statements are not supported yet" + With + "compute the loss without branching (Relu, LeakyRelu and arithmetic on tensors cover most piecewise formulas)");
    }

    [Fact]
    public void BPS0018_call_to_a_float_returning_differentiable_method_from_a_layer()
    {
        // A loss may call it (TensorIndexers/MixedLossTests); a layer not yet.
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static float Other(float v) => v * v;

                [Differentiable]
                public static Tensor Layer(Tensor x) => x * [|Other(Sum(x))|];
            }
            """,
            "BPS0018",
            "calls to [CustomGradient] methods, and to [Differentiable] methods that return a float from a layer or a loop over time steps, are not supported yet" + With
            + "call the [Differentiable] method from a loss (a method that returns a float), outside its loops, or write the computation in this method");
    }

    [Fact]
    public void BPS0018_tensor_passed_to_another_method()
    {
        DiagnosticAssert.Reports(Method("return [|Helper(x)|] + Sum(a);"),
            "BPS0018",
            "passing a tensor to 'C.Helper' is not supported" + With + "only the operations of Tensor take tensors in a [Differentiable] method");
    }

    [Fact]
    public void BPS0018_local_array()
    {
        DiagnosticAssert.Reports(Method("""
                    float[] s = [|new float[2]|];
                    return Sum(a) + s[0];
            """),
            "BPS0018",
            "local arrays are not supported yet" + With + "use tensors, passed in as parameters or computed with the Tensor operations");
    }

    [Fact]
    public void BPS0019_writing_an_element()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Method("""
                    [|a[0, 0] = 1f|];
                    return Sum(x * a);
            """),
            "BPS0019",
            "'a[0, 0] = 1f' writes into the tensor 'a', but a [Differentiable] method only reads its tensors; compute a new tensor with the Tensor operations instead");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0019_writing_through_the_span()
    {
        DiagnosticAssert.Reports(Method("""
                    [|x.Span[1] += 2f|];
                    return Sum(x * a);
            """),
            "BPS0019",
            "'x.Span[1] += 2f' writes into the tensor 'x', but a [Differentiable] method only reads its tensors; compute a new tensor with the Tensor operations instead");
    }

    [Fact]
    public void BPS0019_fill()
    {
        DiagnosticAssert.Reports(Method("""
                    [|a.Fill(0f)|];
                    return Sum(x * a);
            """),
            "BPS0019",
            "'a.Fill(0f)' writes into the tensor 'a', but a [Differentiable] method only reads its tensors; compute a new tensor with the Tensor operations instead");
    }

    [Fact]
    public void BPS0013_active_tensor_passed_to_a_parameter_the_layer_does_not_differentiate()
    {
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;
            namespace N;
            public static partial class C
            {
                [Differentiable(nameof(w))]
                public static Tensor Affine(Tensor x, Tensor w) => MatMul(x, w);

                [Differentiable]
                public static float F(Tensor x, Tensor w) => Sum(Affine([|Tanh(x)|], w));
            }
            """,
            "BPS0013",
            "Argument 'Tanh(x)' depends on the differentiated parameters, but 'Affine' does not differentiate its parameter 'x'; add 'x' to the callee's [Differentiable] or pass a value that does not depend on the differentiated parameters");
    }

    [Fact]
    public void BPS0014_layer_with_errors_of_its_own()
    {
        DiagnosticAssert.Reports("""
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static Tensor Broken(Tensor x) => x * Sum(Zeros(2, 2));

                [Differentiable]
                public static float F(Tensor x) => Sum([|Broken(x)|]);
            }
            """,
            "BPS0014",
            "'Broken' is [Differentiable] but has errors of its own, so its gradient does not exist; fix the errors reported on 'Broken' first",
            "BPS0018");
    }

    [Fact]
    public void Ambiguous_tensor_type_is_left_to_the_compiler()
    {
        // System.Numerics.Tensors has a Tensor type too: with both namespaces imported the compiler reports the
        // ambiguity (CS0104) and the generator adds nothing.
        GeneratorRun run = GeneratorHarness.Run("""
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using System.Numerics.Tensors;
            namespace N;
            public static partial class C
            {
                [Differentiable]
                public static float F(Tensor x) => 0f;
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains(run.CompilationErrors, d => d.Id == "CS0104");
        Assert.Empty(run.GeneratedSources);
    }
}
