using System;
using Backprop.Symbolic.Kernels;
using Backprop.Symbolic.Tensors;
using Xunit;

namespace Backprop.Symbolic.Tests.Tensors;

/// <summary>Concat and Gather, their backward kernels and their errors.</summary>
public sealed class StructureTests
{
    public static TheoryData<int[], int[], int> ConcatCases => new()
    {
        { new[] { 3 }, new[] { 2 }, 0 },
        { new[] { 2, 3 }, new[] { 4, 3 }, 0 },
        { new[] { 2, 3 }, new[] { 2, 5 }, 1 },
        { new[] { 2, 3, 4 }, new[] { 2, 1, 4 }, 1 },
        { new[] { 2, 3, 4 }, new[] { 2, 3, 2 }, 2 },
        { new[] { 2, 3 }, new[] { 2, 0 }, 1 },
    };

    /// <summary>Element e of the concatenation, by index arithmetic: which operand and where in it.</summary>
    private static (bool First, int Index) Source(int[] a, int[] b, int axis, int e)
    {
        int inner = 1;
        for (int d = axis + 1; d < a.Length; d++)
        {
            inner *= a[d];
        }
        int joined = a[axis] + b[axis];
        int o = e / (joined * inner);
        int s = e / inner % joined;
        int i = e % inner;
        return s < a[axis]
            ? (true, (((o * a[axis]) + s) * inner) + i)
            : (false, (((o * b[axis]) + (s - a[axis])) * inner) + i);
    }

    [Theory]
    [MemberData(nameof(ConcatCases))]
    public void Concat_places_a_then_b_along_the_axis(int[] aShape, int[] bShape, int axis)
    {
        Tensor a = Reference.RandomTensor(51, aShape);
        Tensor b = Reference.RandomTensor(52, bShape);
        Tensor c = Tensor.Concat(axis, a, b);
        int[] expectedShape = (int[])aShape.Clone();
        expectedShape[axis] += bShape[axis];
        Assert.Equal(new TensorShape(expectedShape), c.Shape);
        for (int e = 0; e < c.Length; e++)
        {
            (bool first, int index) = Source(aShape, bShape, axis, e);
            Assert.Equal(first ? a.Span[index] : b.Span[index], c.Span[e]);
        }
    }

    [Theory]
    [MemberData(nameof(ConcatCases))]
    public void ConcatBackward_matches_finite_differences_and_splits_the_adjoint(int[] aShape, int[] bShape, int axis)
    {
        // L(a, b) = Σ w ⊙ Concat(a, b): dL/da and dL/db are w's parts.
        Tensor a = Reference.RandomTensor(53, aShape);
        Tensor b = Reference.RandomTensor(54, bShape);
        Tensor w = Reference.RandomTensor(55, Tensor.Concat(axis, a, b).Shape.ToArray());
        double[] wd = Reference.ToDouble(w.Span);
        double[] fdA = Reference.FiniteDifferences(
            v => Reference.Dot(wd, Reference.ToDouble(Tensor.Concat(axis, Tensor.FromArray(SoftmaxTests.ToFloat(v), aShape), b).Span)),
            Reference.ToDouble(a.Span), h: 1e-2);
        double[] fdB = Reference.FiniteDifferences(
            v => Reference.Dot(wd, Reference.ToDouble(Tensor.Concat(axis, a, Tensor.FromArray(SoftmaxTests.ToFloat(v), bShape)).Span)),
            Reference.ToDouble(b.Span), h: 1e-2);
        var analyticA = new double[a.Length];
        var analyticB = new double[b.Length];
        for (int e = 0; e < w.Length; e++)
        {
            (bool first, int index) = Source(aShape, bShape, axis, e);
            (first ? analyticA : analyticB)[index] = wd[e];
        }
        Reference.AssertClose(analyticA, fdA, 1e-5, "dA formula against finite differences");
        Reference.AssertClose(analyticB, fdB, 1e-5, "dB formula against finite differences");

        Tensor dA = Tensor.FromArray(Reference.Random(a.Length, 56), aShape);
        Tensor dB = Tensor.FromArray(Reference.Random(b.Length, 57), bShape);
        double[] beforeA = Reference.ToDouble(dA.Span);
        double[] beforeB = Reference.ToDouble(dB.Span);
        TensorKernels.ConcatBackward(axis, w, dA, dB);
        Reference.AssertClose(SoftmaxTests.Add(beforeA, analyticA), dA.Span, 1e-6, "dA");
        Reference.AssertClose(SoftmaxTests.Add(beforeB, analyticB), dB.Span, 1e-6, "dB");

        Tensor onlyB = Tensor.Zeros(bShape);
        TensorKernels.ConcatBackward(axis, w, default, onlyB);
        Reference.AssertClose(analyticB, onlyB.Span, 0, "dB alone");
        Tensor onlyA = Tensor.Zeros(aShape);
        TensorKernels.ConcatBackward(axis, w, onlyA, default);
        Reference.AssertClose(analyticA, onlyA.Span, 0, "dA alone");
    }

