using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Kith.Dns;
using Kith.Dns.Formats;

namespace Kith.Tests.Dns;

/// <summary>The four zone formats, line by line, and TXT quoting for any text.</summary>
public partial class ZoneFormatTests
{
    private static readonly FleetZone Zone = new("home.arpa", 9,
    [
        new ZoneRecord("home.arpa", "SOA", 300, "storage.home.arpa hostmaster.home.arpa 9 3600 600 604800 60"),
        new ZoneRecord("home.arpa", "NS", 300, "storage.home.arpa"),
        new ZoneRecord("home.arpa", "TXT", 300, "say \"hi\" \\o/"),
        new ZoneRecord("_ldap._tcp.home.arpa", "SRV", 300, "0 5 389 storage.home.arpa"),
        new ZoneRecord("*.apps.home.arpa", "CNAME", 300, "storage.home.arpa"),
        new ZoneRecord("lab.home.arpa", "NS", 300, "storage.home.arpa"),
        new ZoneRecord("nas.home.arpa", "CNAME", 3600, "web.home.arpa"),
        new ZoneRecord("storage.home.arpa", "A", 300, "192.0.2.10"),
        new ZoneRecord("storage.home.arpa", "AAAA", 300, "2001:db8::10"),
        new ZoneRecord("web.home.arpa", "CNAME", 300, "storage.home.arpa"),
    ]);

    private static readonly FleetZone Lab = new("lab.home.arpa", 9,
    [
        new ZoneRecord("lab.home.arpa", "SOA", 300, "storage.home.arpa hostmaster.home.arpa 9 3600 600 604800 60"),
        new ZoneRecord("lab.home.arpa", "NS", 300, "storage.home.arpa"),
        new ZoneRecord("ci.lab.home.arpa", "CNAME", 300, "storage.home.arpa"),
    ]);

    [Fact]
    public void Bind_writes_origin_and_ttl_relative_owners_absolute_targets_and_only_differing_ttls()
    {
        var lines = BindZoneFile.Render(Zone).Split('\n').Select(l => Spaces().Replace(l, " ").Trim()).ToList();

        Assert.Equal("$ORIGIN home.arpa.", lines[1]);
        Assert.Equal("$TTL 300", lines[2]);
        Assert.Contains("@ IN SOA storage.home.arpa. hostmaster.home.arpa. 9 3600 600 604800 60", lines);
        Assert.Contains("@ IN TXT \"say \\\"hi\\\" \\\\o/\"", lines);
        Assert.Contains("_ldap._tcp IN SRV 0 5 389 storage.home.arpa.", lines);
        Assert.Contains("*.apps IN CNAME storage.home.arpa.", lines);
        Assert.Contains("nas 3600 IN CNAME web.home.arpa.", lines);
        Assert.Contains("lab IN NS storage.home.arpa.", lines);
    }

    [Fact]
    public void Hosts_follows_cname_chains_to_addresses_and_comments_out_wildcards()
    {
        var hosts = HostsFile.Render([Zone, Lab]);

        Assert.Contains("192.0.2.10 nas.home.arpa\n", hosts, StringComparison.Ordinal);
        Assert.Contains("2001:db8::10 nas.home.arpa\n", hosts, StringComparison.Ordinal);
        Assert.Contains("192.0.2.10 ci.lab.home.arpa\n", hosts, StringComparison.Ordinal);
        Assert.Contains("# *.apps.home.arpa: a hosts file cannot hold a wildcard name\n", hosts, StringComparison.Ordinal);
        Assert.DoesNotContain(hosts.Split('\n'), l => l.EndsWith(" lab.home.arpa", StringComparison.Ordinal));
    }

    [Fact]
    public void Dnsmasq_writes_local_data_lines_and_a_wildcard_as_an_address_line()
    {
        var lines = DnsmasqConfig.Render([Zone, Lab]).Split('\n');

        Assert.Contains("local=/home.arpa/", lines);
        Assert.Contains("local=/lab.home.arpa/", lines);
        Assert.Contains("host-record=storage.home.arpa,192.0.2.10,300", lines);
        Assert.Contains("cname=nas.home.arpa,web.home.arpa,3600", lines);
        Assert.Contains("txt-record=home.arpa,\"say \\\"hi\\\" \\\\o/\"", lines);
        Assert.Contains("srv-host=_ldap._tcp.home.arpa,storage.home.arpa,389,0,5", lines);
        Assert.Contains("address=/apps.home.arpa/2001:db8::10", lines);
    }

    [Fact]
    public void Unbound_writes_a_static_zone_per_apex_without_delegations_and_a_redirect_zone_per_wildcard()
    {
        var lines = UnboundConfig.Render([Zone, Lab]).Split('\n');

        Assert.Contains("local-zone: \"home.arpa.\" static", lines);
        Assert.Contains("local-zone: \"lab.home.arpa.\" static", lines);
        Assert.Contains("local-data: 'home.arpa. 300 IN TXT \"say \\\"hi\\\" \\\\o/\"'", lines);
        Assert.Contains("local-zone: \"apps.home.arpa.\" redirect", lines);
        Assert.Contains("local-data: 'apps.home.arpa. 300 IN AAAA 2001:db8::10'", lines);
        Assert.Single(lines, l => l.StartsWith("local-data: 'lab.home.arpa. 300 IN NS", StringComparison.Ordinal));
    }

    [Fact]
    public void Any_txt_text_quotes_into_strings_of_at_most_255_bytes_that_unescape_to_its_utf8_bytes() =>
        Gen.String.Sample(text =>
        {
            var quoted = ZoneText.QuotedStrings(text, escapeApostrophe: true);

            var strings = QuotedString().Matches(quoted).Select(m => Unescape(m.Groups[1].Value)).ToList();
            Assert.All(strings, s => Assert.InRange(s.Length, 0, 255));
            Assert.Equal(Encoding.UTF8.GetBytes(text), strings.SelectMany(s => s).ToArray());
            Assert.DoesNotContain('\'', quoted);
            Assert.All(quoted, c => Assert.InRange(c, ' ', '~'));
        });

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
                bytes.Add(byte.Parse(text.AsSpan(i + 1, 3), CultureInfo.InvariantCulture));
                i += 3;
            }
            else
            {
                bytes.Add((byte)text[++i]);
            }
        }

        return [.. bytes];
    }

    [GeneratedRegex("[ \t]+")]
    private static partial Regex Spaces();

    [GeneratedRegex("\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex QuotedString();
}
