using System;
using System.IO;
using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>
/// BPS0023: shapes known when the code is compiled (constant reshapes, <c>Zeros(2, 3)</c>, and what the operations
/// derive from them, ranks included) that break an operation's rule, each with its exact message and span; and valid
/// code, the repository's samples and layers among it, with nothing reported.
/// </summary>
public sealed class TensorShapeDiagnosticTests
{
    private static string Method(string body, string parameters = "Tensor x, Tensor w, Tensor b") => """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;
        namespace N;
        public static partial class C
        {
            [Differentiable]
            public static float Other(Tensor x) => Sum(Tanh(x));

            [Differentiable]
            public static float F(
        """ + parameters + """
        )
            {
        """ + body + """

            }
        }
        """;

    private const string Throws = ": with these shapes, known when the code is compiled, the operation would throw at run time; ";

    private static void Reports(string body, string message, params string[] otherIds)
    {
        GeneratorRun run = DiagnosticAssert.Reports(Method(body), "BPS0023", message, otherIds);
        DiagnosticAssert.NoGradient(run, "F");
        DiagnosticAssert.HasGradient(run, "Other");
    }

    private static void ReportsNothing(string body, string parameters = "Tensor x, Tensor w, Tensor b")
    {
        GeneratorRun run = GeneratorHarness.Run(Method(body, parameters));
        Assert.True(run.CompilationErrors.IsEmpty, GeneratorHarness.Describe(run));
        Assert.Empty(run.GeneratorDiagnostics);
        DiagnosticAssert.HasGradient(run, "F");
    }

    [Fact]
    public void MatMul_inner_dimensions_differ()
    {
        Reports("return Sum([|MatMul(x.Reshape(2, 3), w.Reshape(4, 5))|]);",
            "MatMul: shapes [2, 3] and [4, 5] do not match (the columns of the first must equal the rows of the second)" + Throws
            + "check the order of the operands and their shapes: the first's columns must equal the second's rows");
    }

    [Fact]
    public void MatMul_with_a_partly_known_shape_through_locals()
    {
        Reports("""
                    Tensor rows = x.Reshape(-1, 6);
                    Tensor h = Tanh(rows * 2f + b);
                    return Sum([|MatMul(h, w.Reshape(4, -1))|]);
            """,
            "MatMul: shapes [?, 6] and [4, ?] do not match (the columns of the first must equal the rows of the second)" + Throws
            + "check the order of the operands and their shapes: the first's columns must equal the second's rows");
    }

    [Fact]
    public void MatMul_of_a_vector()
    {
        Reports("return Sum([|MatMul(x.Reshape(-1), w)|]);",
            "MatMul: shapes [?] and […] do not match (both must be matrices (rank 2))" + Throws
            + "multiply matrices [m, k]·[k, n]; reshape or flatten the operands to rank 2 first");
    }

    [Fact]
    public void Elementwise_shapes_differ_through_a_product()
    {
        Reports("return Sum([|MatMul(x, w.Reshape(3, 4)) + b.Reshape(3)|]);",
            "operator +: shapes [?, 4] and [3] do not match (the shapes must be equal, or one must be a row vector [n] over the other's last dimension n)" + Throws
            + "give both operands the same shape, or make one a row vector [n] as long as the other's last dimension");
    }

    [Fact]
    public void Elementwise_of_created_tensors()
    {
        Reports("return Sum([|Zeros(2, 3) * x.Reshape(3, 2)|]);",
            "operator *: shapes [2, 3] and [3, 2] do not match (the shapes must be equal, or one must be a row vector [n] over the other's last dimension n)" + Throws
            + "give both operands the same shape, or make one a row vector [n] as long as the other's last dimension",
            "BPS0018");
    }

    [Fact]
    public void Compound_assignment_of_tensors()
    {
        Reports("""
                    Tensor h = x.Reshape(2, 3);
                    [|h -= w.Reshape(2, 2)|];
                    return Sum(h);
            """,
            "operator -: shapes [2, 3] and [2, 2] do not match (the shapes must be equal, or one must be a row vector [n] over the other's last dimension n)" + Throws
            + "give both operands the same shape, or make one a row vector [n] as long as the other's last dimension");
    }

