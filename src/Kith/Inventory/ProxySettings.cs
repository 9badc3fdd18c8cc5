using System.Net;

namespace Kith.Inventory;

/// <summary>Whether generated nginx servers also listen for HTTP/3 (QUIC).</summary>
public enum Http3Mode
{
    /// <summary>When the installed nginx has the http_v3 module (seen in <c>nginx -V</c>).</summary>
    Auto,

    /// <summary>Always; rendering for an nginx without the module is an error.</summary>
    On,

    /// <summary>Never.</summary>
    Off,
}

/// <summary>The <c>proxy:</c> block of kith.yaml (docs/proxy.md): fleet-wide settings of the generated proxy configs.</summary>
/// <param name="RealIpFrom">Networks (the VPN's, e.g. 100.64.0.0/10) whose X-Forwarded-For is trusted for the client's address.</param>
/// <param name="HttpsPort">The port every proxy serves HTTPS on (and an edge forwards to).</param>
/// <param name="HttpPort">The port of the HTTP→HTTPS redirect and the plain-HTTP sinkhole.</param>
/// <param name="Http3">HTTP/3 (QUIC) on the HTTPS port.</param>
/// <param name="EarlyData">TLS 1.3 0-RTT, with the Early-Data header (RFC 8470) passed upstream.</param>
/// <param name="Ktls">Kernel TLS (OpenSSL's KTLS option) where nginx's OpenSSL supports it.</param>
public sealed record ProxySettings(
    IReadOnlyList<IPNetwork> RealIpFrom,
    int HttpsPort,
    int HttpPort,
    Http3Mode Http3,
    bool EarlyData,
    bool Ktls)
{
    /// <summary>No trusted networks, ports 443 and 80, HTTP/3 when available, 0-RTT and kTLS on.</summary>
    public static ProxySettings Default { get; } = new([], 443, 80, Http3Mode.Auto, EarlyData: true, Ktls: true);
}
