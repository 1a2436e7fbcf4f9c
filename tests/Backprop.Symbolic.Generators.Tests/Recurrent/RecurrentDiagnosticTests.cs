using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Recurrent;

/// <summary>
/// Loops in methods with tensors that are not loops over time steps (BPS0020), and state a loop cannot carry (BPS0021):
/// each with its exact message and span.
/// </summary>
public sealed class RecurrentDiagnosticTests
{
    private static string Method(string body) => """
        using System;
        using Backprop.Symbolic;
        using Backprop.Symbolic.Tensors;
        using static Backprop.Symbolic.Tensors.Tensor;
        namespace N;
        public static partial class C
        {
            [Differentiable]
            public static float Other(float v) => v * v;

            [Differentiable(nameof(w))]
            public static float F(Tensor xs, Tensor h0, Tensor w, int n)
            {
                Tensor h = h0;
        """ + body + """

                return Sum(h);
            }
        }
        """;

    private const string Form = ": a method with tensors loops only over time steps, as 'for (int t = start; t < end; t++)' with a straight-line body; ";

    [Fact]
    public void BPS0020_while_loop()
    {
        GeneratorRun run = DiagnosticAssert.Reports(Method("""
                    int t = 0;
                    [|while (t < n)|]
                    {
                        h = Tanh(MatMul(h, w));
                        t++;
                    }
            """),
            "BPS0020",
            "'while' loops are not supported" + Form + "write it as a for loop over the time steps");
        DiagnosticAssert.NoGradient(run, "F");
        DiagnosticAssert.HasGradient(run, "Other");
    }

    [Fact]
    public void BPS0020_nested_loop()
    {
        DiagnosticAssert.Reports(Method("""
                    for (int t = 0; t < n; t++)
                    {
                        [|for (int k = 0; k < 2; k++)|]
                        {
                            h = Tanh(MatMul(h, w));
                        }
                    }
            """),
            "BPS0020",
            "a loop inside a loop over time steps is not supported" + Form + "put the inner loop in a [Differentiable] layer the outer loop calls, or unroll it");
    }

    [Fact]
    public void BPS0020_break()
    {
        DiagnosticAssert.Reports(Method("""
                    for (int t = 0; t < n; t++)
                    {
                        h = Tanh(MatMul(h, w));
                        [|break;|]
                    }
            """),
            "BPS0020",
            "'break' is not supported" + Form + "run every step, and bound the loop by the number of steps needed");
    }

    [Fact]
    public void BPS0020_continue()
    {
        DiagnosticAssert.Reports(Method("""
                    for (int t = 0; t < n; t++)
                    {
                        [|continue;|]
                    }
            """),
            "BPS0020",
            "'continue' is not supported" + Form + "run every statement of every step");
    }

    [Fact]
    public void BPS0020_write_to_the_counter()
    {
        DiagnosticAssert.Reports(Method("""
                    for (int t = 0; t < n; t++)
                    {
                        h = Tanh(MatMul(h, w));
                        [|t = t + 1|];
                    }
            """),
            "BPS0020",
            "the loop writes its counter 't'" + Form + "leave the counter to the loop's increment");
    }

    [Fact]
    public void BPS0020_condition_that_is_not_a_bound()
    {
        DiagnosticAssert.Reports(Method("""
                    for (int t = 0; [|n > t|]; t++)
                    {
                        h = Tanh(MatMul(h, w));
                    }
            """),
            "BPS0020",
            "the condition 'n > t' is not supported" + Form + "compare the counter with a bound: t < n");
    }

    [Fact]
    public void BPS0020_bound_written_in_the_loop()
    {
        DiagnosticAssert.Reports(Method("""
                    int m = n;
                    for (int t = 0; t < [|m|]; t++)
                    {
                        h = Tanh(MatMul(h, w));
                        m = m - 1;
                    }
            """),
            "BPS0020",
            "the bound 'm' changes in the loop" + Form + "compute the number of steps before the loop");
    }

    [Fact]
    public void BPS0020_increment_by_two()
    {
        DiagnosticAssert.Reports(Method("""
                    for (int t = 0; t < n; [|t += 2|])
                    {
                        h = Tanh(MatMul(h, w));
                    }
            """),
            "BPS0020",
            "the increment 't += 2' is not supported" + Form + "count one step at a time: t++");
    }

    [Fact]
    public void BPS0021_float_carried_from_step_to_step()
    {
        DiagnosticAssert.Reports(Method("""
                    float total = 0f;
                    for (int t = 0; t < n; t++)
                    {
                        h = Tanh(MatMul(h, w));
                        [|total = total + Sum(h)|];
                    }
            """),
            "BPS0021",
            "the loop carries 'total' from one time step to the next, but it is not a tensor: only tensors can be carried yet; carry the value as a tensor, or compute it from the loop's tensors after the loop");
    }

    [Fact]
    public void BPS0021_state_not_computed_in_the_step()
    {
        DiagnosticAssert.Reports(Method("""
                    [|for (int t = 0; t < n; t++)|]
                    {
                        Tensor y = Tanh(MatMul(h, w));
                        h = h0;
                    }
            """),
            "BPS0021",
            "the loop carries 'h' from one time step to the next, but its next value is not computed in the step; assign it a tensor the step computes from the state");
    }
}
