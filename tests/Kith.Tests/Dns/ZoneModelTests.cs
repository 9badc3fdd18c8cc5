using Kith.Dns;
using Kith.Fleet;
using Kith.Inventory;
using Kith.Tests.Fleet;

namespace Kith.Tests.Dns;

/// <summary>FleetZones.Build: apexes, SOA and NS, delegations, and which zone each record lands in.</summary>
public class ZoneModelTests
{
    private const string Inventory = """
        domain: home.arpa
        zones: [lab.home.arpa, example.internal]
        machines:
          storage: { addresses: [192.0.2.10, "2001:db8::10"], roles: [dns] }
          edge: { addresses: [192.0.2.20] }
          ns2: { addresses: [192.0.2.30], roles: [dns] }
        services:
          web: { machine: storage, endpoints: [web.home.arpa], aliases: [www.example.internal] }
          ci: { machine: edge, endpoints: [ci.lab.home.arpa, "*.apps.lab.home.arpa"] }
        """;

    [Fact]
    public void Each_apex_gets_a_zone_with_the_soa_first_then_ns_then_records_in_canonical_order()
    {
        var zones = FleetZones.Build(State(Inventory, version: 42));

        Assert.Equal(["home.arpa", "lab.home.arpa", "example.internal"], zones.Select(z => z.Apex));
        Assert.All(zones, z => Assert.Equal(42, z.Serial));
        var home = zones[0];
        Assert.Equal(
            [
                new ZoneRecord("home.arpa", "SOA", 300, "ns2.home.arpa hostmaster.home.arpa 42 3600 600 604800 60"),
                new ZoneRecord("home.arpa", "NS", 300, "ns2.home.arpa"),
                new ZoneRecord("home.arpa", "NS", 300, "storage.home.arpa"),
                new ZoneRecord("edge.home.arpa", "A", 300, "192.0.2.20"),
                new ZoneRecord("lab.home.arpa", "NS", 300, "ns2.home.arpa"),
                new ZoneRecord("lab.home.arpa", "NS", 300, "storage.home.arpa"),
                new ZoneRecord("ns2.home.arpa", "A", 300, "192.0.2.30"),
                new ZoneRecord("storage.home.arpa", "A", 300, "192.0.2.10"),
                new ZoneRecord("storage.home.arpa", "AAAA", 300, "2001:db8::10"),
                new ZoneRecord("web.home.arpa", "CNAME", 300, "storage.home.arpa"),
            ],
            home.Records);
    }

    [Fact]
    public void A_record_goes_to_the_longest_apex_containing_its_name_and_the_parent_only_delegates()
    {
        var zones = FleetZones.Build(State(Inventory, version: 7));

        var lab = zones.Single(z => z.Apex == "lab.home.arpa");
        Assert.Equal(
            [
                ("lab.home.arpa", "SOA", "ns2.home.arpa hostmaster.home.arpa 7 3600 600 604800 60"),
                ("lab.home.arpa", "NS", "ns2.home.arpa"),
                ("lab.home.arpa", "NS", "storage.home.arpa"),
                ("*.apps.lab.home.arpa", "CNAME", "edge.home.arpa"),
                ("ci.lab.home.arpa", "CNAME", "edge.home.arpa"),
            ],
            lab.Records.Select(r => (r.Name, r.Type, r.Value)));
        Assert.DoesNotContain(zones[0].Records, r => r.Name.EndsWith(".lab.home.arpa", StringComparison.Ordinal));
        var other = zones.Single(z => z.Apex == "example.internal");
        Assert.Equal(("www.example.internal", "CNAME", "storage.home.arpa"), (other.Records[^1].Name, other.Records[^1].Type, other.Records[^1].Value));
        Assert.DoesNotContain(zones[0].Records, r => r.Name == "example.internal");
    }

