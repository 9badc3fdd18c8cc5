using Kith.IntegrationTests.Acme.Clients;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// dns-01 end to end with real clients: lego's rfc2136 provider sends TSIG-signed updates to kith's DNS, and the CA
/// validates the challenge by asking kith's DNS for the TXT record.
/// </summary>
public sealed class UpdateDns01Tests
{
    private const string Name = "music.home.arpa";

    [Fact]
    public async Task Lego_rfc2136_gets_a_certificate_from_pebble_validating_through_kiths_dns()
    {
        await using var dns = await UpdateDnsFront.StartAsync();
        using var pebble = await PebbleServer.StartAsync(new PebbleOptions { DnsServer = dns.Address });
        using var work = new TempFolder();
        var lego = new Lego(pebble.DirectoryUrl, pebble.CaFile, work.File("lego"));

        var issued = await lego.RunAsync(new LegoChallenge.Rfc2136(dns.Address, UpdateDnsFront.KeyName, UpdateDnsFront.Secret), [Name]);

        IssuedChain.AssertValid(issued, pebble.RootFile, [Name]);
        Assert.Empty(dns.Records.Snapshot()); // lego removed its challenge record afterwards
    }
}
