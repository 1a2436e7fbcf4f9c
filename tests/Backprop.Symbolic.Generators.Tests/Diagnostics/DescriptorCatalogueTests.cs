using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Backprop.Symbolic.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Backprop.Symbolic.Generators.Tests.Diagnostics;

/// <summary>The conventions of the diagnostics catalogue: unique IDs, one category, errors, a help link per ID.</summary>
public sealed class DescriptorCatalogueTests
{
    private static DiagnosticDescriptor[] All() =>
        typeof(DiagnosticDescriptors)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToArray();

    [Fact]
    public void Ids_are_unique_and_well_formed()
    {
        DiagnosticDescriptor[] all = All();
        Assert.NotEmpty(all);
        Assert.Equal(all.Length, all.Select(d => d.Id).Distinct().Count());
        Assert.All(all, d => Assert.Matches(new Regex("^BPS[0-9]{4}$"), d.Id));
    }

    [Fact]
    public void Every_descriptor_is_an_enabled_error_in_one_category_with_its_help_link()
    {
        Assert.All(All(), d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault, d.Id);
            Assert.Equal("Backprop.Symbolic", d.Category);
            Assert.EndsWith("#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
            Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()), d.Id);
            Assert.False(string.IsNullOrWhiteSpace(d.MessageFormat.ToString()), d.Id);
        });
    }
}
