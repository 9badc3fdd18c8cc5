using CsCheck;
using Kith.Inventory;

namespace Kith.Tests.Inventory;

public class DnsNamePropertyTests
{
    private const string Edge = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    // A valid label: letters/digits at both ends, hyphens allowed inside; never an "xn--" A-label.
    private static readonly Gen<string> Label =
        Gen.Select(Gen.Char[Edge], Gen.Char[Edge + "-"].Array[0, 58], Gen.Char[Edge], Gen.Bool)
            .Select((first, middle, last, single) => single ? first.ToString() : first + new string(middle) + last)
            .Where(l => !l.StartsWith("xn--", StringComparison.OrdinalIgnoreCase));

    private static readonly Gen<string> Tld =
        Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz"], Label).Select((c, rest) => (c + rest)[..Math.Min(60, rest.Length + 1)].TrimEnd('-'));

    private static readonly Gen<string> Name =
        Gen.Select(Label.Array[1, 3], Tld).Select((labels, tld) => string.Join('.', [.. labels, tld]));

    [Fact]
    public void Any_valid_name_normalizes_to_itself_lower_cased_and_round_trips() =>
        Name.Sample(name =>
        {
            Assert.True(DnsName.TryNormalize(name, out var normalized, out var error), $"{name}: {error}");
            Assert.Equal(name.ToLowerInvariant(), normalized);
            Assert.True(DnsName.TryNormalize(normalized + ".", out var again, out _));
            Assert.Equal(normalized, again);
        });

    [Fact]
    public void Any_name_with_an_invalid_character_is_refused() =>
        Gen.Select(Name, Gen.Char["_!@#$%^&()+=/\\:;,<>?\"' \t~`|{}[]"], Gen.Int[0, 1000])
            .Sample((name, bad, at) =>
            {
                var position = at % (name.Length + 1);
                var broken = name.Insert(position, bad.ToString());
                Assert.False(DnsName.TryNormalize(broken, out _, out _, allowWildcard: true), broken);
            });

    [Fact]
    public void Any_label_over_63_characters_is_refused() =>
        Gen.Select(Gen.Char["abc123-"].Array[64, 200], Name)
            .Sample((chars, name) =>
            {
                var label = "a" + new string(chars) + "z";
                Assert.False(DnsName.TryNormalize($"{label}.{name}", out _, out var error));
                Assert.Contains("63", error, StringComparison.Ordinal);
            });

    [Fact]
    public void Any_label_with_a_leading_or_trailing_hyphen_is_refused() =>
        Gen.Select(Label, Name, Gen.Bool)
            .Sample((label, name, leading) =>
            {
                var bad = leading ? "-" + label : label + "-";
                Assert.False(DnsName.TryNormalize($"{bad}.{name}", out _, out var error));
                Assert.Contains("'-'", error, StringComparison.Ordinal);
            });

    [Fact]
    public void IsWithin_holds_for_zone_suffixed_names_and_not_for_concatenations() =>
        Gen.Select(Label, Name)
            .Sample((label, zone) =>
            {
                Assert.True(DnsName.IsWithin($"{label}.{zone}", zone));
                Assert.True(DnsName.IsWithin($"{label}.{zone}".ToUpperInvariant(), zone));
                Assert.True(DnsName.IsWithin(zone, zone));
                Assert.False(DnsName.IsWithin(label + zone, zone));
                Assert.False(DnsName.IsWithin("evil" + zone, zone));
                Assert.False(DnsName.IsWithin(zone, $"{label}.{zone}"));
            });

    [Fact]
    public void Unicode_labels_normalize_to_punycode_that_is_stable() =>
        Gen.Select(Gen.Char["abcäöüßéñøå"].Array[1, 20], Name)
            .Sample((chars, zone) =>
            {
                var name = $"{new string(chars)}.{zone}";
                Assert.True(DnsName.TryNormalize(name, out var ascii, out var error), $"{name}: {error}");
                Assert.True(ascii.All(char.IsAscii));
                Assert.True(DnsName.TryNormalize(ascii, out var again, out _));
                Assert.Equal(ascii, again);
            });
}
