using System.Globalization;
using System.Net;
using Kith.Files;
using Kith.Fleet;
using Kith.Inventory;

namespace Kith.Proxy;

/// <summary>Where the files a proxy config names are on the machine, and where it listens.</summary>
/// <param name="RootCertificate">The kith Root certificate file (mTLS clients and backends are verified against it).</param>
/// <param name="FilesRoot">A folder the endpoint folders are under (the agent's files_root); null or "/" for none.</param>
/// <param name="OcspResponder">The local agent's OCSP URL for stapling, or null for no stapling.</param>
/// <param name="ListenAddresses">IP literals to listen on; empty for every address.</param>
public sealed record ProxyPaths(string RootCertificate, string? FilesRoot, string? OcspResponder, IReadOnlyList<string> ListenAddresses);

/// <summary>
/// Turns the fleet state into the render input of one machine's proxy config (docs/proxy.md), so that
/// <c>kith proxy render</c> and the agent render the same thing.
/// </summary>
public static class ProxyPlan
{
    /// <summary>
    /// The sites of <paramref name="machine"/> for <paramref name="format"/>: its endpoints served by that proxy with an
    /// upstream, plus every edge copy (whatever the format), ordered by service name.
    /// </summary>
    /// <exception cref="KithException">The machine is not in the state, or a value cannot go into a proxy config.</exception>
    public static ProxyConfig ForMachine(FleetState state, string machine, ProxyFormat format, ProxyPaths paths)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(paths);
        var self = state.Machines.FirstOrDefault(m => m.Name == machine)
            ?? throw new KithException($"machine '{machine}' is not in the fleet state; machines: {string.Join(", ", state.Machines.Select(m => m.Name))}");
        var settings = Settings(state.Proxy);
        var formatName = format.ToString().ToLowerInvariant();
        var sites = new List<ProxySite>();
        foreach (var endpoint in self.Endpoints.OrderBy(e => e.Service, StringComparer.Ordinal))
        {
            if (endpoint.Backend is { } backend)
            {
                sites.Add(Site(endpoint, paths, EdgeUpstream(state, endpoint.Service, backend, settings.HttpsPort)));
            }
            else if (endpoint.Proxy == formatName && endpoint.Upstream is { } upstream)
            {
                sites.Add(Site(endpoint, paths, Upstream(endpoint.Service, upstream)));
            }
        }

        return new ProxyConfig(
            ProxyText.Require(machine, "machine"),
            sites,
            settings,
            ProxyText.RequirePath(paths.RootCertificate, "root certificate"),
            paths.OcspResponder is { } ocsp ? ProxyText.Require(ocsp, "OCSP responder") : null,
            [.. paths.ListenAddresses.Select(a => ProxyText.Require(a, "listen address"))]);
    }

    /// <summary>The state's proxy settings as the renderers take them; the defaults for a state written before they existed.</summary>
    public static ProxySettings Settings(FleetProxySettings? proxy)
    {
        if (proxy is null)
        {
            return ProxySettings.Default;
        }

        var networks = new List<IPNetwork>();
        foreach (var text in proxy.RealIpFrom)
        {
            if (!IPNetwork.TryParse(ProxyText.Require(text, "proxy.real_ip_from"), out var network))
            {
                throw new KithException($"proxy.real_ip_from: '{text}' in the fleet state is not a network in CIDR form");
            }

            networks.Add(network);
        }

        var http3 = proxy.Http3 switch
        {
            "auto" => Http3Mode.Auto,
            "on" => Http3Mode.On,
            "off" => Http3Mode.Off,
            _ => throw new KithException($"proxy.http3: '{ProxyText.Require(proxy.Http3, "proxy.http3")}' in the fleet state is not auto, on or off"),
        };
        return new ProxySettings(networks, Port(proxy.HttpsPort, "https_port"), Port(proxy.HttpPort, "http_port"), http3, proxy.EarlyData, proxy.Ktls);
    }

    private static ProxySite Site(FleetEndpoint endpoint, ProxyPaths paths, ProxyUpstream upstream)
    {
        var what = $"service {ProxyText.Require(endpoint.Service, "service")}";
        var folder = endpoint.Folder ?? EndpointFiles.DefaultFolder(endpoint.Names[0]);
        if (paths.FilesRoot is { } root && root != "/")
        {
            folder = Path.Combine(root, folder.TrimStart('/'));
        }

        ProxyText.RequirePath(folder, what + ": folder");
        return new ProxySite(
            endpoint.Service,
            [.. endpoint.Names.Select(n => ProxyText.Require(n, what + ": name"))],
            Path.Combine(folder, EndpointFiles.FullChain),
            Path.Combine(folder, EndpointFiles.Key),
            Path.Combine(folder, EndpointFiles.Chain),
            upstream,
            endpoint.Mtls == true,
            endpoint.Backend is { } backend ? ProxyText.Require(backend, what + ": backend") : null);
    }

    private static ProxyUpstream Upstream(string service, string url)
    {
        var what = $"service {service}: upstream";
        ProxyText.Require(url, what);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0
            || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new KithException($"{what}: '{url}' is not a plain http or https URL (scheme, host, port, path)");
        }

        var server = ProxyText.Require($"{uri.Host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}", what);
        var tlsName = uri.Scheme == "https" && uri.HostNameType == UriHostNameType.Dns ? uri.IdnHost : null;
        var path = uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath;
        return new ProxyUpstream([server], uri.Scheme == "https", tlsName is null ? null : ProxyText.Require(tlsName, what), ProxyText.RequirePath(path, what + " path"));
    }

    // An edge forwards to the backend's own proxy over the VPN, HTTPS verified against the Root; the request's
    // Host (the public name) is what the backend's certificate carries, so no fixed TLS name.
    private static ProxyUpstream EdgeUpstream(FleetState state, string service, string backend, int httpsPort)
    {
        var machine = state.Machines.FirstOrDefault(m => m.Name == backend)
            ?? throw new KithException($"service {service}: its backend machine '{backend}' is not in the fleet state");
        if (machine.Addresses.Count == 0)
        {
            throw new KithException($"service {service}: its backend machine '{backend}' has no addresses to forward to; give it addresses in the inventory");
        }

        var port = httpsPort.ToString(CultureInfo.InvariantCulture);
        var servers = machine.Addresses.Select(a => ProxyText.Require(a.Contains(':', StringComparison.Ordinal) ? $"[{a}]:{port}" : $"{a}:{port}", $"service {service}: backend address"));
        return new ProxyUpstream([.. servers], Tls: true, TlsName: null, Path: "/");
    }

    private static int Port(int port, string key) =>
        port is >= 1 and <= 65535 ? port : throw new KithException($"proxy.{key}: {port} in the fleet state is not a TCP port");
}
