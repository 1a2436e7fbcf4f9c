using System.Linq;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Tensors;

/// <summary>The model of a method with tensors is equatable like any other: an unrelated edit leaves its steps cached.</summary>
public sealed class TensorPipelineTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;

        namespace Pipeline;

        public static partial class Networks
        {
            public static int Unrelated(int n)
            {
                return n + 1;
            }

            [Differentiable(nameof(a), nameof(b))]
            public static float Loss(Tensor x, ReadOnlySpan<int> y, Tensor a, Tensor b) => SoftmaxCrossEntropy(Tanh(MatMul(x, a) + b), y);
        }
        """;

    [Fact]
    public void Editing_an_unrelated_method_leaves_the_tensor_method_cached_or_unchanged()
    {
        CSharpCompilation input = GeneratorHarness.CreateCompilation(Source);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            generators: new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: (CSharpParseOptions)input.SyntaxTrees[0].Options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(input);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Single(first.GeneratedSources);
        Assert.Empty(first.Diagnostics);

        SyntaxTree tree = input.SyntaxTrees[0];
        SyntaxTree edited = tree.WithChangedText(tree.GetText().Replace(Source.IndexOf("n + 1", System.StringComparison.Ordinal), 5, "n * 2 + 7"));
        driver = driver.RunGenerators(input.ReplaceSyntaxTree(tree, edited));
        GeneratorRunResult second = driver.GetRunResult().Results.Single();

        foreach (string step in new[] { TrackingNames.Methods, TrackingNames.Models, TrackingNames.Sources })
        {
            var outputs = second.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
        }
        Assert.Equal(first.GeneratedSources[0].SourceText.ToString(), second.GeneratedSources[0].SourceText.ToString());
    }
}
