using System;
using System.Globalization;
using System.Threading;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Execution;

/// <summary>
/// The gradient returns exactly the primal's value: constants are printed round-trippably whatever the culture, integer
/// arithmetic stays integer arithmetic, and nothing is reassociated.
/// </summary>
public sealed class ValueFidelityTests
{
    private const string Source = """
        using System;
        using Backprop.Symbolic;

        namespace Fidelity;

        public static partial class Values
        {
            private const double Third = 1.0 / 3;
            private const double Negative = -2.5;
            private const float TenthF = 0.1f;
            private static readonly double Seventh = 1.0 / 7;

            [Differentiable] public static double Literals(double x) => x * 0.1 + 123456789.123456789 * x + 1e-300 * x + 3.14159265358979311599796346854;
            [Differentiable] public static double ThirdConstant(double x) => x * Third;
            [Differentiable] public static double SeventhField(double x) => x * Seventh;
            [Differentiable] public static double SubtractNegativeConstant(double x) => x - Negative;
            [Differentiable] public static double NegativeConstantTimes(double x) => Negative * x - -x;
            [Differentiable] public static double IntegerDivisionOfLiterals(double x) => 1 / 2 * x + 7 / 2 * x;
            [Differentiable] public static double IntegerDivisionOfParameter(double x, int n) => x * (n / 2) + n % 3;
            [Differentiable] public static double NoReassociation(double x) => x * 0.1 * 3.0;
            [Differentiable] public static double NoOverflowingFold(double x) => x * 1e200 * 1e200;
            [Differentiable] public static double ExtremeConstants(double x) => Math.Min(x, double.MaxValue) + double.Epsilon * x;
            [Differentiable] public static float FloatLiterals(float x) => x * 0.1f + TenthF * x * 16777217f;
            [Differentiable] public static float FloatTimesDoubleLiteral(float x) => (float)(x * 0.1);
        }
        """;

    private static readonly CompiledProgram Code = new(Source);

    private static Type Values => Code.Type("Fidelity.Values");

    /// <summary>The value must be bit-for-bit the primal's, and the derivative exactly <paramref name="expected"/>.</summary>
    private static void Exactly(string method, object[] args, params double[] expected)
    {
        double primal = Invoke.Primal(Values, method, args);
        (double value, double[] gradient) = Invoke.Gradient(Values, method, args);
        Assert.True(primal.Equals(value), $"{method}: gradient returned {value:R} but the primal returns {primal:R}{Environment.NewLine}{Code.DescribeGeneratedCode()}");
        Assert.Equal(expected.Length, gradient.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].Equals(gradient[i]), $"{method}: adjoint {i} is {gradient[i]:R}, expected exactly {expected[i]:R}{Environment.NewLine}{Code.DescribeGeneratedCode()}");
        }
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(-1234.5678)]
    public void Literals_are_printed_round_trippably(double x)
    {
        (double value, double[] gradient) = Invoke.Gradient(Values, "Literals", x);
        Assert.Equal(Invoke.Primal(Values, "Literals", x), value);
        Assert.Equal(0.1 + 123456789.123456789 + 1e-300, gradient[0], 1e-6);
        GradientAssert.Matches(Values, "Literals", [x], [0.1 + 123456789.123456789 + 1e-300], true, Code.DescribeGeneratedCode);
    }

    [Fact]
    public void Constant_fields_keep_every_bit()
    {
        Exactly("ThirdConstant", [3.0], 1.0 / 3);
        Exactly("SeventhField", [3.0], 1.0 / 7);
    }

    [Fact]
    public void Negative_constants_are_subtracted_correctly()
    {
        Exactly("SubtractNegativeConstant", [1.25], 1.0);
        Exactly("NegativeConstantTimes", [1.25], -1.5);
    }

    [Fact]
    public void Integer_division_of_literals_stays_integer() =>
        // 1 / 2 == 0 and 7 / 2 == 3 in C#.
        Exactly("IntegerDivisionOfLiterals", [1.25], 3.0);

    [Theory]
    [InlineData(3)]
    [InlineData(-5)]
    public void Integer_division_of_a_parameter_stays_integer(int n) =>
        Exactly("IntegerDivisionOfParameter", [1.25, n], n / 2);

    [Fact]
    public void Products_are_not_reassociated()
    {
        // (0.7 * 0.1) * 3.0 and 0.7 * (0.1 * 3.0) differ in the last bit.
        double x = 0.7;
        Assert.NotEqual(x * 0.1 * 3.0, x * (0.1 * 3.0));
        double primal = Invoke.Primal(Values, "NoReassociation", x);
        (double value, double[] gradient) = Invoke.Gradient(Values, "NoReassociation", x);
        Assert.True(primal.Equals(value), $"gradient returned {value:R}, the primal {primal:R}{Environment.NewLine}{Code.DescribeGeneratedCode()}");
        Assert.Equal(0.1 * 3.0, gradient[0], 1e-15);
    }

    [Fact]
    public void Constants_are_not_folded_into_an_overflow()
    {
        // 1e-300 * 1e200 * 1e200 is 1e100, but 1e200 * 1e200 alone overflows.
        double primal = Invoke.Primal(Values, "NoOverflowingFold", 1e-300);
        (double value, _) = Invoke.Gradient(Values, "NoOverflowingFold", 1e-300);
        Assert.Equal(1e100, primal, 1e86);
        Assert.True(primal.Equals(value), $"gradient returned {value:R}, the primal {primal:R}{Environment.NewLine}{Code.DescribeGeneratedCode()}");
    }

    [Fact]
    public void Extreme_constants() => Exactly("ExtremeConstants", [0.5], 1.0 + double.Epsilon);

    [Fact]
    public void Float_literals()
    {
        float x = 0.7f;
        Assert.Equal(Invoke.Primal<float>(Values, "FloatLiterals", x), Invoke.Gradient<float>(Values, "FloatLiterals", x).Value);
        Assert.Equal(Invoke.Primal<float>(Values, "FloatTimesDoubleLiteral", x), Invoke.Gradient<float>(Values, "FloatTimesDoubleLiteral", x).Value);
        Assert.Equal((float)0.1, Invoke.Gradient<float>(Values, "FloatTimesDoubleLiteral", x).Gradient[0], 1e-7f);
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    [InlineData("ar-SA")]
    public void Generation_does_not_depend_on_the_current_culture(string culture)
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        CultureInfo savedUi = CultureInfo.CurrentUICulture;
        GeneratorRun run;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
            run = GeneratorHarness.Run(Source);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = savedUi;
        }

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationErrors.IsEmpty, GeneratorHarness.Describe(run));
        GeneratorRun invariant = GeneratorHarness.Run(Source);
        Assert.Equal(invariant.GeneratedSource("Fidelity.Values.Literals.g.cs"), run.GeneratedSource("Fidelity.Values.Literals.g.cs"));
    }
}
