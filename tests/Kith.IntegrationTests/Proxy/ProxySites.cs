using Kith.IntegrationTests.Support;
using Kith.Inventory;
using Kith.Proxy;

namespace Kith.IntegrationTests.Proxy;

/// <summary>Builds <see cref="ProxyConfig"/>s by hand for the tests: loopback only, free ports.</summary>
internal static class ProxySites
{
    /// <summary>A site whose certificate files are in <paramref name="folder"/> (written by <see cref="ProxyPki.WriteEndpoint"/>).</summary>
    public static ProxySite Site(string service, string folder, ProxyUpstream upstream, string[] names, bool mtls = false, string? backend = null) => new(
        service,
        names,
        Path.Combine(folder, "fullchain.pem"),
        Path.Combine(folder, "key.pem"),
        Path.Combine(folder, "chain.pem"),
        upstream,
        mtls,
        backend);

    public static ProxyUpstream Plain(EchoUpstream upstream) => new([upstream.Server], Tls: false, TlsName: null, Path: "/");

    /// <summary>Settings with two free loopback ports, HTTP/3 auto, 0-RTT and kTLS on.</summary>
    public static ProxySettings Settings(params string[] realIpFrom) => ProxySettings.Default with
    {
        HttpsPort = TestProcesses.FreeLoopbackPort(),
        HttpPort = TestProcesses.FreeLoopbackPort(),
        RealIpFrom = [.. realIpFrom.Select(System.Net.IPNetwork.Parse)],
    };

    public static ProxyConfig Config(string machine, ProxyPki pki, ProxySettings settings, string? ocspResponder, params ProxySite[] sites) =>
        new(machine, sites, settings, pki.RootCertificate, ocspResponder, ["127.0.0.1"]);
}
