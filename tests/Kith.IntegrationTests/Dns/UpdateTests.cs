using Kith.IntegrationTests.Acme.Clients;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// RFC 2136 updates against a real agent with role dns (docs/dns.md, "Dynamic updates"): knsupdate and nsupdate
/// change _acme-challenge TXT records that kdig then sees, wrong keys and other names are refused, and dns-01
/// works end to end with lego against pebble and against the agent's own ACME server.
/// </summary>
public sealed class UpdateTests(UpdateAgentFleet fleet) : IClassFixture<UpdateAgentFleet>
{
    [Theory]
    [InlineData("knsupdate", "_acme-challenge.music.home.arpa")]
    [InlineData("nsupdate", "_acme-challenge.home.arpa")]
    public async Task A_TXT_record_added_with_the_key_is_answered_and_gone_after_the_delete(string tool, string name)
    {
        var add = await fleet.UpdateAsync(tool, "home.arpa", null, $"add {name} 60 TXT \"{tool}-token\"");

        Assert.True(add.ExitCode == 0, $"{add}\n{fleet.Agent.Log}");
        Assert.Equal($"\"{tool}-token\"", await fleet.TxtAsync(name));
        Assert.Contains($"dns update by key acme-update from 127.0.0.1", fleet.Agent.Log, StringComparison.Ordinal);

        var delete = await fleet.UpdateAsync(tool, "home.arpa", null, $"delete {name} TXT \"{tool}-token\"");

        Assert.True(delete.ExitCode == 0, $"{delete}\n{fleet.Agent.Log}");
        Assert.Equal(string.Empty, await fleet.TxtAsync(name));
        Assert.DoesNotContain(UpdateAgentFleet.Secret, fleet.Agent.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_the_record_stays_absent()
    {
        var wrong = Convert.ToBase64String(new byte[32]);

        var add = await fleet.UpdateAsync("knsupdate", "home.arpa", wrong, "add _acme-challenge.music.home.arpa 60 TXT \"forged\"");

        Assert.NotEqual(0, add.ExitCode);
        Assert.Equal(string.Empty, await fleet.TxtAsync("_acme-challenge.music.home.arpa"));
    }

    [Fact]
    public async Task An_address_update_for_a_fleet_name_is_refused()
    {
        var add = await fleet.UpdateAsync("knsupdate", "home.arpa", null, "add www.home.arpa 60 A 192.0.2.66");

        Assert.NotEqual(0, add.ExitCode);
        Assert.Contains("REFUSED", add.Output, StringComparison.Ordinal);
        var kdig = await UpdateTool.RunAsync("kdig", ["@127.0.0.1", "-p", $"{fleet.DnsPort}", "+timeout=3", "+retry=0", "www.home.arpa", "A"]);
        Assert.Contains("status: NXDOMAIN", kdig.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lego_rfc2136_gets_a_certificate_from_pebble_validating_through_the_agents_dns()
    {
        using var pebble = await PebbleServer.StartAsync(new PebbleOptions { DnsServer = fleet.DnsAddress });
        using var work = new TempFolder();
        var lego = new Lego(pebble.DirectoryUrl, pebble.CaFile, work.File("lego"));

        var issued = await lego.RunAsync(new LegoChallenge.Rfc2136(fleet.DnsAddress, UpdateAgentFleet.KeyName, UpdateAgentFleet.Secret), ["music.home.arpa"]);

        IssuedChain.AssertValid(issued, pebble.RootFile, ["music.home.arpa"]);
    }

    [Fact]
    public async Task Lego_rfc2136_gets_a_certificate_from_the_agents_acme_server_validating_dns01_through_its_own_dns()
    {
        using var work = new TempFolder();
        var lego = new Lego(fleet.AcmeDirectory, fleet.Kith.RootCertificate, work.File("lego"));

        var issued = await lego.RunAsync(new LegoChallenge.Rfc2136(fleet.DnsAddress, UpdateAgentFleet.KeyName, UpdateAgentFleet.Secret), ["music.home.arpa"]);

        IssuedChain.AssertValid(issued, fleet.Kith.RootCertificate, ["music.home.arpa"]);
        Assert.Contains("dns update by key acme-update from 127.0.0.1", fleet.Agent.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certbot_rfc2136_gets_a_certificate_from_the_agents_acme_server()
    {
        using var work = new TempFolder();
        var credentials = work.Write("rfc2136.ini", $"""
            dns_rfc2136_server = 127.0.0.1
            dns_rfc2136_port = {fleet.DnsPort}
            dns_rfc2136_name = {UpdateAgentFleet.KeyName}
            dns_rfc2136_secret = {UpdateAgentFleet.Secret}
            dns_rfc2136_algorithm = HMAC-SHA256

            """);
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var certbot = new Certbot(fleet.AcmeDirectory, fleet.Kith.RootCertificate, work.File("certbot"));

        var issued = await certbot.CertonlyRfc2136Async(credentials, ["music.home.arpa"]);

        IssuedChain.AssertValid(issued, fleet.Kith.RootCertificate, ["music.home.arpa"]);
    }
}
