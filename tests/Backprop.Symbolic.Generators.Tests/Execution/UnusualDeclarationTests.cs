using System;
using System.Linq;
using System.Reflection;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// Less common but valid declarations: static methods of interfaces, record structs, readonly structs and classes with a
/// primary constructor; implicit private accessibility; parameter names that are keywords or start with d.
/// </summary>
public sealed class UnusualDeclarationTests
{
    private const string Source = """
        using Backprop.Symbolic;

        namespace Unusual;

        public partial interface IShape
        {
            [Differentiable] static double Area(double w, double h) => w * h;
        }

        public partial record struct Pair
        {
            [Differentiable] public static double Sum(double a, double b) => a + 2 * b;
        }

        public readonly partial struct Frozen
        {
            [Differentiable] public static double Half(double x) => x / 2;
        }

        public partial class WithPrimaryConstructor(int seed)
        {
            public int Seed => seed;
            [Differentiable] public static double Shift(double x) => x + 1;
        }

        public static partial class Names
        {
            [Differentiable] static double ImplicitlyPrivate(double x) => x * x;
            [Differentiable] public static double Keywords(double @default, double @in) => @default * @in;
            [Differentiable] public static double StartsWithD(double dX, double d) => dX * d;
            [Differentiable] public static double UpperCase(double X, double Rate) => X * Rate;

            public static double CallImplicitlyPrivate(double x, out double dX) => ImplicitlyPrivateGradient(x, out dX);
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string type, string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("Unusual." + type), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    private static string[] AdjointNames(string type, string method) =>
        Code.Type("Unusual." + type).GetMethod(method + "Gradient", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!
            .GetParameters().Where(p => p.IsOut).Select(p => p.Name!).ToArray();

    [Fact]
    public void Static_method_of_an_interface() => Check("IShape", "Area", [1.5, -2.0], -2.0, 1.5);

    [Fact]
    public void Record_struct() => Check("Pair", "Sum", [1.5, -2.0], 1.0, 2.0);

    [Fact]
    public void Readonly_struct() => Check("Frozen", "Half", [1.5], 0.5);

    [Fact]
    public void Class_with_a_primary_constructor() => Check("WithPrimaryConstructor", "Shift", [1.5], 1.0);

    [Fact]
    public void Implicitly_private_method_gets_a_private_gradient()
    {
        MethodInfo gradient = Code.Type("Unusual.Names").GetMethod("ImplicitlyPrivateGradient", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new Xunit.Sdk.XunitException("ImplicitlyPrivateGradient is missing or not private." + Environment.NewLine + Code.DescribeGeneratedCode());
        Assert.True(gradient.IsPrivate);
        Check("Names", "ImplicitlyPrivate", [1.5], 3.0);
    }

    [Fact]
    public void Keyword_parameter_names()
    {
        Assert.Equal(["dDefault", "dIn"], AdjointNames("Names", "Keywords"));
        Check("Names", "Keywords", [1.5, -2.0], -2.0, 1.5);
    }

    [Fact]
    public void Parameter_names_starting_with_d()
    {
        Assert.Equal(["dDX", "dD"], AdjointNames("Names", "StartsWithD"));
        Check("Names", "StartsWithD", [1.5, -2.0], -2.0, 1.5);
    }

    [Fact]
    public void Upper_case_parameter_names()
    {
        Assert.Equal(["dX", "dRate"], AdjointNames("Names", "UpperCase"));
        Check("Names", "UpperCase", [1.5, -2.0], -2.0, 1.5);
    }
}