    [Fact]
    public void Reshape_to_another_number_of_elements()
    {
        Reports("return Sum([|x.Reshape(2, 3).Reshape(4, 2)|]);",
            "Cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)" + Throws
            + "give a shape with the same number of elements, or one dimension -1 to infer it");
    }

    [Fact]
    public void Reshape_where_no_whole_size_fits_the_inferred_dimension()
    {
        Reports("return Sum([|x.Reshape(2, 3).Reshape(4, -1)|]);",
            "Cannot reshape [2, 3] (6 elements) to [4, -1]: no whole size fits the -1" + Throws
            + "give a shape with the same number of elements, or one dimension -1 to infer it");
    }

    [Fact]
    public void Reshape_with_two_inferred_dimensions()
    {
        Reports("return Sum([|x.Reshape(-1, -1)|]);",
            "Cannot reshape the tensor to [-1, -1]: only one dimension may be -1" + Throws
            + "give a shape with the same number of elements, or one dimension -1 to infer it");
    }

    [Fact]
    public void Sum_along_an_axis_the_rank_does_not_have()
    {
        Reports("return Sum([|Sum(MatMul(x, w), 2)|]);",
            "Sum: a tensor of shape [?, ?] has no axis 2 (axes are 0 to 1)" + Throws + "use an axis from 0 to 1");
    }

    [Fact]
    public void Mean_along_a_negative_axis()
    {
        Reports("return Sum([|Mean(x.Reshape(-1, 4, 2), -1)|]);",
            "Mean: a tensor of shape [?, 4, 2] has no axis -1 (axes are 0 to 2)" + Throws + "use an axis from 0 to 2");
    }

    [Fact]
    public void Concat_of_sizes_that_differ_off_the_axis()
    {
        Reports("return Sum([|Concat(1, x.Reshape(2, 3), w.Reshape(3, 3))|]);",
            "Concat: shapes [2, 3] and [3, 3] do not match (the ranks must be equal and the sizes equal on every axis but 1)" + Throws
            + "concatenate tensors of the same rank whose sizes differ only along the axis");
    }

    [Fact]
    public void Concat_along_an_axis_the_rank_does_not_have()
    {
        Reports("return Sum([|Concat(2, MatMul(x, w), b)|]);",
            "Concat: a tensor of shape [?, ?] has no axis 2 (axes are 0 to 1)" + Throws + "use an axis from 0 to 1");
    }

    [Fact]
    public void Chunk_of_a_dimension_that_does_not_divide()
    {
        Reports("return Sum([|Chunk(x.Reshape(-1, 10), 4, 0)|]);",
            "Chunk: the last dimension of shape [?, 10] is not a multiple of 4" + Throws + "make the last dimension a multiple of the number of chunks");
    }

    [Fact]
    public void Chunk_that_does_not_exist()
    {
        Reports("return Sum([|Chunk(x, 2, 2)|]);",
            "Chunk: chunk 2 does not exist (chunks are 0 to 1)" + Throws + "take a chunk from 0 to 1");
    }

    [Fact]
    public void TimeStep_of_a_vector()
    {
        Reports("return Sum([|TimeStep(x.Reshape(-1), 0)|]);",
            "TimeStep: the sequence must be time-major with rank 2 to 4 ([T, B, F] or [T, F]), but has shape [?]" + Throws
            + "pass a sequence [T, B, F] (time steps first)");
    }

    [Fact]
    public void TimeStep_past_the_last_step()
    {
        Reports("return Sum([|TimeStep(x.Reshape(3, 2, 4), 3)|]);",
            "TimeStep: step 3 is outside the sequence of shape [3, 2, 4] (steps 0 to 2)" + Throws + "read a step from 0 to 2");
    }

