using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>
/// The ACME client harness (certbot, lego, caddy) against pebble, the reference test server: proves the harness
/// drives each client correctly, so that a failure against the kith agent is the agent's.
/// </summary>
[Trait("Category", "Pebble")]
public sealed class PebbleHarnessTests
{
    private const string Name = "music.home.arpa";

    [Fact]
    public async Task Certbot_gets_a_certificate_by_http01_and_renews_it()
    {
        using var pebble = await PebbleServer.StartAsync();
        using var work = new TempFolder();
        var certbot = new Certbot(pebble.DirectoryUrl, pebble.CaFile, work.File("certbot"));

        var issued = await certbot.CertonlyAsync(pebble.HttpPort, [Name, "www.music.home.arpa"]);
        IssuedChain.AssertValid(issued, pebble.RootFile, [Name, "www.music.home.arpa"]);
        using var first = IssuedChain.Leaf(issued.Files.Certificate);

        var renewed = await certbot.RenewAsync(Name);
        IssuedChain.AssertValid(renewed, pebble.RootFile, [Name, "www.music.home.arpa"]);
        using var second = IssuedChain.Leaf(renewed.Files.Certificate);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
    }

    [Fact]
    public async Task Lego_gets_a_certificate_by_http01()
    {
        using var pebble = await PebbleServer.StartAsync();
        using var work = new TempFolder();
        var lego = new Lego(pebble.DirectoryUrl, pebble.CaFile, work.File("lego"));

        var issued = await lego.RunAsync(new LegoChallenge.Http(pebble.HttpPort), [Name]);

        IssuedChain.AssertValid(issued, pebble.RootFile, [Name]);
    }

    [Fact]
    public async Task Lego_gets_a_certificate_by_tls_alpn01_and_renews_it()
    {
        using var pebble = await PebbleServer.StartAsync();
        using var work = new TempFolder();
        var lego = new Lego(pebble.DirectoryUrl, pebble.CaFile, work.File("lego"));
        var challenge = new LegoChallenge.TlsAlpn(pebble.TlsPort);

        var issued = await lego.RunAsync(challenge, [Name]);
        IssuedChain.AssertValid(issued, pebble.RootFile, [Name]);
        using var first = IssuedChain.Leaf(issued.Files.Certificate);

        // Pebble's certificates last five years, so "expires within 100 000 days" always renews.
        var renewed = await lego.RenewAsync(challenge, [Name], days: 100_000);
        IssuedChain.AssertValid(renewed, pebble.RootFile, [Name]);
        using var second = IssuedChain.Leaf(renewed.Files.Certificate);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
    }

    [Fact]
    public async Task Lego_gets_a_wildcard_certificate_by_dns01()
    {
        using var pebble = await PebbleServer.StartAsync();
        using var work = new TempFolder();
        var lego = new Lego(pebble.DirectoryUrl, pebble.CaFile, work.File("lego"));
        var challenge = new LegoChallenge.Dns(pebble.Dns.WriteLegoExecScript(work.Path), pebble.Dns.DnsAddress);

        var issued = await lego.RunAsync(challenge, [Name, "*.music.home.arpa"]);

        IssuedChain.AssertValid(issued, pebble.RootFile, [Name, "*.music.home.arpa"]);
    }

    [Fact]
    public async Task Caddy_gets_a_certificate_and_serves_it_for_its_name()
    {
        using var pebble = await PebbleServer.StartAsync();
        using var caddy = CaddyServer.Start(pebble.DirectoryUrl, pebble.CaFile, Name, pebble.HttpPort, pebble.TlsPort);

        var saved = await caddy.WaitForCertificateAsync(TimeSpan.FromSeconds(60));

        // Caddy stores the leaf and its chain in one file.
        var (exitCode, output) = Openssl.Verify(pebble.RootFile, saved, saved);
        Assert.True(exitCode == 0, $"openssl verify: {output}\n{caddy.Log}");
        Assert.Equal([Name], IssuedChain.DnsNames(saved));
        using var stored = IssuedChain.Leaf(saved);
        using var served = await TlsProbe.CertificateAsync(caddy.HttpsPort, Name);
        Assert.Equal(stored.Thumbprint, served.Thumbprint);
    }

    [Fact]
    public async Task Certbot_revokes_with_the_account_key_and_with_the_certificate_key()
    {
        using var pebble = await PebbleServer.StartAsync();
        using var work = new TempFolder();
        var certbot = new Certbot(pebble.DirectoryUrl, pebble.CaFile, work.File("certbot"));
        var byAccount = await certbot.CertonlyAsync(pebble.HttpPort, [Name]);
        IssuedChain.AssertValid(byAccount, pebble.RootFile, [Name]);
        var byKey = await certbot.CertonlyAsync(pebble.HttpPort, ["web.home.arpa"]);
        IssuedChain.AssertValid(byKey, pebble.RootFile, ["web.home.arpa"]);

        var revoked = await certbot.RevokeAsync(byAccount.Files.Certificate, "keycompromise");
        Assert.True(revoked.Succeeded, revoked.ToString());
        var revokedByKey = await certbot.RevokeAsync(byKey.Files.Certificate, "superseded", byKey.Files.Key);
        Assert.True(revokedByKey.Succeeded, revokedByKey.ToString());

        using var first = IssuedChain.Leaf(byAccount.Files.Certificate);
        using var second = IssuedChain.Leaf(byKey.Files.Certificate);
        Assert.Equal("Revoked", await pebble.CertificateStatusAsync(first));
        Assert.Equal("Revoked", await pebble.CertificateStatusAsync(second));
    }

    [Fact]
    public async Task Lego_revokes_its_certificate()
    {
        using var pebble = await PebbleServer.StartAsync();
        using var work = new TempFolder();
        var lego = new Lego(pebble.DirectoryUrl, pebble.CaFile, work.File("lego"));
        var issued = await lego.RunAsync(new LegoChallenge.Http(pebble.HttpPort), [Name]);
        IssuedChain.AssertValid(issued, pebble.RootFile, [Name]);
        using var leaf = IssuedChain.Leaf(issued.Files.Certificate);
        Assert.Equal("Valid", await pebble.CertificateStatusAsync(leaf));

        var revoked = await lego.RevokeAsync([Name], reason: 4);

        Assert.True(revoked.Succeeded, revoked.ToString());
        Assert.Equal("Revoked", await pebble.CertificateStatusAsync(leaf));
    }

    [Fact]
    public async Task Certbot_and_lego_register_with_an_external_account_binding_when_the_server_requires_one()
    {
        var account = new ExternalAccount("kith-test-kid", "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W");
        using var pebble = await PebbleServer.StartAsync(new PebbleOptions { ExternalAccountKeys = new Dictionary<string, string> { [account.KeyId] = account.HmacKey } });
        using var work = new TempFolder();
        var certbot = new Certbot(pebble.DirectoryUrl, pebble.CaFile, work.File("certbot"));
        var lego = new Lego(pebble.DirectoryUrl, pebble.CaFile, work.File("lego"));

        var withoutBinding = await certbot.CertonlyAsync(pebble.HttpPort, [Name]);
        Assert.False(withoutBinding.Run.Succeeded, withoutBinding.ToString());
        Assert.Contains("externalAccountRequired", withoutBinding.Run.Output, StringComparison.Ordinal);

        IssuedChain.AssertValid(await certbot.CertonlyAsync(pebble.HttpPort, [Name], account), pebble.RootFile, [Name]);
        IssuedChain.AssertValid(await lego.RunAsync(new LegoChallenge.Http(pebble.HttpPort), [Name], account), pebble.RootFile, [Name]);
    }
}
