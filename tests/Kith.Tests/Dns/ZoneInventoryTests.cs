using Kith.Inventory;
using static Kith.Tests.Inventory.InventoryAssert;

namespace Kith.Tests.Dns;

/// <summary>The inventory's dns: block: defaults, normal forms, and a located error for every bad field.</summary>
public class ZoneInventoryTests
{
    // Lines 1-7: domain, an extra zone, machine storage, service web (endpoint web.home.arpa); dns: is line 8,
    // the first record line 10, its name at column 13.
    private const string Head = """
        # A fleet with one service.
        domain: home.arpa
        zones: [example.internal]
        machines:
          storage: { addresses: [192.0.2.10] }
        services:
          web: { machine: storage, endpoints: [web.home.arpa] }

        """;

    private static string Dns(params string[] records) =>
        Head + "dns:\n  records:\n" + string.Concat(records.Select(r => "  - " + r + "\n"));

    [Fact]
    public void Without_a_dns_block_the_ttl_is_five_minutes_and_there_are_no_extra_records()
    {
        var inventory = Loads(Head);

        Assert.Equal(TimeSpan.FromMinutes(5), inventory.Dns.Ttl);
        Assert.Empty(inventory.Dns.Records);
    }

    [Fact]
    public void Records_are_read_in_their_normal_form()
    {
        var inventory = Loads(Head + """
            dns:
              ttl: 1h
              records:
                - { name: Printer.Home.Arpa., type: a, value: 192.0.2.50 }
                - { name: printer.home.arpa, type: AAAA, value: "FD00:0:0::50" }
                - { name: home.arpa, type: TXT, value: "v=spf1 -all", ttl: 30s }
                - { name: _LDAP._tcp.home.arpa, type: srv, value: "0  5 0389 Storage.home.arpa." }
                - { name: nas.example.internal, type: CNAME, value: STORAGE.home.arpa }
                - { name: "*.lab.home.arpa", type: A, value: 192.0.2.60 }
            """);

        Assert.Equal(TimeSpan.FromHours(1), inventory.Dns.Ttl);
        Assert.Equal(
            [
                new DnsRecordSpec("printer.home.arpa", "A", "192.0.2.50", null),
                new DnsRecordSpec("printer.home.arpa", "AAAA", "fd00::50", null),
                new DnsRecordSpec("home.arpa", "TXT", "v=spf1 -all", TimeSpan.FromSeconds(30)),
                new DnsRecordSpec("_ldap._tcp.home.arpa", "SRV", "0 5 389 storage.home.arpa", null),
                new DnsRecordSpec("nas.example.internal", "CNAME", "storage.home.arpa", null),
                new DnsRecordSpec("*.lab.home.arpa", "A", "192.0.2.60", null),
            ],
            inventory.Dns.Records);
    }