    [Fact]
    public void Conv2D_channels_differ()
    {
        Reports("return Sum([|Conv2D(x.Reshape(-1, 3, 8, 8), w.Reshape(4, 2, 3, 3))|]);",
            "Conv2D: shapes [?, 3, 8, 8] and [4, 2, 3, 3] do not match (the input's channels (3) must equal the kernel's second dimension (2))" + Throws
            + "give the kernel as many input channels as the images have");
    }

    [Fact]
    public void Conv2D_of_a_matrix()
    {
        Reports("return Sum([|Conv2D(MatMul(x, w), b, 1, 0)|]);",
            "Conv2D: shapes [?, ?] and […] do not match (the input must be [N, C, H, W] and the kernel [K, C, kh, kw], both rank 4)" + Throws
            + "pass images [N, C, H, W] and filters [K, C, kh, kw]; reshape them to rank 4 first");
    }

    [Fact]
    public void Conv2D_bias_of_the_wrong_length()
    {
        Reports("return Sum([|Conv2D(x, w.Reshape(4, 1, 3, 3), b.Reshape(5), 1, 1)|]);",
            "Conv2D: shapes [5] and [4, 1, 3, 3] do not match (the bias must be a vector [K] = [4], one number per filter of the kernel)" + Throws
            + "give one bias per filter of the kernel");
    }

    [Fact]
    public void Conv2D_window_larger_than_the_image()
    {
        Reports("return Sum([|Conv2D(x.Reshape(-1, 1, 4, 4), w.Reshape(2, 1, 5, 5))|]);",
            "Conv2D: shapes [?, 1, 4, 4] and [2, 1, 5, 5] do not match (the kernel's window (5 × 5) must be at least 1 × 1 and fit in the padded image (4 × 4))" + Throws
            + "use a smaller kernel, or pad the images");
    }

    [Fact]
    public void Pooling_of_a_convolution_output_too_small_for_the_window()
    {
        // [?, 1, 6, 6] with a 3 × 3 kernel gives 4 × 4 images: a 5 × 5 window does not fit.
        Reports("return Sum([|MaxPool2D(Conv2D(x.Reshape(-1, 1, 6, 6), w.Reshape(2, 1, 3, 3)), 5)|]);",
            "MaxPool2D: a 5 × 5 window does not fit in an image of 4 × 4 (input shape [?, 2, 4, 4])" + Throws + "use a window no larger than the image");
    }

    [Fact]
    public void Pooling_of_a_matrix()
    {
        Reports("return Sum([|AvgPool2D(MatMul(x, w), 2)|]);",
            "AvgPool2D: the input must be [N, C, H, W] (rank 4), but its shape is [?, ?]" + Throws + "pool images [N, C, H, W]; reshape to rank 4 first");
    }

    [Fact]
    public void Flatten_of_a_vector()
    {
        Reports("return Sum([|Flatten(Sum(MatMul(x, w), 0))|]);",
            "Flatten: the input must have a batch dimension and at least one more (rank 2 to 4), but its shape is [?]" + Throws
            + "flatten a batch [N, …]; a vector is flat already");
    }

