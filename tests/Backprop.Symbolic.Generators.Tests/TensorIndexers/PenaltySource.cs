namespace Backprop.Symbolic.Generators.Tests.TensorIndexers;

/// <summary>The custom operation the tests of this folder share: Σ_ij √(w_ij² + ε), a smooth |w|, as loops over the elements.</summary>
internal static class PenaltySource
{
    /// <summary>
    /// The [Differentiable] method, as a member of a static partial class (needs <c>using System;</c>); it starts on a line
    /// of its own.
    /// </summary>
    public const string Method = """

        [Differentiable]
        public static float Penalty(Tensor w)
        {
            float s = 0f;
            for (int i = 0; i < w.Shape[0]; i++)
            {
                for (int j = 0; j < w.Shape[1]; j++)
                {
                    s += MathF.Sqrt(w[i, j] * w[i, j] + 1e-6f);
                }
            }
            return s;
        }
        """;
}
