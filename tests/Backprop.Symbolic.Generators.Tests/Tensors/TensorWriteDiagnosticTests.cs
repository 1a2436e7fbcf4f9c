using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Backprop.Symbolic.Tensors;
using Xunit;
using static Backprop.Symbolic.Generators.Tests.Infrastructure.TensorGradientAssert;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// Writes into a tensor that the per-expression rules would name as something else (BPS0019): through its span, through
/// a local span taken from it, by a method of the user's that writes its parameter; and tensor members named as the
/// tensor operations they are (BPS0018). Each with its exact message and span.
/// </summary>
public sealed class TensorWriteDiagnosticTests
{
    private static string Method(string body) => """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;
        namespace N;
        public static partial class C
        {
            public static void Scale(Tensor t, float by)
            {
                Span<float> values = t.Span;
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] *= by;
                }
            }

            public static float First(Tensor t) => t.Span[0];

            [Differentiable]
            public static float F(Tensor x, Tensor w)
            {
        """ + body + """

            }
        }
        """;

    private static string Written(string code, string tensor) =>
        "'" + code + "' writes into the tensor '" + tensor + "', but a [Differentiable] method only reads its tensors; compute a new tensor with the Tensor operations instead";

    private const string With = " in a [Differentiable] method with tensors; ";

    [Fact]
    public void BPS0019_filling_the_span()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Method("""
                    [|w.Span.Fill(3f)|];
                    return Sum(MatMul(x, w));
            """), "BPS0019", Written("w.Span.Fill(3f)", "w"));
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void BPS0019_clearing_a_slice_of_the_span()
    {
        DiagnosticAssert.Reports(Method("""
                    [|w.Span.Slice(2).Clear()|];
                    return Sum(MatMul(x, w));
            """), "BPS0019", Written("w.Span.Slice(2).Clear()", "w"));
    }

    [Fact]
    public void BPS0019_copying_into_the_span()
    {
        DiagnosticAssert.Reports(Method("""
                    [|x.Span.CopyTo(w.Span)|];
                    return Sum(MatMul(x, w));
            """), "BPS0019", Written("x.Span.CopyTo(w.Span)", "w"));
    }

    [Fact]
    public void BPS0019_writing_through_a_local_span()
    {
        DiagnosticAssert.Reports(Method("""
                    Span<float> values = w.Span;
                    [|values[1] += 2f|];
                    return Sum(MatMul(x, w));
            """), "BPS0019", Written("values[1] += 2f", "w"));
    }

    [Fact]
    public void BPS0019_passing_a_tensor_to_a_method_that_writes_it()
    {
        DiagnosticAssert.Reports(Method("""
                    [|Scale(w, 2f)|];
                    return Sum(MatMul(x, w));
            """), "BPS0019", Written("Scale(w, 2f)", "w"));
    }

    [Fact]
    public void BPS0018_passing_a_tensor_to_a_method_that_only_reads_it()
    {
        DiagnosticAssert.Reports(Method("return [|First(w)|] + Sum(x);"),
            "BPS0018", "passing a tensor to 'C.First' is not supported" + With + "only the operations of Tensor take tensors in a [Differentiable] method");
    }

    [Fact]
    public void BPS0018_reading_the_span_into_a_local()
    {
        DiagnosticAssert.Reports(Method("""
                    ReadOnlySpan<float> values = [|w.Span|];
                    return Sum(MatMul(x, w)) + values.Length;
            """), "BPS0018",
            "reading 'w.Span' into a local span is not supported" + With + "use the Tensor operations, which work on every element (Sum and Mean reduce to a float)");
    }

    [Fact]
    public void BPS0018_copying_a_tensor_out_to_an_array()
    {
        DiagnosticAssert.Reports(Method("""
                    float[] copy = [|MatMul(x, w).ToArray()|];
                    return Sum(x);
            """), "BPS0018",
            "calling the tensor method 'ToArray' is not supported" + With + "use the static Tensor operations (MatMul, +, Tanh, Sum, …) and x.Reshape(…)");
    }

    [Fact]
    public void Rebinding_a_tensor_parameter_writes_nothing_and_is_differentiated()
    {
        // w = Tanh(w) gives the name a new tensor; the caller's w is not written, and the gradient is the one of the
        // original parameter: d/dw Σ (x · tanh(w)) = (xᵀ · 1) ⊙ (1 − tanh²(w)).
        const string Source = """
            using Backprop.Symbolic;
            using Backprop.Symbolic.Tensors;
            using static Backprop.Symbolic.Tensors.Tensor;
            namespace Rebinding;
            public static partial class Losses
            {
                [Differentiable(nameof(w))]
                public static float F(Tensor x, Tensor w)
                {
                    w = Tanh(w);
                    return Sum(MatMul(x, w));
                }
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(Source);
        Assert.Empty(run.GeneratorDiagnostics);
        System.Type losses = new CompiledProgram(Source).Type("Rebinding.Losses");
        Tensor x = Random(1, -1, 1, 2, 3), w = Random(2, -1, 1, 3, 2);
        float[] before = w.ToArray();
        double[][] adjoints = Matches(losses, "FGradient", new object[] { x, w }, v =>
            Reference.Sum(Reference.MatMul(v[0], Reference.Map(v[1], System.Math.Tanh), 2, 3, 2)));
        Assert.Equal(before, w.ToArray());
        for (int k = 0; k < 3; k++)
        {
            for (int j = 0; j < 2; j++)
            {
                double column = x[0, k] + x[1, k], t = System.Math.Tanh(w[k, j]);
                Assert.Equal(column * (1 - (t * t)), adjoints[0][(k * 2) + j], 4);
            }
        }
    }
}
