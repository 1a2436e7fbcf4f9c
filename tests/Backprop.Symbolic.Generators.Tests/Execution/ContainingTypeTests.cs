using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// [Differentiable] methods in nested partial types, generic containing types, structs, records, the global namespace
/// and block-scoped namespaces.
/// </summary>
public sealed class ContainingTypeTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        public static partial class GlobalType
        {
            [Differentiable] public static double F(double x) => x * x + x;
        }

        namespace Outer.Space
        {
            public static partial class Container
            {
                public static partial class Inner
                {
                    [Differentiable] public static double Cube(double x) => x * x * x;

                    internal partial class Deeper
                    {
                        [Differentiable] internal static double Ratio(double x, double y) => x / y;
                    }
                }
            }

            public partial class Generic<T>
            {
                [Differentiable] public static double Quadratic(double x) => x * x + 1;
            }

            public partial class Constrained<TKey, TValue> where TKey : struct where TValue : class
            {
                public partial class Nested<TOther>
                {
                    [Differentiable]
                    public static double Product(double x, double y)
                    {
                        double p = x * y;
                        return p * x;
                    }
                }
            }

            public partial struct Point
            {
                [Differentiable] public static double Norm(double x, double y) => Math.Sqrt(x * x + y * y);
            }

            public partial record Shape
            {
                [Differentiable] public static float Area(float w, float h) => w * h;
            }

            public partial class Instance
            {
                public double State;
                [Differentiable] public static double Scaled(double x) => 4 * x;
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(Type type, string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(type, method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Fact]
    public void Type_in_the_global_namespace() => Check(Code.Type("GlobalType"), "F", [1.5], 4.0);

    [Fact]
    public void Nested_partial_types() => Check(Code.Type("Outer.Space.Container+Inner"), "Cube", [1.5], 6.75);

    [Fact]
    public void Doubly_nested_internal_type() =>
        Check(Code.Type("Outer.Space.Container+Inner+Deeper"), "Ratio", [1.5, -2.0], -0.5, -0.375);

    [Theory]
    [InlineData(typeof(int))]
    [InlineData(typeof(string))]
    public void Generic_containing_type(Type argument) =>
        Check(Code.Type("Outer.Space.Generic`1").MakeGenericType(argument), "Quadratic", [1.5], 3.0);

    [Fact]
    public void Constrained_generic_containing_types() =>
        // x²y
        Check(Code.Type("Outer.Space.Constrained`2+Nested`1").MakeGenericType(typeof(int), typeof(string), typeof(double)),
            "Product", [1.5, -2.0], -6.0, 2.25);

    [Fact]
    public void Struct() => Check(Code.Type("Outer.Space.Point"), "Norm", [3.0, 4.0], 0.6, 0.8);

    [Fact]
    public void Record() => Check(Code.Type("Outer.Space.Shape"), "Area", [1.5f, -2.0f], -2.0, 1.5);

    [Fact]
    public void Non_static_class() => Check(Code.Type("Outer.Space.Instance"), "Scaled", [1.5], 4.0);
}