    [Theory]
    [InlineData("{ name: printer.home.arpa, type: MX, value: x }", 10, 38, "dns.records[0].type", "valid types: A, AAAA, TXT, SRV, CNAME")]
    [InlineData("{ name: printer.home.arpa, type: A, value: fd00::1 }", 10, 48, "dns.records[0].value", "use type AAAA")]
    [InlineData("{ name: printer.home.arpa, type: AAAA, value: 192.0.2.1 }", 10, 51, "dns.records[0].value", "use type A")]
    [InlineData("{ name: printer.home.arpa, type: A, value: 192.0.2 }", 10, 48, "dns.records[0].value", "not an IP address")]
    [InlineData("{ name: _x.home.arpa, type: SRV, value: \"0 5 storage.home.arpa\" }", 10, 45, "dns.records[0].value", "four fields")]
    [InlineData("{ name: _x.home.arpa, type: SRV, value: \"0 5 70000 storage.home.arpa\" }", 10, 45, "dns.records[0].value", "SRV port '70000'")]
    [InlineData("{ name: _x.home.arpa, type: SRV, value: \"0 5 1 bad_host!\" }", 10, 45, "dns.records[0].value", "SRV target")]
    [InlineData("{ name: nas.home.arpa, type: CNAME, value: \"*.home.arpa\" }", 10, 48, "dns.records[0].value", "wildcards")]
    [InlineData("{ name: printer.elsewhere.org, type: A, value: 192.0.2.1 }", 10, 13, "dns.records[0].name", "outside the fleet's zones (home.arpa, example.internal)")]
    [InlineData("{ name: \"bad..home.arpa\", type: A, value: 192.0.2.1 }", 10, 13, "dns.records[0].name", "empty label")]
    [InlineData("{ name: web.home.arpa, type: TXT, value: hi }", 10, 13, "dns.records[0].name", "endpoint or alias of service 'web'")]
    [InlineData("{ name: storage.home.arpa, type: CNAME, value: web.home.arpa }", 10, 13, "dns.records[0].name", "machine 'storage''s own name")]
    [InlineData("{ name: example.internal, type: CNAME, value: web.home.arpa }", 10, 13, "dns.records[0].name", "zone apex")]
    [InlineData("{ name: printer.home.arpa, type: A, value: 192.0.2.1, ttl: 2d }", 10, 64, "dns.records[0].ttl", "longer than the 1d")]
    [InlineData("{ name: printer.home.arpa, type: A, value: 192.0.2.1, ttl: 5 }", 10, 64, "dns.records[0].ttl", "not a duration")]
    [InlineData("{ name: printer.home.arpa, type: A, value: 192.0.2.1, prio: 5 }", 10, 59, "dns.records[0].prio", "unknown key 'prio'")]
    [InlineData("{ name: printer.home.arpa, value: 192.0.2.1 }", 10, 5, "dns.records[0].type", "'type' is required")]
    [InlineData("{ name: home.arpa, type: TXT, value: \"a\\tb\" }", 10, 42, "dns.records[0].value", "control character")]
    public void A_bad_record_field_is_reported_at_its_place(string record, int line, int column, string field, string keyword) =>
        HasError(Dns(record), line, column, field, keyword);

    [Fact]
    public void A_cname_beside_another_record_and_a_record_listed_twice_are_reported_at_the_second()
    {
        HasError(Dns("{ name: nas.home.arpa, type: TXT, value: hi }", "{ name: nas.home.arpa, type: CNAME, value: storage.home.arpa }"), 11, 13, "dns.records[1].name", "already has a TXT record at kith.yaml:10:13");
        HasError(Dns("{ name: nas.home.arpa, type: CNAME, value: storage.home.arpa }", "{ name: nas.home.arpa, type: A, value: 192.0.2.9 }"), 11, 13, "dns.records[1].name", "already has a CNAME record");
        HasError(Dns("{ name: nas.home.arpa, type: A, value: 192.0.2.9 }", "{ name: NAS.home.arpa, type: A, value: 192.0.2.9 }"), 11, 13, "dns.records[1].name", "listed twice");
    }

    [Theory]
    [InlineData("ttl: 0s", 9, 8, "dns.ttl", "zero")]
    [InlineData("ttl: 25h", 9, 8, "dns.ttl", "longer than the 1d")]
    [InlineData("records: { name: x }", 9, 12, "dns.records", "expected a list")]
    [InlineData("recrods: []", 9, 3, "dns.recrods", "did you mean 'records'?")]
    public void A_bad_dns_setting_is_reported_at_its_place(string line, int row, int column, string field, string keyword) =>
        HasError(Head + "dns:\n  " + line + "\n", row, column, field, keyword);

    [Fact]
    public void Every_bad_record_is_reported_at_once()
    {
        var errors = Fails(Dns("{ name: a.home.arpa, type: A, value: x }", "{ name: b.nowhere.org, type: A, value: 192.0.2.1 }", "{ name: c.home.arpa, type: PTR, value: x }"));

        Assert.Equal(["dns.records[0].value", "dns.records[1].name", "dns.records[2].type"], errors.Select(e => e.Field));
    }

    [Fact]
    public void The_homelab_example_carries_a_dns_block_that_loads()
    {
        var inventory = InventoryLoader.LoadFile(RepositoryFile("examples/homelab.yaml"));

        Assert.Equal(TimeSpan.FromMinutes(5), inventory.Dns.Ttl);
        Assert.Equal(["A", "AAAA", "TXT", "SRV", "CNAME"], inventory.Dns.Records.Select(r => r.Type));
        Assert.Equal(TimeSpan.FromHours(1), inventory.Dns.Records[^1].Ttl);
    }
}
