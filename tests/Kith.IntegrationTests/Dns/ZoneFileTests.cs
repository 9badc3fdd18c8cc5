using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// <c>kith dns zone</c> judged by the real tools: named-checkzone loads the BIND form, unbound-checkconf the
/// unbound fragment, dnsmasq --test the dnsmasq file.
/// </summary>
public class ZoneFileTests
{
    // Nested and separate extra zones, wildcards, IPv6, SRV, TXT with quotes, a backslash, non-ASCII and more
    // than 255 bytes, and per-record TTLs.
    private static readonly string LongText = "k=" + new string('x', 300) + " \"quoted\" back\\slash é";

    private static readonly string Fleet = $$"""
        domain: home.arpa
        zones: [lab.home.arpa, example.internal]
        machines:
          storage: { addresses: [192.0.2.10, "2001:db8::10"], roles: [dns] }
          ns2: { addresses: ["2001:db8::53"], roles: [dns] }
          edge: { addresses: [192.0.2.20] }
        services:
          web: { machine: storage, endpoints: [web.home.arpa], aliases: [www.example.internal] }
          apps: { machine: edge, endpoints: ["*.apps.home.arpa", "*.dev.lab.home.arpa"] }
          ci: { machine: edge, endpoints: [ci.lab.home.arpa] }
        dns:
          ttl: 10m
          records:
            - { name: home.arpa, type: TXT, value: 'v=spf1 -all' }
            - { name: txt.example.internal, type: TXT, value: '{{LongText.Replace("'", "''", StringComparison.Ordinal)}}' }
            - { name: _ldap._tcp.lab.home.arpa, type: SRV, value: "0 5 389 storage.home.arpa" }
            - { name: printer.lab.home.arpa, type: AAAA, value: "2001:db8::50", ttl: 1h }
            - { name: nas.example.internal, type: CNAME, value: storage.home.arpa }
        """;

