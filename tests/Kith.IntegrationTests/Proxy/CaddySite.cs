using Kith.IntegrationTests.Support;
using Kith.Inventory;
using Kith.Pki;
using Kith.Proxy;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// A machine's Caddy as kith renders it, serving on 127.0.0.1: music.home.arpa (upstream path /app/) and
/// storage.home.arpa (mTLS), each in front of its own echo upstream, certificates from the test PKI.
/// </summary>
internal sealed class CaddySite : IDisposable
{
    private readonly TestPki pki = new();
    private readonly TempFolder folder = new();
    private readonly EchoUpstream music = new("music");
    private readonly EchoUpstream storage = new("storage");
    private CaddyServer? caddy;

    public CaddySite()
    {
        (RootPem, var hostPem) = pki.WriteCas(folder);
        HttpsPort = TestProcesses.FreeLoopbackPort();
        HttpPort = TestProcesses.FreeLoopbackPort();
        using var issuer = new LeafIssuer(pki.Host);
        var sites = new[] { Site(issuer, hostPem, "music", music, "/app/", mtls: false), Site(issuer, hostPem, "storage", storage, "/", mtls: true) };
        var settings = ProxySettings.Default with { HttpsPort = HttpsPort, HttpPort = HttpPort, Http3 = Http3Mode.Off };
        Caddyfile = CaddyConfig.Render(new ProxyConfig("storage", sites, settings, RootPem, null, ["127.0.0.1"]));
        (ClientCertificate, ClientKey) = Leaf(issuer, hostPem, "client", CertificateUsage.Client, "storage.home.arpa");
    }

    public string Folder => folder.Path;

    public string RootPem { get; }

    public string Caddyfile { get; }

    public int HttpsPort { get; }

    public int HttpPort { get; }

    /// <summary>A kith client certificate (storage.home.arpa, client usage) and its key.</summary>
    public string ClientCertificate { get; }

    public string ClientKey { get; }

    public string Log => caddy?.Log ?? string.Empty;

    public async Task StartAsync() => caddy = await CaddyServer.StartAsync(folder.Path, Caddyfile, HttpsPort);

    public void Dispose()
    {
        caddy?.Dispose();
        music.Dispose();
        storage.Dispose();
        folder.Dispose();
        pki.Dispose();
    }

    private ProxySite Site(LeafIssuer issuer, string hostPem, string service, EchoUpstream upstream, string path, bool mtls)
    {
        var name = $"{service}.home.arpa";
        var (fullchain, key) = Leaf(issuer, hostPem, name, CertificateUsage.Server, name);
        return new ProxySite(service, [name], fullchain, key, hostPem, new ProxyUpstream([upstream.Server], false, null, path), mtls, null);
    }

    private (string Fullchain, string Key) Leaf(LeafIssuer issuer, string hostPem, string folderName, CertificateUsage usage, string name)
    {
        using var key = Keys.Create(KeyAlgorithm.EcdsaP256);
        var leaf = issuer.Issue(TestPki.Request(key, usage, name));
        return (
            folder.Write($"{folderName}/fullchain.pem", leaf.ToPem() + File.ReadAllText(hostPem)),
            folder.Write($"{folderName}/key.pem", key.ExportPkcs8PrivateKeyPem() + "\n"));
    }
}
