using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Pipeline;

/// <summary>
/// The pipeline's models hold plain values only (no symbols, syntax, operations, locations or
/// compilations, which would pin old compilations in memory and defeat caching), and compare by value.
/// </summary>
public sealed class ModelPurityTests
{
    private const string ModelNamespace = "Backprop.Symbolic.Generators.Model";

    private static readonly Assembly GeneratorAssembly = typeof(DifferentiableGenerator).Assembly;

    /// <summary>Types no model may hold, directly or through any field, element or type argument.</summary>
    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol),
        typeof(SyntaxNode),
        typeof(SyntaxToken),
        typeof(SyntaxTrivia),
        typeof(IOperation),
        typeof(Compilation),
        typeof(SemanticModel),
        typeof(Location),
        typeof(SyntaxTree),
    };

    private static IReadOnlyList<Type> ModelTypes() => GeneratorAssembly.GetTypes()
        .Where(t => t.Namespace is { } ns && (ns == ModelNamespace || ns.StartsWith(ModelNamespace + ".", StringComparison.Ordinal)))
        .Where(t => !t.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
        .ToList();

    [Fact]
    public void The_model_namespace_is_not_empty()
    {
        var types = ModelTypes();
        Assert.True(types.Count >= 5, $"Expected the model types in {ModelNamespace}, found: {string.Join(", ", types.Select(t => t.Name))}.");
        // The pipeline's own step values are among them.
        Assert.Contains(types, t => t.Name == "MethodModel");
    }

    [Fact]
    public void No_model_type_holds_a_symbol_syntax_operation_location_or_compilation()
    {
        var offences = new List<string>();
        var visited = new HashSet<Type>();
        foreach (Type type in ModelTypes())
        {
            Walk(type, type.FullName!, visited, offences, GeneratorAssembly);
        }
        Assert.True(offences.Count == 0, "Model types must hold only plain values:" + Environment.NewLine + string.Join(Environment.NewLine, offences));
        Assert.True(visited.Count >= ModelTypes().Count, "The walk must have visited every model type.");
    }

    [Fact]
    public void The_purity_check_detects_a_forbidden_field()
    {
        // The same walk, on types that do hold forbidden things, must complain about each.
        foreach (Type bad in new[] { typeof(HoldsSymbol), typeof(HoldsLocationsInArray), typeof(HoldsNodeInBase), typeof(HoldsTreeInTuple), typeof(HoldsOperationInList) })
        {
            var offences = new List<string>();
            Walk(bad, bad.Name, new HashSet<Type>(), offences, typeof(ModelPurityTests).Assembly);
            Assert.True(offences.Count > 0, $"The walk missed the forbidden field of {bad.Name}.");
        }
    }

    [Fact]
    public void Every_model_type_has_value_equality()
    {
        var types = ModelTypes()
            .Where(t => !t.IsEnum && !t.IsInterface && !(t.IsAbstract && t.IsSealed) && !typeof(Delegate).IsAssignableFrom(t))
            .ToList();
        Assert.NotEmpty(types);
        var missing = new List<string>();
        foreach (Type t in types)
        {
            MethodInfo? equals = t.GetMethod("Equals", BindingFlags.Public | BindingFlags.Instance, new[] { typeof(object) });
            if (equals is null || equals.DeclaringType == typeof(object) || equals.DeclaringType == typeof(ValueType))
            {
                missing.Add($"{t.FullName} does not override Equals(object)");
            }
            MethodInfo? hash = t.GetMethod("GetHashCode", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
            if (hash is null || hash.DeclaringType == typeof(object) || hash.DeclaringType == typeof(ValueType))
            {
                missing.Add($"{t.FullName} does not override GetHashCode()");
            }
        }
        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));

        // Records, in particular, are the bulk of the model.
        Assert.Contains(types, IsRecord);
    }

    [Fact]
    public void Generating_the_same_source_twice_yields_equal_models()
    {
        const string source = """
            using System;
            using Backprop.Symbolic;

            namespace Purity;

            public static partial class Functions
            {
                [Differentiable]
                public static double Smooth(double x, double y)
                {
                    double s = Math.Sin(x) * y;
                    if (s > 0.5)
                    {
                        s = s * s;
                    }
                    return Math.Exp(s) + Helper(x);
                }

                [Differentiable]
                public static double Helper(double x) => Math.Tanh(x) * 2.0;

                [Differentiable]
                public static float Single(float a, int n)
                {
                    float t = a;
                    t += n > 0 ? MathF.Cos(a) : a * a;
                    return t;
                }
            }
            """;

        GeneratorRun first = GeneratorHarness.Run(source);
        GeneratorRun second = GeneratorHarness.Run(source);
        Assert.Empty(first.GeneratorDiagnostics);
        Assert.NotSame(first.InputCompilation, second.InputCompilation);

        foreach (string step in IncrementalPipelineTests.AllTrackingNames)
        {
            var a = Values(first, step);
            var b = Values(second, step);
            Assert.Equal(a.Count, b.Count);
            for (int i = 0; i < a.Count; i++)
            {
                Assert.True(a[i].Equals(b[i]), $"Step '{step}', output {i}: the two runs' values differ:{Environment.NewLine}{a[i]}{Environment.NewLine}{b[i]}");
                Assert.Equal(a[i].GetHashCode(), b[i].GetHashCode());
            }
        }

        // Three methods, each with a model that went through the pipeline.
        var models = Values(first, TrackingNames.Models);
        Assert.Equal(3, models.Count);
        // Separate runs built separate objects, so the equality above is value equality.
        var secondModels = Values(second, TrackingNames.Models);
        Assert.All(models.Zip(secondModels), pair => Assert.False(ReferenceEquals(pair.First, pair.Second)));
        // And the values themselves hold nothing forbidden at run time either.
        foreach (string step in IncrementalPipelineTests.AllTrackingNames)
        {
            foreach (object value in Values(first, step))
            {
                var offences = new List<string>();
                WalkValue(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance), offences, depth: 0);
                Assert.True(offences.Count == 0, string.Join(Environment.NewLine, offences));
            }
        }
    }

    [Fact]
    public void Different_sources_yield_different_models()
    {
        // Equality must not be vacuous (for example, every model equal to every other).
        var a = Values(GeneratorHarness.Run(Wrap("return x * x;")), TrackingNames.Models);
        var b = Values(GeneratorHarness.Run(Wrap("return x * x * x;")), TrackingNames.Models);
        Assert.Single(a);
        Assert.Single(b);
        Assert.False(a[0].Equals(b[0]), "Models of different bodies compare equal.");

        static string Wrap(string body) => $$"""
            using Backprop.Symbolic;
            public static partial class F
            {
                [Differentiable]
                public static double M(double x)
                {
                    {{body}}
                }
            }
            """;
    }

    // ------------------------------------------------------------------ helpers

    private static List<object> Values(GeneratorRun run, string step) =>
        run.RunResult.Results[0].TrackedSteps.TryGetValue(step, out var steps)
            ? steps.SelectMany(s => s.Outputs).Select(o => o.Value).ToList()
            : new List<object>();

    private static bool IsRecord(Type t) =>
        t.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null
        || t.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null
        || t.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null;

    /// <summary>Checks <paramref name="type"/>, its fields (of it and its bases), their element types and type arguments.</summary>
    private static void Walk(Type type, string path, HashSet<Type> visited, List<string> offences, Assembly owner)
    {
        if (type.IsGenericParameter || !visited.Add(type))
        {
            return;
        }
        if (Forbidden.FirstOrDefault(f => f.IsAssignableFrom(type)) is { } forbidden)
        {
            offences.Add($"{path}: type {Name(type)} is or derives from {forbidden.Name}");
            return;
        }
        if (type.HasElementType)
        {
            Walk(type.GetElementType()!, path + "[]", visited, offences, owner);
        }
        if (type.IsGenericType)
        {
            foreach (Type argument in type.GetGenericArguments())
            {
                Walk(argument, $"{path}<{Name(argument)}>", visited, offences, owner);
            }
        }
        // Fields are walked for the owner's types (the model and anything of the generator it
        // references), and for value tuples, which carry data in public fields.
        bool walkFields = type.Assembly == owner || (type.IsGenericType && type.Namespace == "System" && type.Name.StartsWith("ValueTuple", StringComparison.Ordinal));
        if (!walkFields)
        {
            return;
        }
        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                string fieldPath = $"{Name(type)}.{field.Name}";
                if (Forbidden.FirstOrDefault(f => f.IsAssignableFrom(field.FieldType)) is { } bad)
                {
                    offences.Add($"{fieldPath} (in {path}): field of type {Name(field.FieldType)}, which is or derives from {bad.Name}");
                    continue;
                }
                Walk(field.FieldType, fieldPath, visited, offences, owner);
            }
        }
    }

    /// <summary>Checks the objects actually held by a step value.</summary>
    private static void WalkValue(object? value, string path, HashSet<object> seen, List<string> offences, int depth)
    {
        if (value is null || depth > 64 || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }
        if (!value.GetType().IsValueType && !seen.Add(value))
        {
            return;
        }
        if (Forbidden.FirstOrDefault(f => f.IsInstanceOfType(value)) is { } forbidden)
        {
            offences.Add($"{path}: holds a {value.GetType().Name}, which is a {forbidden.Name}");
            return;
        }
        if (value is IEnumerable sequence && value.GetType().Assembly != GeneratorAssembly)
        {
            int i = 0;
            foreach (object? item in sequence)
            {
                WalkValue(item, $"{path}[{i++}]", seen, offences, depth + 1);
            }
            return;
        }
        for (Type? t = value.GetType(); t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                WalkValue(field.GetValue(value), $"{path}.{field.Name}", seen, offences, depth + 1);
            }
        }
    }

    private static string Name(Type t) => t.IsGenericType
        ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(Name))}>"
        : t.Name;

    // Types that break the rule, to show the walk finds each kind of hiding place.
    private sealed record HoldsSymbol(string Name, IMethodSymbol Method);

    private sealed record HoldsLocationsInArray(Location[] Locations);

    private abstract record NodeBase(SyntaxNode Node);

    private sealed record HoldsNodeInBase(int Id) : NodeBase((SyntaxNode)null!);

    private sealed record HoldsTreeInTuple((int Index, SyntaxTree Tree) Pair);

    private sealed record HoldsOperationInList(List<IOperation> Operations);
}
