using System.Net;
using Kith.Dns.Resolver;

namespace Kith.Tests.Dns;

/// <summary>ResolverTargets.FromState: the zones, and the addresses of the machines with role dns.</summary>
public class ResolverTargetsTests
{
    private const string Inventory = """
        domain: home.arpa
        zones: [lab.home.arpa, example.internal]
        machines:
          storage: { addresses: [192.0.2.10, "2001:db8::10"], roles: [dns] }
          edge: { addresses: [192.0.2.20] }
          ns2: { addresses: [192.0.2.30], roles: [dns, bootstrap] }
        services:
          web: { machine: storage, endpoints: [web.home.arpa] }
        """;

    [Fact]
    public void The_zones_are_the_domain_then_the_extra_zones_and_the_servers_every_address_of_each_dns_machine_by_name()
    {
        var targets = ResolverTargets.FromState(ZoneModelTests.State(Inventory, version: 7))!;

        Assert.Equal(["home.arpa", "lab.home.arpa", "example.internal"], targets.Zones);
        Assert.Equal(
            [IPEndPoint.Parse("192.0.2.30:53"), IPEndPoint.Parse("192.0.2.10:53"), IPEndPoint.Parse("[2001:db8::10]:53")],
            targets.Servers);
    }

    [Fact]
    public void A_port_other_than_53_applies_to_every_server()
    {
        var targets = ResolverTargets.FromState(ZoneModelTests.State(Inventory, version: 7), port: 5353)!;

        Assert.All(targets.Servers, s => Assert.Equal(5353, s.Port));
    }

    [Fact]
    public void A_state_written_before_extra_zones_existed_has_only_the_domain()
    {
        var state = ZoneModelTests.State(Inventory, version: 7) with { Zones = null };

        Assert.Equal(["home.arpa"], ResolverTargets.FromState(state)!.Zones);
    }

    [Fact]
    public void Without_a_dns_machine_there_are_no_targets_and_the_message_says_which_role_to_give()
    {
        var state = ZoneModelTests.State(Inventory.Replace("roles: [dns]", "roles: []", StringComparison.Ordinal).Replace("[dns, bootstrap]", "[bootstrap]", StringComparison.Ordinal), version: 7);

        Assert.Null(ResolverTargets.FromState(state));
        Assert.Contains("no machine has role dns in the fleet state", ResolverTargets.NoDnsMachine("fleet state"), StringComparison.Ordinal);
        Assert.Contains("roles: [dns]", ResolverTargets.NoDnsMachine("fleet state"), StringComparison.Ordinal);
    }
}
