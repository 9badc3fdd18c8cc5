using Kith.Inventory;

namespace Kith.Proxy;

/// <summary>Which reverse proxy a config is rendered for.</summary>
public enum ProxyFormat
{
    Nginx,
    Caddy,
}

/// <summary>
/// Everything a proxy config of one machine is rendered from (docs/proxy.md): built from the fleet state by
/// <c>ProxyPlan.ForMachine</c>, so <c>kith proxy render</c> and the agent render the same thing. Every string in it
/// has passed <c>ProxyText</c>'s checks: no whitespace, quotes, ';', '{', '}', '$', '#', '\', control characters.
/// </summary>
/// <param name="Machine">The machine the config is for.</param>
/// <param name="Sites">One per proxied service (its own or, on an edge, a public one of another machine), ordered by service name.</param>
/// <param name="Settings">The fleet's proxy settings (ports, trusted networks, HTTP/3, 0-RTT, kTLS).</param>
/// <param name="RootCertificate">The kith Root certificate file on that machine: mTLS clients and backends are verified against it.</param>
/// <param name="OcspResponder">The local agent's OCSP URL (<c>http://127.0.0.1:8580/ocsp</c>) for stapling, or null for no stapling.</param>
/// <param name="ListenAddresses">Addresses to listen on (IP literals); empty means every address of the machine.</param>
public sealed record ProxyConfig(
    string Machine,
    IReadOnlyList<ProxySite> Sites,
    ProxySettings Settings,
    string RootCertificate,
    string? OcspResponder,
    IReadOnlyList<string> ListenAddresses);

/// <summary>One proxied service: the names it answers to, its certificate files on this machine, and where it forwards.</summary>
/// <param name="Service">The service's name (a DNS label): used for names inside the config (upstream blocks, comments).</param>
/// <param name="Names">The server names: endpoints then aliases; a wildcard stays <c>*.apps.home.arpa</c>.</param>
/// <param name="Fullchain">fullchain.pem (leaf + Host CA) of the endpoint on this machine.</param>
/// <param name="Key">key.pem of the endpoint.</param>
/// <param name="Chain">chain.pem (the Host CA): with the Root, what a stapled OCSP answer is verified against.</param>
/// <param name="Upstream">Where requests go.</param>
/// <param name="RequireClientCertificate">mTLS: only clients with a certificate chaining to the Root get in.</param>
/// <param name="Backend">On an edge: the machine the site forwards to over the VPN; null for a local service.</param>
public sealed record ProxySite(
    string Service,
    IReadOnlyList<string> Names,
    string Fullchain,
    string Key,
    string Chain,
    ProxyUpstream Upstream,
    bool RequireClientCertificate,
    string? Backend);

/// <summary>Where a site forwards to.</summary>
/// <param name="Servers">host:port pairs (<c>127.0.0.1:4533</c>, <c>[fd00::10]:443</c>); several for an edge's backend with several addresses.</param>
/// <param name="Tls">HTTPS to the backend, its certificate verified against the kith Root ("double TLS").</param>
/// <param name="TlsName">With <see cref="Tls"/>: the name sent as SNI and checked in the backend's certificate.</param>
/// <param name="Path">The upstream URL's path ("/" when it has none), appended as nginx's proxy_pass URI does.</param>
public sealed record ProxyUpstream(
    IReadOnlyList<string> Servers,
    bool Tls,
    string? TlsName,
    string Path);

/// <summary>What the installed nginx can do, read from <c>nginx -V</c> (docs/proxy.md).</summary>
/// <param name="Version">nginx's version, e.g. 1.22.1.</param>
/// <param name="Http3">Built with the http_v3 module (QUIC listeners, <c>http3 on</c>).</param>
/// <param name="Http2Directive">1.25.1 or later: <c>http2 on;</c> rather than the <c>http2</c> listen parameter.</param>
/// <param name="Ktls">Built with OpenSSL 3 or later (<c>ssl_conf_command Options KTLS</c> works).</param>
public sealed record NginxFeatures(Version Version, bool Http3, bool Http2Directive, bool Ktls);
