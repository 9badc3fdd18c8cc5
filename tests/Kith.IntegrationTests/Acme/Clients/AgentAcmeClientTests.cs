namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>
/// certbot, lego and caddy against the kith agent's ACME server: what a user of each client sees. Every issued chain
/// must verify with openssl against the fleet Root through the Host CA the client saved, name exactly what was asked,
/// and a revocation must reach the agent's issuance log.
/// </summary>
public sealed class AgentAcmeClientTests
{

    /// <summary>Web's endpoint: inside alpha's name constraints.</summary>
    private const string Web = "web.home.arpa";

    /// <summary>The machine's own name: inside its constraints too.</summary>
    private const string Alpha = "alpha.home.arpa";

    /// <summary>No endpoint of alpha: outside its Host CA's constraints.</summary>
    private const string Outside = "music.home.arpa";

    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Certbot_gets_a_certificate_by_http01_and_renews_it()
    {
        using var agent = await AgentAcme.StartAsync();
        var certbot = new Certbot(agent.DirectoryUrl, agent.RootFile, agent.Folder("certbot")) { Timeout = ClientTimeout };

        var issued = await certbot.CertonlyAsync(agent.HttpPort, [Web, Alpha]);
        AssertValid(issued, agent, [Web, Alpha]);
        using var first = IssuedChain.Leaf(issued.Files.Certificate);

        var renewed = await certbot.RenewAsync(Web);
        AssertValid(renewed, agent, [Web, Alpha]);
        using var second = IssuedChain.Leaf(renewed.Files.Certificate);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
    }

    [Fact]
    public async Task With_external_account_binding_required_each_kith_eab_key_registers_one_certbot_or_lego_account()
    {
        using var agent = await AgentAcme.StartAsync("acme_external_account_required: true");
        var certbot = new Certbot(agent.DirectoryUrl, agent.RootFile, agent.Folder("certbot")) { Timeout = ClientTimeout };
        var lego = new Lego(agent.DirectoryUrl, agent.RootFile, agent.Folder("lego")) { Timeout = ClientTimeout };
        var first = await agent.CreateExternalAccountAsync();
        var second = await agent.CreateExternalAccountAsync();

        var without = await certbot.CertonlyAsync(agent.HttpPort, [Web]);
        Assert.False(without.Run.Succeeded, without.ToString());
        Assert.Contains("externalAccountRequired", without.Run.Output, StringComparison.Ordinal);

        AssertValid(await certbot.CertonlyAsync(agent.HttpPort, [Web], first), agent, [Web]);

        var reused = await lego.RunAsync(new LegoChallenge.Http(agent.HttpPort), [Alpha], first);
        Assert.False(reused.Run.Succeeded, reused.ToString());
        Assert.Contains("already bound", reused.Run.Output, StringComparison.Ordinal);

        AssertValid(await lego.RunAsync(new LegoChallenge.Http(agent.HttpPort), [Alpha], second), agent, [Alpha]);
    }

    [Fact]
    public async Task Lego_gets_a_certificate_by_http01()
    {
        using var agent = await AgentAcme.StartAsync();
        var lego = new Lego(agent.DirectoryUrl, agent.RootFile, agent.Folder("lego")) { Timeout = ClientTimeout };

        var issued = await lego.RunAsync(new LegoChallenge.Http(agent.HttpPort), [Web]);

        AssertValid(issued, agent, [Web]);
    }

    [Fact]
    public async Task Lego_gets_a_certificate_by_tls_alpn01_and_renews_it()
    {
        using var agent = await AgentAcme.StartAsync();
        var lego = new Lego(agent.DirectoryUrl, agent.RootFile, agent.Folder("lego")) { Timeout = ClientTimeout };
        var challenge = new LegoChallenge.TlsAlpn(agent.TlsPort);

        var issued = await lego.RunAsync(challenge, [Web]);
        AssertValid(issued, agent, [Web]);
        using var first = IssuedChain.Leaf(issued.Files.Certificate);

        // Far more days than any leaf lasts: lego renews whatever the lifetime the agent gives.
        var renewed = await lego.RenewAsync(challenge, [Web], days: 100_000);
        AssertValid(renewed, agent, [Web]);
        using var second = IssuedChain.Leaf(renewed.Files.Certificate);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
    }

    [Fact]
    public async Task Lego_gets_a_wildcard_certificate_by_dns01()
    {
        using var agent = await AgentAcme.StartAsync();
        var lego = new Lego(agent.DirectoryUrl, agent.RootFile, agent.Folder("lego")) { Timeout = ClientTimeout };
        var challenge = new LegoChallenge.Dns(agent.Dns.WriteLegoExecScript(agent.Folder("hook")), agent.Dns.DnsAddress);

        var issued = await lego.RunAsync(challenge, [Web, "*.web.home.arpa"]);

        AssertValid(issued, agent, [Web, "*.web.home.arpa"]);
    }

