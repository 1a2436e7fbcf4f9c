using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// Calls from a [Differentiable] method: to other [Differentiable] methods of the same type and of other partial types,
/// recursive and mutually recursive calls, calls to restricted callees with passive arguments, and calls to
/// ordinary methods whose arguments are all passive.
/// </summary>
public sealed class CallTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Calls
        {
            public static partial class Library
            {
                [Differentiable] public static double Square(double x) => x * x;
                [Differentiable] public static double Multiply(double a, double b) => a * b;
                [Differentiable(nameof(x))] public static double ScaleBy(double x, double factor) => x * factor;
                [Differentiable] public static double Repeat(double x, int n) => n * x;
                [Differentiable] public static float SquareF(float x) => x * x;

                // x^n by repeated multiplication, recursing on the int exponent.
                [Differentiable] public static double Power(double x, int n) => n == 0 ? 1.0 : x * Power(x, n - 1);

                // x^n by repeated squaring, with a block body and early returns.
                [Differentiable]
                public static double FastPower(double x, int n)
                {
                    if (n == 0)
                    {
                        return 1.0;
                    }
                    if (n % 2 == 0)
                    {
                        double half = FastPower(x, n / 2);
                        return half * half;
                    }
                    return x * FastPower(x, n - 1);
                }

                public static double Half(int n) => n * 0.5;
                public static double Constant() => 1.5;
            }

            public static partial class Model
            {
                [Differentiable] public static double UsesLibrary(double x, double y) => Library.Square(x) + 2 * Library.Multiply(x, y);
                [Differentiable] public static double NestedCalls(double x) => Library.Square(Library.Square(x) + 1);
                [Differentiable] public static double SameTypeCall(double x, double y) => Local(x * y) * 2;
                [Differentiable] public static double Local(double u) => Math.Sin(u) + u;
                [Differentiable] public static double PassiveArgumentToRestrictedCallee(double x) => Library.ScaleBy(x * x, 3.0);
                [Differentiable] public static double IntArgument(double x, int n) => Library.Repeat(x, n + 1);
                [Differentiable] public static double CallsPower(double x) => Library.Power(x, 3) + Library.FastPower(x, 5);
                [Differentiable] public static double PassiveCalls(double x, int n) => x * Library.Half(n) + Library.Constant() * x + Math.Sqrt(n);
                [Differentiable] public static double PassiveCallOnConstant(double x) => x * Library.Half(3);
                [Differentiable] public static double ResultUsedTwice(double x)
                {
                    double s = Library.Square(x);
                    return s * s + s;
                }
                [Differentiable] public static float FloatCallee(float x) => 2 * Library.SquareF(x + 1);
            }

            public static partial class Parity
            {
                // Mutual recursion across two partial types.
                [Differentiable] public static double Even(double x, int n) => n == 0 ? 1.0 : x * Other.Odd(x, n - 1);
            }

            public static partial class Other
            {
                [Differentiable] public static double Odd(double x, int n) => n == 0 ? x : x + Parity.Even(x, n - 1);
            }
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static void Check(string type, string method, object[] args, params double[] expected) =>
        GradientAssert.Matches(Code.Type("Calls." + type), method, args, expected, finiteDifferences: true, Code.DescribeGeneratedCode);

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 0.75)]
    public void Call_to_differentiable_methods_of_another_type(double x, double y) =>
        // x² + 2xy
        Check("Model", "UsesLibrary", [x, y], 2 * x + 2 * y, 2 * x);

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void Nested_calls(double x) =>
        // (x² + 1)²
        Check("Model", "NestedCalls", [x], 4 * x * (x * x + 1));

    [Theory]
    [InlineData(1.5, -2.0)]
    [InlineData(-0.5, 0.75)]
    public void Call_within_the_same_type(double x, double y)
    {
        // 2 (sin(xy) + xy)
        double g = 2 * (Math.Cos(x * y) + 1);
        Check("Model", "SameTypeCall", [x, y], g * y, g * x);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void Callee_result_used_twice(double x) =>
        // x⁴ + x²
        Check("Model", "ResultUsedTwice", [x], 4 * x * x * x + 2 * x);

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void Passive_argument_to_a_restricted_callee(double x) =>
        // 3x²
        Check("Model", "PassiveArgumentToRestrictedCallee", [x], 6 * x);

    [Theory]
    [InlineData(1.5, 2)]
    [InlineData(-0.5, -3)]
    public void Int_argument_computed_from_an_int_parameter(double x, int n) =>
        Check("Model", "IntArgument", [x, n], n + 1);

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.75)]
    public void Recursive_callees(double x) =>
        // x³ + x⁵
        Check("Model", "CallsPower", [x], 3 * x * x + 5 * Math.Pow(x, 4));

    [Theory]
    [InlineData(1.5, 0)]
    [InlineData(1.5, 1)]
    [InlineData(-0.75, 4)]
    [InlineData(1.25, 7)]
    public void Recursion_on_an_int_exponent(double x, int n)
    {
        double expected = n == 0 ? 0.0 : n * Math.Pow(x, n - 1);
        Check("Library", "Power", [x, n], expected);
        Check("Library", "FastPower", [x, n], expected);
    }

    [Theory]
    [InlineData(1.5, 0)]
    [InlineData(1.5, 1)]
    [InlineData(-0.75, 4)]
    [InlineData(1.25, 5)]
    public void Mutual_recursion_across_types(double x, int n)
    {
        // Even(x, n) = x · Odd(x, n-1); Odd(x, n) = x + Even(x, n-1); Even(x, 0) = 1; Odd(x, 0) = x.
        (double Value, double Derivative) Even(int k) => k == 0 ? (1.0, 0.0) : Mul(x, Odd(k - 1));
        (double Value, double Derivative) Odd(int k)
        {
            if (k == 0)
            {
                return (x, 1.0);
            }
            (double v, double d) = Even(k - 1);
            return (x + v, 1 + d);
        }
        static (double, double) Mul(double x, (double V, double D) o) => (x * o.V, o.V + x * o.D);

        Check("Parity", "Even", [x, n], Even(n).Derivative);
        Check("Other", "Odd", [x, n], Odd(n).Derivative);
    }

    [Theory]
    [InlineData(1.5, 2)]
    [InlineData(-0.5, 9)]
    public void Calls_with_only_passive_arguments_are_constants(double x, int n)
    {
        Check("Model", "PassiveCalls", [x, n], n * 0.5 + 1.5);
        Check("Model", "PassiveCallOnConstant", [x], 1.5);
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-0.5f)]
    public void Float_callee(float x) =>
        // 2 (x + 1)²
        Check("Model", "FloatCallee", [x], 4 * ((double)x + 1));
}
