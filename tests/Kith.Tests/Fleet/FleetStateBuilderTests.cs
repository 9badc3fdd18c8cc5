using Kith.Fleet;
using Kith.Inventory;

namespace Kith.Tests.Fleet;

public class FleetStateBuilderTests
{
    private const string Inventory = """
        domain: home.arpa
        machines:
          storage:
            addresses: [192.0.2.10, "2001:db8::10"]
            roles: [bootstrap]
            tags: [rack1]
          edge:
            addresses: [192.0.2.20]
        services:
          web:
            machine: storage
            endpoints: [web.home.arpa]
            aliases: [www.home.arpa]
            files: { dir: /srv/tls/web, key: /etc/web/key.pem, owner: www-data, group: www-data, mode: "0640" }
            reload: [systemctl, reload, web]
          apps:
            machine: edge
            endpoints: ["*.apps.home.arpa"]
        """;

    [Fact]
    public void Machines_endpoints_and_dns_records_come_from_the_inventory()
    {
        var inventory = InventoryLoader.Parse(Inventory, "kith.yaml");

        var state = FleetStateBuilder.Build(inventory, machine => machine == "edge" ? "EDGE-PEM" : null, "ROOT-PEM", 4, TestPublisher.Start);

        Assert.Equal(4, state.Version);
        Assert.Equal("home.arpa", state.Domain);
        Assert.Equal(["edge", "storage"], state.Machines.Select(m => m.Name));
        var storage = state.Machines[1];
        Assert.Equal(["192.0.2.10", "2001:db8::10"], storage.Addresses);
        Assert.Equal(["bootstrap"], storage.Roles);
        Assert.Equal(["rack1"], storage.Tags);
        var web = Assert.Single(storage.Endpoints);
        Assert.Equal(("web", "server"), (web.Service, web.Kind));
        Assert.Equal(["web.home.arpa", "www.home.arpa"], web.Names);
        Assert.Equal(("/srv/tls/web", null, "/etc/web/key.pem", null), (web.Folder, web.Cert, web.Key, web.Fullchain));
        Assert.Equal(("www-data", "www-data", "0640"), (web.Owner, web.Group, web.Mode));
        Assert.Equal(["systemctl", "reload", "web"], web.Reload!);
        var apps = Assert.Single(state.Machines[0].Endpoints);
        Assert.Equal("/var/lib/acme/_.apps.home.arpa", apps.Folder);
        Assert.Null(apps.Reload);
        Assert.Null(apps.Owner);
        Assert.Equal(
            [
                new FleetDnsRecord("*.apps.home.arpa", "CNAME", "edge.home.arpa"),
                new FleetDnsRecord("edge.home.arpa", "A", "192.0.2.20"),
                new FleetDnsRecord("storage.home.arpa", "A", "192.0.2.10"),
                new FleetDnsRecord("storage.home.arpa", "AAAA", "2001:db8::10"),
                new FleetDnsRecord("web.home.arpa", "CNAME", "storage.home.arpa"),
                new FleetDnsRecord("www.home.arpa", "CNAME", "storage.home.arpa"),
            ],
            state.DnsRecords);
        Assert.Equal([new FleetHostCa("edge", "EDGE-PEM")], state.HostCas);
        Assert.Null(state.RootCrl);
        Assert.Equal("ROOT-PEM", state.TrustBundle);
    }

    [Fact]
    public void The_payload_is_the_same_bytes_for_the_same_state_and_round_trips()
    {
        var inventory = InventoryLoader.Parse(Inventory, "kith.yaml");
        var state = FleetStateBuilder.Build(inventory, _ => null, "ROOT-PEM", 1, TestPublisher.Start);

        var bytes = FleetStateSigner.Serialize(state);

        Assert.Equal(bytes, FleetStateSigner.Serialize(FleetStateBuilder.Build(inventory, _ => null, "ROOT-PEM", 1, TestPublisher.Start)));
        Assert.Contains("\"dns_records\":", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.True(Kith.Operator.FleetStatePublication.SameContent(state, state with { Version = 9, IssuedAt = TestPublisher.Start.AddDays(1) }));
        Assert.False(Kith.Operator.FleetStatePublication.SameContent(state, state with { Domain = "lab.home.arpa" }));
    }

    [Fact]
    public void A_state_written_before_the_delivery_fields_still_reads()
    {
        const string Old = """
            {"version":3,"domain":"home.arpa","issued_at":"2026-01-01T00:00:00+00:00",
             "machines":[{"name":"storage","addresses":[],"roles":[],"tags":[],
               "endpoints":[{"service":"web","names":["web.home.arpa"],"kind":"server"}]}],
             "dns_records":[],"host_cas":[],"root_crl":null,"trust_bundle":"ROOT-PEM"}
            """;

        var state = System.Text.Json.JsonSerializer.Deserialize(Old, FleetStateJson.Default.FleetState)!;

        var web = Assert.Single(Assert.Single(state.Machines).Endpoints);
        Assert.Equal(("web", "server"), (web.Service, web.Kind));
        Assert.Null(web.Folder);
        Assert.Null(web.Reload);
    }
}