    [Fact]
    public void Concat_names_both_shapes_when_they_do_not_fit()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Concat(1, Tensor.Zeros(2, 3), Tensor.Zeros(3, 3)));
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("[3, 3]", error.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Concat(0, Tensor.Zeros(2, 3), Tensor.Zeros(3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Concat(2, Tensor.Zeros(2, 3), Tensor.Zeros(2, 3)));
        Assert.Throws<ArgumentException>(() => TensorKernels.ConcatBackward(0, Tensor.Zeros(5, 3), Tensor.Zeros(2, 3), Tensor.Zeros(2, 3)));
        Assert.Throws<ArgumentException>(() => TensorKernels.ConcatBackward(0, Tensor.Zeros(5, 3), Tensor.Zeros(6, 3), default));
    }

    [Fact]
    public void Gather_copies_the_listed_rows_in_order_with_repeats()
    {
        Tensor table = Reference.RandomTensor(58, 6, 3);
        int[] rows = { 4, 0, 4, 5 };
        Tensor g = Tensor.Gather(table, rows);
        Assert.Equal(TensorShape.Of(4, 3), g.Shape);
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(table[rows[i], j], g[i, j]);
            }
        }
        Assert.Equal(TensorShape.Of(0, 3), Tensor.Gather(table, ReadOnlySpan<int>.Empty).Shape);
    }

    [Fact]
    public void GatherBackward_scatter_adds_and_matches_finite_differences()
    {
        Tensor table = Reference.RandomTensor(59, 6, 3);
        int[] rows = { 4, 0, 4, 5 };
        Tensor w = Reference.RandomTensor(60, 4, 3);
        double[] wd = Reference.ToDouble(w.Span);
        double[] fd = Reference.FiniteDifferences(
            v => Reference.Dot(wd, Reference.ToDouble(Tensor.Gather(Tensor.FromArray(SoftmaxTests.ToFloat(v), 6, 3), rows).Span)),
            Reference.ToDouble(table.Span), h: 1e-2);
        var analytic = new double[18];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                analytic[(rows[i] * 3) + j] += wd[(i * 3) + j];
            }
        }
        Reference.AssertClose(analytic, fd, 1e-5, "formula against finite differences");
        Tensor dTable = Tensor.FromArray(Reference.Random(18, 61), 6, 3);
        double[] before = Reference.ToDouble(dTable.Span);
        TensorKernels.GatherBackward(w, rows, dTable);
        Reference.AssertClose(SoftmaxTests.Add(before, analytic), dTable.Span, 1e-6);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(-2)]
    public void A_row_outside_the_table_names_its_position_and_value(int bad)
    {
        int[] rows = { 1, bad };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Gather(Tensor.Zeros(6, 3), rows));
        Assert.Contains($"rows[1] = {bad}", error.Message);
        Assert.Contains("[6, 3]", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorKernels.GatherBackward(Tensor.Zeros(2, 3), rows, Tensor.Zeros(6, 3)));
    }

    [Fact]
    public void Gather_rejects_a_table_that_is_not_a_matrix_and_a_wrong_result_shape()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Gather(Tensor.Zeros(6), new[] { 0 }));
        var error = Assert.Throws<ArgumentException>(() => TensorKernels.Gather(Tensor.Zeros(6, 3), new[] { 0, 1 }, Tensor.Zeros(2, 4)));
        Assert.Contains("[2, 4]", error.Message);
        Assert.Contains("[2, 3]", error.Message);
    }
}