    [Theory]
    [InlineData("home.arpa")]
    [InlineData("lab.example.org")]
    public async Task The_homelab_examples_zones_pass_named_checkzone(string apex)
    {
        using var kith = new KithWorkspace(Repository.Example("homelab.yaml"));
        var file = kith.File(apex + ".zone");

        await kith.SucceedAsync("dns", "zone", "--zone", apex, "-o", file);

        var (code, output) = ZoneTools.CheckZone(apex, file);
        Assert.True(code == 0, output);
        Assert.Contains("loaded serial 1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_zone_of_a_fleet_with_extra_zones_wildcards_long_txt_srv_and_ipv6_passes_named_checkzone()
    {
        using var kith = new KithWorkspace(Fleet);
        var folder = kith.File("zones");
        Directory.CreateDirectory(folder);

        var result = await kith.SucceedAsync("dns", "zone", "-o", folder);

        Assert.Equal(["example.internal.zone", "home.arpa.zone", "lab.home.arpa.zone"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("wrote", result.Out, StringComparison.Ordinal);
        foreach (var apex in new[] { "home.arpa", "lab.home.arpa", "example.internal" })
        {
            var (code, output) = ZoneTools.CheckZone(apex, Path.Combine(folder, apex + ".zone"));
            Assert.True(code == 0, $"{apex}: {output}\n{File.ReadAllText(Path.Combine(folder, apex + ".zone"))}");
        }

        var home = Spaced(ZoneTools.DumpZone("home.arpa", Path.Combine(folder, "home.arpa.zone")).Output);
        Assert.Contains("lab.home.arpa. 600 IN NS storage.home.arpa.", home, StringComparison.Ordinal);
        Assert.Contains("lab.home.arpa. 600 IN NS ns2.home.arpa.", home, StringComparison.Ordinal);
        var lab = Spaced(ZoneTools.DumpZone("lab.home.arpa", Path.Combine(folder, "lab.home.arpa.zone")).Output);
        Assert.Contains("*.dev.lab.home.arpa. 600 IN CNAME edge.home.arpa.", lab, StringComparison.Ordinal);
        Assert.Contains("printer.lab.home.arpa. 3600 IN AAAA 2001:db8::50", lab, StringComparison.Ordinal);
        Assert.Contains("_ldap._tcp.lab.home.arpa. 600 IN SRV 0 5 389 storage.home.arpa.", lab, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_txt_record_reads_back_as_the_same_bytes_in_255_byte_strings()
    {
        using var kith = new KithWorkspace(Fleet);
        var file = kith.File("example.internal.zone");

        await kith.SucceedAsync("dns", "zone", "--zone", "example.internal", "-o", file);

        var dump = ZoneTools.DumpZone("example.internal", file).Output;
        var line = dump.Split('\n').Single(l => l.StartsWith("txt.example.internal.", StringComparison.Ordinal));
        var strings = System.Text.RegularExpressions.Regex.Matches(line, "\"((?:[^\"\\\\]|\\\\.)*)\"").Select(m => Unescape(m.Groups[1].Value)).ToList();
        Assert.Equal(2, strings.Count);
        Assert.Equal(255, strings[0].Length);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(LongText), strings.SelectMany(s => s).ToArray());
    }

    [Fact]
    public async Task The_unbound_fragment_passes_unbound_checkconf()
    {
        foreach (var inventory in new[] { Repository.Example("homelab.yaml"), Fleet })
        {
            using var kith = new KithWorkspace(inventory);

            var fragment = (await kith.SucceedAsync("dns", "zone", "--format", "unbound")).Out;

            var (code, output) = ZoneTools.CheckUnbound(kith.Path, fragment);
            Assert.True(code == 0, output + "\n" + fragment);
            Assert.Contains("local-zone: \"home.arpa.\" static", fragment, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_dnsmasq_file_passes_dnsmasq_test()
    {
        foreach (var inventory in new[] { Repository.Example("homelab.yaml"), Fleet })
        {
            using var kith = new KithWorkspace(inventory);
            var file = kith.File("kith.conf");

            await kith.SucceedAsync("dns", "zone", "--format", "dnsmasq", "-o", file);

            var (code, output) = ZoneTools.CheckDnsmasq(file);
            Assert.True(code == 0, output + "\n" + File.ReadAllText(file));
            Assert.Contains("host-record=storage.home.arpa,", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_hosts_form_lists_every_name_with_its_machines_addresses()
    {
        using var kith = new KithWorkspace(Fleet);

        var hosts = (await kith.SucceedAsync("dns", "zone", "--format", "hosts")).Out;

        Assert.Contains("192.0.2.10 www.example.internal\n", hosts, StringComparison.Ordinal);
        Assert.Contains("2001:db8::10 nas.example.internal\n", hosts, StringComparison.Ordinal);
        Assert.Contains("2001:db8::50 printer.lab.home.arpa\n", hosts, StringComparison.Ordinal);
        Assert.DoesNotContain("\n192.0.2.20 *.", hosts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_dns_record_fails_with_one_located_line_and_writes_no_file()
    {
        using var kith = new KithWorkspace(TestInventories.AlphaOnly + "dns:\n  records:\n    - { name: printer.home.arpa, type: A, value: \"fd00::1\" }\n");
        var file = kith.File("home.arpa.zone");

        var result = await kith.KithAsync("dns", "zone", "-o", file);

        CliRun.AssertCleanFailure(result, 1, "kith.yaml:6:", "dns.records[0].value", "AAAA");
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Bind_without_zone_for_a_fleet_of_several_zones_asks_for_one_and_an_unknown_zone_lists_them()
    {
        using var kith = new KithWorkspace(Fleet);

        CliRun.AssertCleanFailure(await kith.KithAsync("dns", "zone"), 1, "--zone", "-o DIR");
        CliRun.AssertCleanFailure(await kith.KithAsync("dns", "zone", "--zone", "other.org"), 1, "other.org", "home.arpa, lab.home.arpa, example.internal");
    }

    [Fact]
    public async Task The_serial_is_the_last_published_fleet_state_version_and_1_before_any()
    {
        using var kith = new KithWorkspace(TestInventories.AlphaOnly);

        var before = await kith.SucceedAsync("dns", "zone");
        Assert.Contains(" 1 3600 600 604800 60", before.Out, StringComparison.Ordinal);
        Assert.Contains("serial is 1", before.Err, StringComparison.Ordinal);

        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        File.WriteAllText(kith.Inventory, TestInventories.AlphaOnly.Replace("127.0.0.1", "127.0.0.9", StringComparison.Ordinal));
        await kith.SucceedAsync("apply");

        var after = await kith.SucceedAsync("dns", "zone");
        Assert.Contains(" 2 3600 600 604800 60", after.Out, StringComparison.Ordinal);
        Assert.Contains("127.0.0.9", after.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("serial is 1", after.Err, StringComparison.Ordinal);
    }

    private static string Spaced(string text) => System.Text.RegularExpressions.Regex.Replace(text, "[ \t]+", " ");

    // named-checkzone -D writes bytes outside printable ASCII as \DDD and escapes '"' and '\' with a backslash.
    private static byte[] Unescape(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                bytes.Add((byte)text[i]);
            }
            else if (char.IsAsciiDigit(text[i + 1]))
            {
                bytes.Add(byte.Parse(text.AsSpan(i + 1, 3), System.Globalization.CultureInfo.InvariantCulture));
                i += 3;
            }
            else
            {
                bytes.Add((byte)text[++i]);
            }
        }

        return [.. bytes];
    }
}
