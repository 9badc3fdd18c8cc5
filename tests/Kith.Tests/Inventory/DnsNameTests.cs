using Kith.Inventory;

namespace Kith.Tests.Inventory;

public class DnsNameTests
{
    [Theory]
    [InlineData("Music.Home.Arpa.", "music.home.arpa")]
    [InlineData("bücher.home.arpa", "xn--bcher-kva.home.arpa")]
    [InlineData("BÜCHER.home.arpa", "xn--bcher-kva.home.arpa")]
    [InlineData("xn--bcher-kva.home.arpa", "xn--bcher-kva.home.arpa")]
    [InlineData("a-b.c9.home.arpa", "a-b.c9.home.arpa")]
    public void Valid_names_are_normalized(string input, string expected)
    {
        Assert.True(DnsName.TryNormalize(input, out var normalized, out var error), error);
        Assert.Equal(expected, normalized);
        Assert.Equal(string.Empty, error);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".", "empty")]
    [InlineData("home", "single label")]
    [InlineData("a..home.arpa", "empty label")]
    [InlineData("-a.home.arpa", "'-'")]
    [InlineData("a-.home.arpa", "'-'")]
    [InlineData("under_score.home.arpa", "'_'")]
    [InlineData("sp ace.home.arpa", "U+0020")]
    [InlineData("*.home.arpa", "not allowed")]
    [InlineData("10.0.0.1", "IP address")]
    [InlineData("xn--zz-.home.arpa", "'-'")]
    [InlineData("xn--a.home.arpa", "punycode")]
    public void Invalid_names_are_refused_with_the_reason(string input, string keyword)
    {
        Assert.False(DnsName.TryNormalize(input, out var normalized, out var error));
        Assert.Equal(string.Empty, normalized);
        Assert.Contains(keyword, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Wildcard_is_allowed_only_as_the_whole_leftmost_label()
    {
        Assert.True(DnsName.TryNormalize("*.Apps.home.arpa", out var normalized, out _, allowWildcard: true));
        Assert.Equal("*.apps.home.arpa", normalized);
        Assert.False(DnsName.TryNormalize("a.*.home.arpa", out _, out var inner, allowWildcard: true));
        Assert.Contains("leftmost", inner, StringComparison.Ordinal);
        Assert.False(DnsName.TryNormalize("*x.home.arpa", out _, out _, allowWildcard: true));
        Assert.False(DnsName.TryNormalize("*.arpa.", out _, out _, allowWildcard: true));
    }

    [Fact]
    public void Names_longer_than_253_characters_are_refused()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4));
        Assert.False(DnsName.TryNormalize(name, out _, out var error));
        Assert.Contains("253", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("home.arpa", "home.arpa", true)]
    [InlineData("a.home.arpa", "home.arpa", true)]
    [InlineData("A.HOME.arpa.", "home.arpa", true)]
    [InlineData("*.apps.home.arpa", "home.arpa", true)]
    [InlineData("evilhome.arpa", "home.arpa", false)]
    [InlineData("home.arpa", "a.home.arpa", false)]
    [InlineData("home.arpa.evil", "home.arpa", false)]
    [InlineData("a.home.arpa", "", false)]
    public void IsWithin_compares_whole_labels(string name, string zone, bool expected) =>
        Assert.Equal(expected, DnsName.IsWithin(name, zone));

    [Theory]
    [InlineData("storage", true)]
    [InlineData("Storage-2", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("-a", false)]
    [InlineData("a.b", false)]
    [InlineData("ü", false)]
    public void IsLabel_accepts_one_letters_digits_hyphen_label(string label, bool expected) =>
        Assert.Equal(expected, DnsName.IsLabel(label));
}
