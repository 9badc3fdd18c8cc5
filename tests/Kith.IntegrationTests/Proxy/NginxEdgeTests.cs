using Kith.IntegrationTests.Support;
using Kith.Pki;
using Kith.Proxy;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// An edge and a backend, two nginx instances with kith's config on 127.0.0.1: the edge forwards a public service to
/// the backend's HTTPS port, verifying its certificate against the kith Root. The "VPN" is 127.0.0.1 (the address the
/// edge connects from), trusted for X-Forwarded-For; the client connects from 127.0.0.5.
/// </summary>
public class NginxEdgeTests
{
    private const string Client = "127.0.0.5";

    [Fact]
    public async Task The_edge_reaches_the_backend_over_tls_and_the_upstream_sees_the_client_not_the_edge()
    {
        using var folder = new TempFolder();
        using var pki = new ProxyPki(folder);
        await using var photos = new EchoUpstream("photos");
        using var backend = await StartBackendAsync(folder, pki, pki, photos);
        using var edge = await StartEdgeAsync(folder, pki, backend);

        var result = Curl.Https(pki.RootCertificate, "photos.home.arpa", edge.HttpsPort, "/album", "--interface", Client, "-H", "X-Forwarded-For: 203.0.113.7");

        Assert.True(result.Line("status") == "200", $"{result}\n{edge.Log}\n{backend.Log}");
        Assert.Equal("photos", result.Line("upstream"));
        Assert.Equal("photos.home.arpa", result.Line("Host"));
        Assert.Equal(Client, result.Line("X-Real-IP"));
        Assert.Contains("GET /album HTTP/1.1", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_trusting_the_edge_the_upstream_sees_the_edge()
    {
        using var folder = new TempFolder();
        using var pki = new ProxyPki(folder);
        await using var photos = new EchoUpstream("photos");
        using var backend = await StartBackendAsync(folder, pki, pki, photos, trusted: "100.64.0.0/10");
        using var edge = await StartEdgeAsync(folder, pki, backend, trusted: "100.64.0.0/10");

        var result = Curl.Https(pki.RootCertificate, "photos.home.arpa", edge.HttpsPort, "/", "--interface", Client);

        Assert.True(result.Line("status") == "200", $"{result}\n{edge.Log}");
        Assert.Equal("127.0.0.1", result.Line("X-Real-IP"));
    }

    [Fact]
    public async Task A_backend_certificate_from_another_root_gets_a_502_and_nothing_reaches_the_upstream()
    {
        using var folder = new TempFolder();
        using var pki = new ProxyPki(folder);
        using var strangerFolder = new TempFolder();
        using var stranger = new ProxyPki(strangerFolder);
        await using var photos = new EchoUpstream("photos");
        using var backend = await StartBackendAsync(folder, pki, stranger, photos);
        using var edge = await StartEdgeAsync(folder, pki, backend);

        var result = Curl.Https(pki.RootCertificate, "photos.home.arpa", edge.HttpsPort);

        Assert.True(result.Line("status") == "502", $"{result}\n{edge.Log}");
        Assert.Null(result.Line("upstream"));
        Assert.Contains("upstream SSL certificate verify error", edge.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_mtls_public_service_lets_a_kith_client_through_the_edge_and_refuses_one_without_a_certificate()
    {
        using var folder = new TempFolder();
        using var pki = new ProxyPki(folder);
        await using var photos = new EchoUpstream("photos");
        var backendFiles = pki.WriteEndpoint("backend-photos", CertificateUsage.Server, "photos.home.arpa");
        var backendConfig = ProxySites.Config("storage", pki, ProxySites.Settings("127.0.0.1/32"), null, ProxySites.Site("photos", backendFiles, ProxySites.Plain(photos), ["photos.home.arpa"], mtls: true));
        using var backend = await RenderedNginx.StartAsync(folder.File("backend"), backendConfig);

        // The edge copy of an mTLS service is a server and client certificate (kind both, as the fleet state gives it).
        var edgeFiles = pki.WriteEndpoint("edge-photos", CertificateUsage.Both, "photos.home.arpa");
        var upstream = new ProxyUpstream([$"127.0.0.1:{backend.HttpsPort}"], Tls: true, TlsName: null, Path: "/");
        var edgeConfig = ProxySites.Config("edge", pki, ProxySites.Settings("127.0.0.1/32"), null, ProxySites.Site("photos", edgeFiles, upstream, ["photos.home.arpa"], mtls: true, backend: "storage"));
        using var edge = await RenderedNginx.StartAsync(folder.File("edge"), edgeConfig);
        var client = pki.WriteEndpoint("laptop-client", CertificateUsage.Client, "backup.laptop.home.arpa");

        var accepted = Curl.Https(pki.RootCertificate, "photos.home.arpa", edge.HttpsPort, "/", "--interface", Client, "--cert", Path.Combine(client, "fullchain.pem"), "--key", Path.Combine(client, "key.pem"));
        var refused = Curl.Https(pki.RootCertificate, "photos.home.arpa", edge.HttpsPort, "/", "--interface", Client);

        Assert.True(accepted.Line("status") == "200", $"{accepted}\n{edge.Log}\n{backend.Log}");
        Assert.Equal("photos", accepted.Line("upstream"));
        Assert.Equal(Client, accepted.Line("X-Real-IP"));
        Assert.True(refused.Line("status") == "400", refused.ToString());
        Assert.Null(refused.Line("upstream"));
    }

    /// <summary>The backend "storage": photos.home.arpa with a certificate from <paramref name="issuer"/>, forwarding to the echo server.</summary>
    private static Task<RenderedNginx> StartBackendAsync(TempFolder folder, ProxyPki fleet, ProxyPki issuer, EchoUpstream upstream, string trusted = "127.0.0.1/32")
    {
        var files = issuer.WriteEndpoint("backend-photos", CertificateUsage.Server, "photos.home.arpa");
        var config = ProxySites.Config("storage", fleet, ProxySites.Settings(trusted), null, ProxySites.Site("photos", files, ProxySites.Plain(upstream), ["photos.home.arpa"]));
        return RenderedNginx.StartAsync(folder.File("backend"), config);
    }

    /// <summary>The edge: an edge copy of photos (Backend storage), forwarding to the backend's HTTPS port.</summary>
    private static Task<RenderedNginx> StartEdgeAsync(TempFolder folder, ProxyPki pki, RenderedNginx backend, string trusted = "127.0.0.1/32")
    {
        var files = pki.WriteEndpoint("edge-photos", CertificateUsage.Server, "photos.home.arpa");
        var upstream = new ProxyUpstream([$"127.0.0.1:{backend.HttpsPort}"], Tls: true, TlsName: null, Path: "/");
        var config = ProxySites.Config("edge", pki, ProxySites.Settings(trusted), null, ProxySites.Site("photos", files, upstream, ["photos.home.arpa"], backend: "storage"));
        return RenderedNginx.StartAsync(folder.File("edge"), config);
    }
}