    [Fact]
    public void Gather_from_a_vector()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Method("return Sum([|Gather(x.Reshape(-1), rows)|]);", "Tensor x, ReadOnlySpan<int> rows"),
            "BPS0023",
            "Gather: the table must be a matrix [rows, width], but has shape [?]" + Throws + "gather rows of a matrix; reshape the table to [rows, width] first");
        DiagnosticAssert.NoGradient(run, "F");
    }

    [Fact]
    public void Mean_squared_error_of_different_shapes()
    {
        Reports("return [|MeanSquaredError(Flatten(x.Reshape(-1, 2, 3)), w.Reshape(-1, 5))|];",
            "MeanSquaredError: shapes [?, 6] and [?, 5] do not match (the shapes must be equal)" + Throws + "compare a prediction with a target of the same shape");
    }

    [Fact]
    public void Each_mismatch_is_reported_once_and_what_follows_it_is_not_known()
    {
        // The product's result is not known after its own mismatch, so the sum of it reports nothing more.
        GeneratorRun run = GeneratorHarness.Run(Method("""
                    Tensor p = MatMul(x.Reshape(2, 3), w.Reshape(2, 3));
                    Tensor q = p + b.Reshape(7, 7);
                    return Sum(q) + Sum(Sum(b.Reshape(2, 2), 3));
            """));
        Assert.Equal(new[] { "BPS0023", "BPS0023" }, run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.StartsWith("MatMul: shapes [2, 3] and [2, 3]", run.GeneratorDiagnostics[0].GetMessage());
        Assert.StartsWith("Sum: a tensor of shape [2, 2] has no axis 3", run.GeneratorDiagnostics[1].GetMessage());
    }

    [Fact]
    public void Valid_broadcasts_reshapes_and_reductions_report_nothing()
    {
        ReportsNothing("""
                    Tensor rows = x.Reshape(-1, 6);
                    Tensor h = Tanh(MatMul(rows, w.Reshape(6, 4)) + b.Reshape(4));
                    Tensor g = b.Reshape(4) * h - h / 2f;
                    Tensor both = Concat(1, h, g);
                    Tensor half = Chunk(both, 2, 1) + Sum(both.Reshape(-1, 2, 4), 1);
                    return Sum(Softmax(half)) + Mean(Mean(half, 1)) + Sum(half.Reshape(-1, 2, 2).Reshape(-1));
            """);
    }

    [Fact]
    public void Unknown_dimensions_report_nothing()
    {
        // Nothing is known of x, w and b: every rule could hold.
        ReportsNothing("""
                    Tensor h = MatMul(x, w) + b;
                    Tensor seq = x.Reshape(n, -1, 4);
                    return Sum(h) + Sum(Sum(TimeStep(seq, n - 1), 1)) + Sum(Chunk(h, n, 0)) + Sum(MatMul(h, x.Reshape(n, m)));
            """, "Tensor x, Tensor w, Tensor b, int n, int m");
    }

    [Fact]
    public void A_state_reassigned_in_a_loop_is_not_known_in_the_loop_or_after_it()
    {
        // h starts as [?, 6], and each step may change its shape: nothing is reported about it.
        ReportsNothing("""
                    Tensor h = x.Reshape(-1, 6);
                    for (int t = 0; t < n; t++)
                    {
                        h = Tanh(MatMul(h, w));
                    }
                    return Sum(MatMul(h, b.Reshape(5, 5)));
            """, "Tensor x, Tensor w, Tensor b, int n");
    }

    [Fact]
    public void Convolutional_layers_with_fitting_shapes_report_nothing()
    {
        ReportsNothing("""
                    Tensor images = x.Reshape(-1, 1, 8, 8);
                    Tensor c = Relu(Conv2D(images, w.Reshape(4, 1, 3, 3), b.Reshape(4), 1, 1));
                    Tensor p = AvgPool2D(MaxPool2D(c, 2), 2, 2);
                    return Sum(MatMul(Flatten(p), w.Reshape(-1, 2).Reshape(2, 8).Reshape(16, 1)));
            """);
    }

    /// <summary>Every [Differentiable] method of the samples and of the runtime's layers: no diagnostic at all.</summary>
    [Theory]
    [InlineData("samples/Digits/DigitsNetwork.cs")]
    [InlineData("samples/DigitsConv/ConvNetwork.cs")]
    [InlineData("samples/SequenceDigits/SequenceNetwork.cs")]
    [InlineData("samples/Sentences/SentenceNetwork.cs")]
    [InlineData("samples/VanishingGradients/Layers.cs")]
    [InlineData("src/Backprop.Symbolic/Layers/Recurrent.cs")]
    public void Repository_networks_report_nothing(string path)
    {
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), path));
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.True(run.RunResult.Results.Single().Exception is null, GeneratorHarness.Describe(run));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.NotEmpty(run.RunResult.GeneratedTrees);
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Backprop.Symbolic.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (holding Backprop.Symbolic.sln) was not found above " + AppContext.BaseDirectory);
    }
}
