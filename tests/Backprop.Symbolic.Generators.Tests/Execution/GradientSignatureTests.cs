using System;
using System.CodeDom.Compiler;
using System.Linq;
using System.Reflection;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// The documented shape of a generated gradient: <c>{Name}Gradient</c> in the same type with the same accessibility,
/// the original parameters followed by one <c>out</c> adjoint per differentiable parameter named <c>d</c> + Name,
/// returning the primal value; plus the file's hint name and header.
/// </summary>
public sealed class GradientSignatureTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Signatures;

        public static partial class Api
        {
            [Differentiable] public static double Loss(double x, double weights) => x * weights;
            [Differentiable] internal static double Layer(double W1, double bias) => W1 + bias;
            [Differentiable] private static double Hidden(double x) => x * x;
            [Differentiable] public static float Mixed(float x, int n, bool flag, float y) => flag ? x * n : y;
            [Differentiable(nameof(b))] public static double Restricted(double a, double b) => a * b;
            [Differentiable] public static double Single(double _underscore) => _underscore * 2;

            public static double CallHidden(double x, out double dX) => HiddenGradient(x, out dX);
        }

        public partial class Access
        {
            [Differentiable] protected static double Protected(double x) => x;
            [Differentiable] protected internal static double ProtectedInternal(double x) => x;
            [Differentiable] private protected static double PrivateProtected(double x) => x;
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static MethodInfo Method(string type, string name) =>
        Code.Type("Signatures." + type).GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        ?? throw new Xunit.Sdk.XunitException($"Signatures.{type} has no method {name}.{Environment.NewLine}{Code.DescribeGeneratedCode()}");

    private static string Describe(ParameterInfo p) =>
        (p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : "") + (p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType).Name + " " + p.Name;

    private static string Signature(MethodInfo method) =>
        $"{method.ReturnType.Name} {method.Name}({string.Join(", ", method.GetParameters().Select(Describe))})";

    [Theory]
    [InlineData("Loss", "Double LossGradient(Double x, Double weights, out Double dX, out Double dWeights)")]
    [InlineData("Layer", "Double LayerGradient(Double W1, Double bias, out Double dW1, out Double dBias)")]
    [InlineData("Hidden", "Double HiddenGradient(Double x, out Double dX)")]
    [InlineData("Mixed", "Single MixedGradient(Single x, Int32 n, Boolean flag, Single y, out Single dX, out Single dY)")]
    [InlineData("Restricted", "Double RestrictedGradient(Double a, Double b, out Double dB)")]
    [InlineData("Single", "Double SingleGradient(Double _underscore, out Double d_underscore)")]
    public void Gradient_has_the_documented_signature(string method, string expected)
    {
        MethodInfo gradient = Method("Api", method + "Gradient");
        Assert.Equal(expected, Signature(gradient));
        Assert.True(gradient.IsStatic);
    }

    [Theory]
    [InlineData("Api", "Loss")]
    [InlineData("Api", "Layer")]
    [InlineData("Api", "Hidden")]
    [InlineData("Access", "Protected")]
    [InlineData("Access", "ProtectedInternal")]
    [InlineData("Access", "PrivateProtected")]
    public void Gradient_has_the_accessibility_of_the_method(string type, string method)
    {
        MethodInfo primal = Method(type, method);
        MethodInfo gradient = Method(type, method + "Gradient");
        Assert.Equal(primal.Attributes & MethodAttributes.MemberAccessMask, gradient.Attributes & MethodAttributes.MemberAccessMask);
    }

    [Fact]
    public void Internal_method_gets_an_internal_gradient()
    {
        MethodInfo gradient = Method("Api", "LayerGradient");
        Assert.True(gradient.IsAssembly, "LayerGradient should be internal");
    }

    [Fact]
    public void Private_gradient_is_callable_from_the_type()
    {
        double value = (double)Invoke.Call(Code.Type("Signatures.Api"), "Hidden", 3.0)!;
        MethodInfo call = Method("Api", "CallHidden");
        object[] args = [3.0, 0.0];
        Assert.Equal(value, (double)call.Invoke(null, args)!);
        Assert.Equal(6.0, (double)args[1]);
    }

    [Fact]
    public void Gradient_is_marked_as_generated_code()
    {
        GeneratedCodeAttribute? attribute = Method("Api", "LossGradient").GetCustomAttribute<GeneratedCodeAttribute>();
        Assert.NotNull(attribute);
        Assert.Equal("Backprop.Symbolic.Generators", attribute!.Tool);
        Assert.False(string.IsNullOrWhiteSpace(attribute.Version));
    }

    [Fact]
    public void Calling_the_gradient_again_gives_the_same_results()
    {
        Type api = Code.Type("Signatures.Api");
        var first = Invoke.Gradient(api, "Loss", 1.5, -2.0);
        var other = Invoke.Gradient(api, "Loss", 7.0, 3.0);
        var second = Invoke.Gradient(api, "Loss", 1.5, -2.0);
        Assert.Equal(first.Value, second.Value);
        Assert.Equal(first.Gradient, second.Gradient);
        Assert.Equal([-2.0, 1.5], second.Gradient);
        Assert.Equal([3.0, 7.0], other.Gradient);
    }

    [Fact]
    public void Hint_name_is_namespace_type_method()
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        string[] hintNames = run.GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(
            [
                "Signatures.Access.PrivateProtected.g.cs",
                "Signatures.Access.Protected.g.cs",
                "Signatures.Access.ProtectedInternal.g.cs",
                "Signatures.Api.Hidden.g.cs",
                "Signatures.Api.Layer.g.cs",
                "Signatures.Api.Loss.g.cs",
                "Signatures.Api.Mixed.g.cs",
                "Signatures.Api.Restricted.g.cs",
                "Signatures.Api.Single.g.cs",
            ],
            hintNames);
    }

    [Fact]
    public void Hint_names_of_nested_and_generic_types_are_distinct()
    {
        const string source = """
            using Backprop.Symbolic;
            namespace Hints;
            public partial class Outer
            {
                public partial class Inner { [Differentiable] public static double F(double x) => x; }
                [Differentiable] public static double F(double x) => x;
            }
            public partial class Outer<T>
            {
                [Differentiable] public static double F(double x) => x;
            }
            public partial class Outer<T1, T2>
            {
                [Differentiable] public static double F(double x) => x;
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        string[] hintNames = run.GeneratedSources.Select(s => s.HintName).ToArray();
        Assert.Equal(4, hintNames.Length);
        Assert.Equal(4, hintNames.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(hintNames, name =>
        {
            Assert.StartsWith("Hints.Outer", name);
            Assert.EndsWith(".F.g.cs", name);
        });
    }

    [Fact]
    public void Generated_file_has_the_auto_generated_header_and_nullable_context()
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        string text = run.GeneratedSource("Signatures.Api.Loss.g.cs");
        Assert.StartsWith("// <auto-generated/>", text);
        Assert.Contains("#nullable enable", text);
    }

    [Fact]
    public void Generated_code_compiles_without_warnings()
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        var generatedTrees = run.OutputCompilation.SyntaxTrees.Except(run.InputCompilation.SyntaxTrees).ToHashSet();
        var warnings = run.OutputCompilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree))
            .Select(d => d.ToString())
            .ToArray();
        Assert.True(warnings.Length == 0, string.Join(Environment.NewLine, warnings) + Environment.NewLine + GeneratorHarness.Describe(run));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp12)]
    [InlineData(LanguageVersion.Latest)]
    [InlineData(LanguageVersion.Preview)]
    public void Generated_code_compiles_for_each_supported_language_version(LanguageVersion version)
    {
        Assembly assembly = GeneratorHarness.CompileAndLoad(Source, version);
        var (value, gradient) = Invoke.Gradient(assembly.GetType("Signatures.Api", throwOnError: true)!, "Loss", 2.0, 3.0);
        Assert.Equal(6.0, value);
        Assert.Equal([3.0, 2.0], gradient);
    }
}
