using System;
using Backprop.Symbolic.Tensors;

namespace Backprop.Symbolic.Kernels;

/// <summary>
/// The tensor kernels generated code calls: destination-passing (the caller supplies every result), allocation-free,
/// every shape checked first (a mismatch throws <see cref="ArgumentException"/> naming the operation and both shapes).
/// The eager operations on <see cref="Tensor"/> allocate their result and call these.
/// </summary>
/// <remarks>
/// <para>"accumulate" means <c>result += …</c> instead of <c>result = …</c>. Backward kernels always accumulate (+=)
/// into their adjoint outputs, and a <c>default(Tensor)</c> adjoint output means "not needed": it is skipped.</para>
/// <para>A result must not share memory with an input of a contraction; element-wise and row-wise kernels
/// (softmax, its backward) read each input element before writing the same position, so there a result may be the input itself.</para>
/// </remarks>
public static partial class TensorKernels
{
    /// <summary>result (m × n) = a (m × k) · b (k × n); with <paramref name="accumulate"/>, result += a · b.</summary>
    /// <exception cref="ArgumentException">A tensor is not a matrix, the inner sizes differ, the result is not m × n, or it overlaps an input.</exception>
    public static void MatMul(Tensor a, Tensor b, Tensor result, bool accumulate = false) =>
        Contract(a, b, result, transposeA: false, transposeB: false, accumulate, nameof(MatMul));

    /// <summary>
    /// result (m × n) = aᵀ · b, where a is stored k × m and b is k × n (the transpose is read in place); with
    /// <paramref name="accumulate"/>, result += aᵀ · b. The backward sweep of <c>MatMul</c> uses it for dB = Aᵀ · dC.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor is not a matrix, the shared sizes differ, the result is not m × n, or it overlaps an input.</exception>
    public static void MatMulTransposeA(Tensor a, Tensor b, Tensor result, bool accumulate = false) =>
        Contract(a, b, result, transposeA: true, transposeB: false, accumulate, nameof(MatMulTransposeA));

    /// <summary>
    /// result (m × n) = a · bᵀ, where a is stored m × k and b is n × k (the transpose is read in place); with
    /// <paramref name="accumulate"/>, result += a · bᵀ. The backward sweep of <c>MatMul</c> uses it for dA = dC · Bᵀ.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor is not a matrix, the shared sizes differ, the result is not m × n, or it overlaps an input.</exception>
    public static void MatMulTransposeB(Tensor a, Tensor b, Tensor result, bool accumulate = false) =>
        Contract(a, b, result, transposeA: false, transposeB: true, accumulate, nameof(MatMulTransposeB));

    /// <summary>The shape of op(a) · op(b), checking that both are matrices with matching inner sizes.</summary>
    internal static TensorShape ProductShape(TensorShape a, TensorShape b, bool transposeA, bool transposeB, string operation)
    {
        if (a.Length != 2 || b.Length != 2)
        {
            throw Tensor.ShapeMismatch(operation, a, b, "both must be matrices (rank 2)");
        }
        int m = transposeA ? a[1] : a[0];
        int k = transposeA ? a[0] : a[1];
        int kb = transposeB ? b[1] : b[0];
        int n = transposeB ? b[0] : b[1];
        if (k != kb)
        {
            string rule = (transposeA, transposeB) switch
            {
                (false, false) => "the columns of the first must equal the rows of the second",
                (true, false) => "the rows of both must be equal",
                (false, true) => "the columns of both must be equal",
                _ => "the rows of the first must equal the columns of the second",
            };
            throw Tensor.ShapeMismatch(operation, a, b, rule);
        }
        return TensorShape.Of(m, n);
    }

    private static void Contract(Tensor a, Tensor b, Tensor result, bool transposeA, bool transposeB, bool accumulate, string operation)
    {
        TensorShape expected = ProductShape(a.Shape, b.Shape, transposeA, transposeB, operation);
        RequireShape(result, expected, operation, "the result");
        RequireDisjoint(result, a, operation, "the first operand");
        RequireDisjoint(result, b, operation, "the second operand");
        int k = transposeA ? a.Shape[0] : a.Shape[1];
        MatrixProduct.Multiply(a.Span, b.Span, result.Span, expected[0], k, expected[1], transposeA, transposeB, accumulate);
    }

    /// <summary>Throws unless <paramref name="tensor"/> has shape <paramref name="expected"/>.</summary>
    internal static void RequireShape(Tensor tensor, TensorShape expected, string operation, string what)
    {
        if (tensor.Shape != expected)
        {
            throw Tensor.ShapeMismatch(operation, tensor.Shape, expected, $"{what} must have shape {expected}");
        }
    }

    /// <summary>Throws unless <paramref name="result"/> and <paramref name="input"/> use disjoint memory.</summary>
    internal static void RequireDisjoint(Tensor result, Tensor input, string operation, string what)
    {
        if (result.Array is not null && ReferenceEquals(result.Array, input.Array)
            && result.Offset < input.Offset + input.Length && input.Offset < result.Offset + result.Length)
        {
            throw new ArgumentException(
                $"{operation}: the result (shape {result.Shape}) shares memory with {what} (shape {input.Shape}); pass a separate result tensor.");
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 ≤ <paramref name="axis"/> &lt; the rank.</summary>
    internal static void RequireAxis(Tensor x, int axis, string operation) => RequireAxis(x.Shape, axis, operation);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 ≤ <paramref name="axis"/> &lt; the rank of <paramref name="shape"/>.</summary>
    internal static void RequireAxis(TensorShape shape, int axis, string operation)
    {
        if ((uint)axis >= (uint)shape.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(axis), axis, $"{operation}: a tensor of shape {shape} has no axis {axis} (axes are 0 to {shape.Length - 1}).");
        }
    }

    /// <summary>The shape with <paramref name="axis"/> removed; a rank-1 shape gives [1].</summary>
    internal static TensorShape WithoutAxis(TensorShape shape, int axis)
    {
        if (shape.Length == 1)
        {
            return TensorShape.Of(1);
        }
        Span<int> dims = stackalloc int[TensorShape.MaxRank];
        int rank = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            if (d != axis)
            {
                dims[rank++] = shape[d];
            }
        }
        return new TensorShape(dims.Slice(0, rank));
    }

    /// <summary>The products of the dimensions before and after <paramref name="axis"/>.</summary>
    internal static (int Outer, int Size, int Inner) AroundAxis(TensorShape shape, int axis)
    {
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < axis; d++)
        {
            outer *= shape[d];
        }
        for (int d = axis + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }
        return (outer, shape[axis], inner);
    }
}