    [Fact]
    public async Task Caddy_gets_a_certificate_and_serves_it_for_its_name()
    {
        using var agent = await AgentAcme.StartAsync();
        using var caddy = CaddyServer.Start(agent.DirectoryUrl, agent.RootFile, Web, agent.HttpPort, agent.TlsPort);

        var saved = await caddy.WaitForCertificateAsync(TimeSpan.FromSeconds(60));

        var (exitCode, output) = Support.Openssl.Verify(agent.RootFile, saved, saved);
        Assert.True(exitCode == 0, $"openssl verify: {output}\n{caddy.Log}\n{agent.Log}");
        Assert.Equal([Web], IssuedChain.DnsNames(saved));
        using var stored = IssuedChain.Leaf(saved);
        using var served = await TlsProbe.CertificateAsync(caddy.HttpsPort, Web);
        Assert.Equal(stored.Thumbprint, served.Thumbprint);
    }

    [Fact]
    public async Task A_name_outside_the_machines_constraints_is_refused_to_certbot_and_lego()
    {
        using var agent = await AgentAcme.StartAsync();
        var certbot = new Certbot(agent.DirectoryUrl, agent.RootFile, agent.Folder("certbot")) { Timeout = ClientTimeout };
        var lego = new Lego(agent.DirectoryUrl, agent.RootFile, agent.Folder("lego")) { Timeout = ClientTimeout };

        var byCertbot = await certbot.CertonlyAsync(agent.HttpPort, [Web, Outside]);
        var byLego = await lego.RunAsync(new LegoChallenge.Http(agent.HttpPort), [Outside]);

        Assert.False(byCertbot.Run.Succeeded, byCertbot.ToString());
        Assert.False(File.Exists(byCertbot.Files.Certificate), byCertbot.ToString());
        Assert.Contains("rejectedIdentifier", byCertbot.Run.Output, StringComparison.Ordinal);
        Assert.False(byLego.Run.Succeeded, byLego.ToString());
        Assert.False(File.Exists(byLego.Files.Certificate), byLego.ToString());
        Assert.Contains("rejectedIdentifier", byLego.Run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certbot_revokes_with_the_account_key_and_with_the_certificate_key()
    {
        using var agent = await AgentAcme.StartAsync();
        var certbot = new Certbot(agent.DirectoryUrl, agent.RootFile, agent.Folder("certbot")) { Timeout = ClientTimeout };
        var byAccount = await certbot.CertonlyAsync(agent.HttpPort, [Web]);
        AssertValid(byAccount, agent, [Web]);
        var byKey = await certbot.CertonlyAsync(agent.HttpPort, [Alpha]);
        AssertValid(byKey, agent, [Alpha]);
        Assert.Null(await agent.RevocationReasonAsync(byAccount.Files.Certificate));

        var revoked = await certbot.RevokeAsync(byAccount.Files.Certificate, "keycompromise");
        var revokedByKey = await certbot.RevokeAsync(byKey.Files.Certificate, "superseded", byKey.Files.Key);

        Assert.True(revoked.Succeeded, $"{revoked}\n{agent.Log}");
        Assert.True(revokedByKey.Succeeded, $"{revokedByKey}\n{agent.Log}");
        Assert.Equal(1, await agent.RevocationReasonAsync(byAccount.Files.Certificate));
        Assert.Equal(4, await agent.RevocationReasonAsync(byKey.Files.Certificate));
    }

    [Fact]
    public async Task Lego_revokes_its_certificate()
    {
        using var agent = await AgentAcme.StartAsync();
        var lego = new Lego(agent.DirectoryUrl, agent.RootFile, agent.Folder("lego")) { Timeout = ClientTimeout };
        var issued = await lego.RunAsync(new LegoChallenge.Http(agent.HttpPort), [Web]);
        AssertValid(issued, agent, [Web]);

        var revoked = await lego.RevokeAsync([Web], reason: 5);

        Assert.True(revoked.Succeeded, $"{revoked}\n{agent.Log}");
        Assert.Equal(5, await agent.RevocationReasonAsync(issued.Files.Certificate));
        var listed = await agent.ListedAsync(issued.Files.Certificate);
        Assert.True(listed.GetProperty("revoked").GetBoolean(), listed.ToString());
        Assert.Equal([Web], listed.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
    }

    /// <summary>The chain the client saved must hold the Host CA: openssl gets only it as intermediates, and only the fleet Root as anchor.</summary>
    private static void AssertValid(IssuanceRun issued, AgentAcme agent, IReadOnlyCollection<string> names)
    {
        Assert.True(issued.Succeeded, $"{issued}\n--- agent ---\n{agent.Log}");
        IssuedChain.AssertValid(issued, agent.RootFile, names);
    }
}