    [Fact]
    public void Without_a_dns_machine_the_first_machine_by_name_is_the_name_server()
    {
        var state = State("domain: home.arpa\nmachines:\n  zeta: { addresses: [192.0.2.1] }\n  alpha: { addresses: [192.0.2.2] }\n", 1);

        var zone = Assert.Single(FleetZones.Build(state));

        Assert.Equal(["alpha.home.arpa"], zone.Records.Where(r => r.Type == "NS").Select(r => r.Value));
        Assert.StartsWith("alpha.home.arpa hostmaster.home.arpa 1 ", zone.Records[0].Value, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_server_below_a_delegation_gets_glue_in_the_parent()
    {
        var state = State("domain: home.arpa\nzones: [ns.home.arpa]\nmachines:\n  ns: { addresses: [192.0.2.53], roles: [dns] }\n", 1);

        var zones = FleetZones.Build(state);

        Assert.Contains(new ZoneRecord("ns.home.arpa", "NS", 300, "ns.home.arpa"), zones[0].Records);
        Assert.Contains(new ZoneRecord("ns.home.arpa", "A", 300, "192.0.2.53"), zones[0].Records);
        Assert.Contains(new ZoneRecord("ns.home.arpa", "A", 300, "192.0.2.53"), zones[1].Records);
    }

    [Fact]
    public void Extra_records_keep_their_ttl_and_an_rrset_takes_its_smallest_ttl()
    {
        var state = State(Inventory, 3) with { DnsTtl = 600 };
        state = state with
        {
            DnsRecords =
            [
                .. state.DnsRecords,
                new FleetDnsRecord("printer.home.arpa", "A", "192.0.2.50", Ttl: 3600),
                new FleetDnsRecord("printer.home.arpa", "A", "192.0.2.51", Ttl: 120),
                new FleetDnsRecord("home.arpa", "TXT", "v=spf1 -all", Ttl: 86400),
                new FleetDnsRecord("elsewhere.example", "A", "192.0.2.99"),
            ],
        };

        var home = FleetZones.Build(state)[0];

        Assert.Equal(600, home.Records[0].Ttl);
        Assert.Equal([120, 120], home.Records.Where(r => r.Name == "printer.home.arpa").Select(r => r.Ttl));
        Assert.Contains(new ZoneRecord("home.arpa", "TXT", 86400, "v=spf1 -all"), home.Records);
        Assert.DoesNotContain(FleetZones.Build(state).SelectMany(z => z.Records), r => r.Name == "elsewhere.example");
    }

    [Fact]
    public void A_cname_at_an_apex_becomes_its_targets_addresses_because_nothing_may_sit_beside_a_cname()
    {
        // The inventory refuses an endpoint equal to a zone; a state signed elsewhere may still carry one.
        var state = State("domain: home.arpa\nzones: [example.internal]\nmachines:\n  storage: { addresses: [192.0.2.10], roles: [dns] }\n", 1);
        state = state with { DnsRecords = [.. state.DnsRecords, new FleetDnsRecord("example.internal", "CNAME", "storage.home.arpa")] };

        var zone = FleetZones.Build(state)[1];

        Assert.DoesNotContain(zone.Records, r => r.Type == "CNAME");
        Assert.Contains(new ZoneRecord("example.internal", "A", 300, "192.0.2.10"), zone.Records);
    }

    [Fact]
    public void The_builder_writes_the_inventorys_ttl_and_extra_zones_into_the_state()
    {
        var inventory = InventoryLoader.Parse(Inventory, "kith.yaml") with { };
        inventory = inventory with { Dns = new DnsSettings(TimeSpan.FromHours(1), [new DnsRecordSpec("home.arpa", "TXT", "hello", TimeSpan.FromMinutes(2))]) };

        var state = FleetStateBuilder.Build(inventory, _ => null, "ROOT-PEM", 1, TestPublisher.Start);

        Assert.Equal(3600, state.DnsTtl);
        Assert.Equal(["lab.home.arpa", "example.internal"], state.Zones!);
        Assert.Contains(new FleetDnsRecord("home.arpa", "TXT", "hello", 120), state.DnsRecords);
    }

    [Fact]
    public void Canonical_order_puts_a_names_subdomains_right_after_it()
    {
        string[] names = ["web.home.arpa", "home.arpa", "b.apps.home.arpa", "*.apps.home.arpa", "apps.home.arpa", "a.home.arpa", "zz.arpa"];

        Assert.Equal(
            ["home.arpa", "a.home.arpa", "apps.home.arpa", "*.apps.home.arpa", "b.apps.home.arpa", "web.home.arpa", "zz.arpa"],
            names.Order(CanonicalOrder.Instance));
    }

    internal static FleetState State(string inventory, long version) =>
        FleetStateBuilder.Build(InventoryLoader.Parse(inventory, "kith.yaml"), _ => null, "ROOT-PEM", version, TestPublisher.Start);
}
