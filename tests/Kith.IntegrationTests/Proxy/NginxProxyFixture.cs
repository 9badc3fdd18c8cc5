using Kith.IntegrationTests.Support;
using Kith.Pki;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// One nginx with kith's config for two services on 127.0.0.1: music (two names, plain upstream) and vault (mTLS),
/// trusting X-Forwarded-For only from 100.64.0.0/10, stapling lines on; plus a kith client certificate.
/// </summary>
public sealed class NginxProxyFixture : IAsyncLifetime
{
    private readonly TempFolder folder = new();
    private ProxyPki? pki;
    private EchoUpstream? music;
    private EchoUpstream? vault;
    private RenderedNginx? nginx;

    internal ProxyPki Pki => pki!;

    internal RenderedNginx Nginx => nginx!;

    /// <summary>The folder of a client certificate (usage client) from the same Root.</summary>
    internal string Client { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        pki = new ProxyPki(folder);
        music = new EchoUpstream("music");
        vault = new EchoUpstream("vault");
        var config = ProxySites.Config(
            "storage",
            pki,
            ProxySites.Settings("100.64.0.0/10"),
            $"http://127.0.0.1:{TestProcesses.FreeLoopbackPort()}/ocsp",
            ProxySites.Site("music", pki.WriteEndpoint("music", CertificateUsage.Server, "music.home.arpa", "navidrome.home.arpa"), ProxySites.Plain(music), ["music.home.arpa", "navidrome.home.arpa"]),
            ProxySites.Site("vault", pki.WriteEndpoint("vault", CertificateUsage.Server, "vault.home.arpa"), ProxySites.Plain(vault), ["vault.home.arpa"], mtls: true));
        Client = pki.WriteEndpoint("laptop", CertificateUsage.Client, "laptop.home.arpa");
        nginx = await RenderedNginx.StartAsync(folder.File("nginx"), config);
    }

    public async ValueTask DisposeAsync()
    {
        nginx?.Dispose();
        if (music is not null)
        {
            await music.DisposeAsync();
        }

        if (vault is not null)
        {
            await vault.DisposeAsync();
        }

        pki?.Dispose();
        folder.Dispose();
    }
}
