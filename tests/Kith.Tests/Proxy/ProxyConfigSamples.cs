using System.Net;
using Kith.Inventory;
using Kith.Proxy;

namespace Kith.Tests.Proxy;

/// <summary>Proxy configs for the renderer tests: a local service, a double-TLS one with mTLS, and an edge copy.</summary>
internal static class ProxyConfigSamples
{
    public static ProxySite Music { get; } = new(
        "music",
        ["music.home.arpa", "navidrome.home.arpa"],
        "/var/lib/kith/endpoints/music.home.arpa/fullchain.pem",
        "/var/lib/kith/endpoints/music.home.arpa/key.pem",
        "/var/lib/kith/endpoints/music.home.arpa/chain.pem",
        new ProxyUpstream(["127.0.0.1:4533"], Tls: false, TlsName: null, Path: "/"),
        RequireClientCertificate: false,
        Backend: null);

    public static ProxySite Vault { get; } = new(
        "vault",
        ["vault.home.arpa"],
        "/var/lib/kith/endpoints/vault.home.arpa/fullchain.pem",
        "/var/lib/kith/endpoints/vault.home.arpa/key.pem",
        "/var/lib/kith/endpoints/vault.home.arpa/chain.pem",
        new ProxyUpstream(["[::1]:8200"], Tls: true, TlsName: "vault-backend.home.arpa", Path: "/ui/"),
        RequireClientCertificate: true,
        Backend: null);

    public static ProxySite Photos { get; } = new(
        "photos",
        ["photos.home.arpa"],
        "/var/lib/kith/endpoints/photos.home.arpa/fullchain.pem",
        "/var/lib/kith/endpoints/photos.home.arpa/key.pem",
        "/var/lib/kith/endpoints/photos.home.arpa/chain.pem",
        new ProxyUpstream(["100.64.0.10:443", "[fd7a:115c:a1e0::10]:443"], Tls: true, TlsName: null, Path: "/"),
        RequireClientCertificate: false,
        Backend: "storage");

    public static ProxySettings Settings { get; } = ProxySettings.Default with
    {
        RealIpFrom = [IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("fd7a:115c:a1e0::/48")],
    };

    public static ProxyConfig Config(ProxySettings? settings = null, IReadOnlyList<string>? listen = null) => new(
        "edge",
        [Music, Photos, Vault],
        settings ?? Settings,
        "/var/lib/kith/root-ca.pem",
        "http://127.0.0.1:8580/ocsp",
        listen ?? ["192.0.2.10", "fd00::10"]);
}
