using System.Net;
using CsCheck;
using Kith.Pki;

namespace Kith.Tests.Pki;

public class NameConstraintPropertyTests
{
    private static readonly Gen<string> Label = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"], 1, 12];

    private static readonly Gen<string> Name = Label.Array[1, 4].Select(labels => string.Join('.', labels));

    [Fact]
    public void Every_name_below_a_subtree_is_permitted() =>
        Gen.Select(Name, Name).Sample((prefix, zone) =>
            Assert.True(new NameConstraints([zone], []).Permits($"{prefix}.{zone}")));

    [Fact]
    public void The_subtree_name_itself_is_permitted() =>
        Name.Sample(zone => Assert.True(new NameConstraints([zone], []).Permits(zone)));

    [Fact]
    public void A_name_that_only_ends_with_the_subtree_text_is_not_permitted() =>
        Gen.Select(Label, Name).Sample((prefix, zone) =>
            Assert.False(new NameConstraints([zone], []).Permits(prefix + zone)));

    [Fact]
    public void A_parent_of_the_subtree_is_not_permitted() =>
        Gen.Select(Label, Name).Sample((label, parent) =>
            Assert.False(new NameConstraints([$"{label}.{parent}"], []).Permits(parent)));

    [Fact]
    public void Encoding_then_decoding_keeps_every_permitted_name_and_address() =>
        Gen.Select(Name.Array[1, 5], Gen.UInt.Array[0, 3]).Sample((names, addresses) =>
        {
            var ips = addresses.Select(a => new IPAddress(a)).ToList();
            var decoded = NameConstraints.Decode(new NameConstraints(names, ips).Encode());
            Assert.Equal(names, decoded.PermittedDnsNames);
            Assert.Equal(ips, decoded.PermittedAddresses);
        });

    [Fact]
    public void Only_listed_addresses_are_permitted() =>
        Gen.Select(Gen.UInt, Gen.UInt).Sample((permitted, other) =>
        {
            var constraints = new NameConstraints(["home.arpa"], [new IPAddress(permitted)]);
            Assert.True(constraints.Permits(new IPAddress(permitted)));
            Assert.Equal(permitted == other, constraints.Permits(new IPAddress(other)));
        });
}
