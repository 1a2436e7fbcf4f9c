using System;
using System.Linq;
using Backprop.Symbolic.Kernels;
using Xunit;

namespace Backprop.Symbolic.Tests.Kernels;

/// <summary>
/// <see cref="SpanKernels.Zero(Span{double})"/>, which generated code and the workspace use to clear buffers: every
/// element of the span becomes 0 and nothing outside it changes, for every length around the vector widths and at
/// every alignment.
/// </summary>
public sealed class SpanKernelsTests
{
    public static TheoryData<int> Lengths() => new(Enumerable.Range(0, 70).Concat(new[] { 127, 128, 129, 1000, 1023 }));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Zero_clears_exactly_the_doubles_of_the_span(int length)
    {
        for (int offset = 0; offset < 4; offset++)
        {
            double[] buffer = Enumerable.Range(1, length + 8).Select(i => (double)i).ToArray();
            SpanKernels.Zero(buffer.AsSpan(offset, length));
            for (int i = 0; i < buffer.Length; i++)
            {
                double expected = i >= offset && i < offset + length ? 0.0 : i + 1;
                Assert.True(expected == buffer[i], $"length {length}, offset {offset}: element {i} is {buffer[i]}, expected {expected}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Zero_clears_exactly_the_floats_of_the_span(int length)
    {
        for (int offset = 0; offset < 8; offset++)
        {
            float[] buffer = Enumerable.Range(1, length + 16).Select(i => (float)i).ToArray();
            SpanKernels.Zero(buffer.AsSpan(offset, length));
            for (int i = 0; i < buffer.Length; i++)
            {
                float expected = i >= offset && i < offset + length ? 0f : i + 1;
                Assert.True(expected == buffer[i], $"length {length}, offset {offset}: element {i} is {buffer[i]}, expected {expected}");
            }
        }
    }

    [Fact]
    public void Zero_clears_negative_zero_and_nan_to_positive_zero()
    {
        double[] buffer = { -0.0, double.NaN, double.NegativeInfinity, 1e-300, -5 };
        SpanKernels.Zero(buffer);
        Assert.All(buffer, v => Assert.Equal(0L, BitConverter.DoubleToInt64Bits(v)));
    }

    [Theory]
    [InlineData(10, 0, 10)]
    [InlineData(10, 0, 4)]
    [InlineData(10, 3, 4)]
    [InlineData(10, 6, 4)]
    [InlineData(10, 8, 5)]
    [InlineData(10, -2, 5)]
    [InlineData(10, 12, 3)]
    [InlineData(10, 4, 0)]
    [InlineData(10, 4, -3)]
    [InlineData(0, 0, 0)]
    [InlineData(40, 1, 37)]
    public void ZeroOutside_zeroes_every_element_outside_the_range_and_keeps_the_range(int length, int start, int count)
    {
        double[] doubles = Enumerable.Range(1, length).Select(i => (double)i).ToArray();
        float[] floats = Enumerable.Range(1, length).Select(i => (float)i).ToArray();
        SpanKernels.ZeroOutside(doubles, start, count);
        SpanKernels.ZeroOutside(floats, start, count);
        for (int i = 0; i < length; i++)
        {
            bool inside = i >= start && i < start + Math.Max(count, 0);
            Assert.Equal(inside ? i + 1 : 0.0, doubles[i]);
            Assert.Equal(inside ? i + 1 : 0f, floats[i]);
        }
    }
}
