using System;
using Backprop.Symbolic.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.InfrastructureTests;

/// <summary>The <c>[|...|]</c> markers of diagnostic tests become a span of the unmarked source.</summary>
public sealed class MarkedSourceTests
{
    [Fact]
    public void Marker_is_removed_and_its_span_kept()
    {
        MarkedSource marked = MarkedSource.Parse("int [|x|] = 1;");

        Assert.Equal("int x = 1;", marked.Source);
        Assert.Equal(new TextSpan(4, 1), marked.Span);
        Assert.Equal("x", marked.Source.Substring(marked.Span.Start, marked.Span.Length));
    }

    [Theory]
    [InlineData("no marker")]
    [InlineData("[|one|] [|two|]")]
    [InlineData("|] backwards [|")]
    public void Anything_but_one_marker_is_rejected(string source) =>
        Assert.Throws<ArgumentException>(() => MarkedSource.Parse(source));
}
