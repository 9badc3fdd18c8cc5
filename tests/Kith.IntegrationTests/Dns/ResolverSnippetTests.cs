using Kith.Dns;
using Kith.Fleet;
using Kith.IntegrationTests.Support;
using Kith.Inventory;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// The snippets of <c>kith dns resolver</c> in real resolvers on loopback: knotd serves the fleet's zones (built from
/// the same inventory) on 127.0.0.1, the dns machine's address; unbound and dnsmasq, given only the snippet, answer
/// the fleet's names through it, private addresses included.
/// </summary>
public sealed class ResolverSnippetTests : IDisposable
{
    private const string InventoryText = """
        domain: home.arpa
        zones: [lab.home.arpa, example.internal]
        machines:
          ns: { addresses: [127.0.0.1], roles: [dns] }
          storage: { addresses: [192.168.1.20] }
          edge: { addresses: [10.0.0.5] }
        services:
          music: { machine: storage, endpoints: [music.home.arpa], aliases: [music.example.internal] }
          ci: { machine: edge, endpoints: [ci.lab.home.arpa] }
        dns:
          records:
            - { name: printer.lab.home.arpa, type: A, value: 10.0.0.9 }
            - { name: git.example.internal, type: A, value: 172.16.0.7 }
        """;

    private readonly KithWorkspace kith = new(InventoryText);

    [Fact]
    public async Task Unbound_with_the_fragment_answers_every_zone_from_the_dns_machine_including_home_arpa_which_it_would_answer_itself()
    {
        using var knot = await StartKnotAsync();
        var fragment = await SnippetAsync("unbound", knot.Port);
        var (check, checkOutput) = ResolverDaemon.Run("unbound-checkconf", fragment);
        Assert.True(check == 0, checkOutput);

        using var unbound = await ResolverDaemon.StartUnboundAsync(kith.File("unbound"), fragment);

        AssertAnswers(unbound, knot);
        // unbound resolves, so it also follows a CNAME from one zone into another (knot answers only the CNAME).
        var ci = unbound.Query("ci.lab.home.arpa");
        Assert.True(ci.Contains("10.0.0.5", StringComparison.Ordinal), $"{ci}\n{unbound.Log}");
        var alias = unbound.Query("music.example.internal");
        Assert.True(alias.Contains("192.168.1.20", StringComparison.Ordinal), $"{alias}\n{unbound.Log}");
    }

    [Fact]
    public async Task Dnsmasq_with_the_fragment_answers_every_zone_from_the_dns_machine_despite_rebind_protection()
    {
        using var knot = await StartKnotAsync();
        var fragment = await SnippetAsync("dnsmasq", knot.Port);

        using var dnsmasq = await ResolverDaemon.StartDnsmasqAsync(fragment);

        AssertAnswers(dnsmasq, knot);
    }

    [Fact]
    public async Task Without_rebind_domain_ok_dnsmasq_would_drop_the_fleets_private_answers()
    {
        // The control for the test above: the same fragment less its rebind-domain-ok lines loses the answer.
        using var knot = await StartKnotAsync();
        var fragment = await SnippetAsync("dnsmasq", knot.Port);
        File.WriteAllLines(fragment, File.ReadAllLines(fragment).Where(l => !l.StartsWith("rebind-domain-ok=", StringComparison.Ordinal)));

        using var dnsmasq = await ResolverDaemon.StartDnsmasqAsync(fragment);

        Assert.DoesNotContain("192.168.1.20", dnsmasq.Query("storage.home.arpa"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_systemd_resolved_drop_in_routes_each_zone_to_the_dns_machine_and_nothing_else()
    {
        var text = (await kith.SucceedAsync("dns", "resolver", "--format", "systemd-resolved")).Out;

        // resolved.conf syntax: comments, one [Resolve] section, KEY=VALUE lines.
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal("[Resolve]", lines[0]);
        var settings = lines.Skip(1).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(["DNS", "Domains"], settings.Keys);
        Assert.Equal(["127.0.0.1"], settings["DNS"].Split(' '));
        Assert.Equal(["~home.arpa", "~lab.home.arpa", "~example.internal"], settings["Domains"].Split(' '));
    }

    [Fact]
    public async Task The_snippet_goes_to_a_file_with_dash_o_readable_by_the_resolver()
    {
        var path = kith.File("etc/dnsmasq.d/kith.conf");

        var result = await kith.SucceedAsync("dns", "resolver", "--format", "dnsmasq", "-o", path);

        Assert.Equal(string.Empty, result.Out);
        Assert.Contains("server=/home.arpa/127.0.0.1\n", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task Without_a_dns_machine_the_command_says_which_role_is_missing()
    {
        kith.Inventory = kith.Write("no-dns.yaml", InventoryText.Replace(", roles: [dns]", string.Empty, StringComparison.Ordinal));

        var result = await kith.KithAsync("dns", "resolver", "--format", "unbound");

        CliRun.AssertCleanFailure(result, 1, "no-dns.yaml", "no machine has role dns", "roles: [dns]");
    }

    [Fact]
    public async Task An_unknown_format_is_a_usage_error_listing_the_formats()
    {
        var result = await kith.KithAsync("dns", "resolver", "--format", "bind");

        CliRun.AssertUsageError(result, "systemd-resolved", "dnsmasq", "unbound");
    }

    public void Dispose() => kith.Dispose();

    /// <summary>What a user checks: a name in each zone, a CNAME chain inside a zone, a name that does not exist.</summary>
    private static void AssertAnswers(ResolverDaemon resolver, ResolverDaemon knot)
    {
        var logs = $"{resolver.Log}\n{knot.Log}";
        var music = resolver.Query("music.home.arpa");
        Assert.True(music.Contains("status: NOERROR", StringComparison.Ordinal) && music.Contains("CNAME", StringComparison.Ordinal) && music.Contains("192.168.1.20", StringComparison.Ordinal), $"{music}\n{logs}");
        var printer = resolver.Query("printer.lab.home.arpa");
        Assert.True(printer.Contains("10.0.0.9", StringComparison.Ordinal), $"{printer}\n{logs}");
        var git = resolver.Query("git.example.internal");
        Assert.True(git.Contains("172.16.0.7", StringComparison.Ordinal), $"{git}\n{logs}");
        var missing = resolver.Query("nothere.home.arpa");
        Assert.True(missing.Contains("status: NXDOMAIN", StringComparison.Ordinal), $"{missing}\n{logs}");
    }

    private Task<ResolverDaemon> StartKnotAsync()
    {
        var state = FleetStateBuilder.Build(InventoryLoader.Parse(InventoryText, "kith.yaml"), _ => null, "ROOT", 1, DateTimeOffset.UtcNow);
        return ResolverDaemon.StartKnotAsync(kith.File("knot"), FleetZones.Build(state));
    }

    /// <summary>The CLI's snippet for the dns machines on <paramref name="port"/>, written where the resolver reads it.</summary>
    private async Task<string> SnippetAsync(string format, int port)
    {
        var result = await kith.SucceedAsync("dns", "resolver", "--format", format, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return kith.Write($"{format}-kith.conf", result.Out);
    }
}
