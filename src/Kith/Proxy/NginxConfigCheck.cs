using System.Globalization;
using System.Net;
using Kith.Inventory;

namespace Kith.Proxy;

/// <summary>
/// Checks every value of a <see cref="ProxyConfig"/> before a line of nginx config is written: each goes through
/// <see cref="ProxyText"/> and then the stricter shape its directive expects (a DNS name for <c>server_name</c>, so a
/// leading '~' can never become a regular expression; host:port for <c>server</c>; an IP literal for <c>listen</c>).
/// </summary>
internal static class NginxConfigCheck
{
    /// <summary>Throws a <see cref="KithException"/> naming the first value that cannot go into nginx's config.</summary>
    public static void Check(ProxyConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var machine = ProxyText.Require(config.Machine, "proxy config: machine");
        if (!DnsName.IsLabel(machine))
        {
            throw new KithException($"proxy config: machine name '{machine}' is not a DNS label (letters, digits, '-')");
        }

        ProxyText.RequirePath(config.RootCertificate, $"proxy config of {machine}: root certificate");
        if (config.OcspResponder is { } responder)
        {
            ProxyText.Require(responder, $"proxy config of {machine}: OCSP responder");
            if (!Uri.TryCreate(responder, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || responder.Split('/').Contains(".."))
            {
                throw new KithException($"proxy config of {machine}: OCSP responder '{responder}' is not an http:// URL (nginx fetches OCSP answers over plain HTTP)");
            }
        }

        foreach (var address in config.ListenAddresses)
        {
            ListenAddress(address, machine);
        }

        foreach (var network in config.Settings.RealIpFrom)
        {
            ProxyText.Require(network.ToString(), $"proxy config of {machine}: real_ip_from");
        }

        Port(config.Settings.HttpsPort, "https_port", machine);
        Port(config.Settings.HttpPort, "http_port", machine);
        if (config.Settings.HttpsPort == config.Settings.HttpPort)
        {
            throw new KithException($"proxy config of {machine}: https_port and http_port are both {config.Settings.HttpPort}; give them different ports");
        }

        var services = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var site in config.Sites)
        {
            Site(site, machine);
            if (!services.Add(site.Service))
            {
                throw new KithException($"proxy config of {machine}: service {site.Service} appears twice");
            }
        }
    }

    /// <summary>The address as nginx's listen directive wants it: IPv6 in brackets.</summary>
    public static string ListenAddress(string address, string machine)
    {
        ProxyText.Require(address, $"proxy config of {machine}: listen address");
        if (!IPAddress.TryParse(address, out var ip) || address.Contains('%', StringComparison.Ordinal))
        {
            throw new KithException($"proxy config of {machine}: listen address '{address}' is not an IP address (write 192.0.2.10 or fd00::10)");
        }

        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
    }

    private static void Site(ProxySite site, string machine)
    {
        var service = ProxyText.Require(site.Service, $"proxy config of {machine}: service name");
        if (!DnsName.IsLabel(service))
        {
            throw new KithException($"proxy config of {machine}: service name '{service}' is not a DNS label (letters, digits, '-')");
        }

        var what = $"proxy config of {machine}: service {service}";
        if (site.Names.Count == 0)
        {
            throw new KithException($"{what}: it has no names");
        }

        foreach (var name in site.Names)
        {
            ProxyText.Require(name, $"{what}: name");
            if (!DnsName.TryNormalize(name, out var normalized, out var error, allowWildcard: true) || normalized != name)
            {
                throw new KithException($"{what}: name '{name}' is not a normalized DNS name{(error.Length > 0 ? ": " + error : string.Empty)}");
            }
        }

        ProxyText.RequirePath(site.Fullchain, $"{what}: fullchain");
        ProxyText.RequirePath(site.Key, $"{what}: key");
        ProxyText.RequirePath(site.Chain, $"{what}: chain");
        if (site.Backend is { } backend)
        {
            ProxyText.Require(backend, $"{what}: backend");
            if (!DnsName.IsLabel(backend))
            {
                throw new KithException($"{what}: backend machine '{backend}' is not a DNS label (letters, digits, '-')");
            }
        }

        var upstream = site.Upstream;
        if (upstream.Servers.Count == 0)
        {
            throw new KithException($"{what}: the upstream has no server");
        }

        foreach (var server in upstream.Servers)
        {
            UpstreamServer(server, what);
        }

        if (upstream.TlsName is { } tlsName)
        {
            ProxyText.Require(tlsName, $"{what}: upstream TLS name");
            if (!DnsName.TryNormalize(tlsName, out _, out var error))
            {
                throw new KithException($"{what}: upstream TLS name '{tlsName}' is not a DNS name: {error}");
            }
        }

        ProxyText.RequirePath(upstream.Path, $"{what}: upstream path");
    }

    private static void UpstreamServer(string server, string what)
    {
        ProxyText.Require(server, $"{what}: upstream server");
        var colon = server.LastIndexOf(':');
        var host = colon > 0 ? server[..colon] : string.Empty;
        var port = colon > 0 ? server[(colon + 1)..] : string.Empty;
        var hostIsValid = host.StartsWith('[') && host.EndsWith(']')
            ? IPAddress.TryParse(host[1..^1], out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !host.Contains('%', StringComparison.Ordinal)
            : IPAddress.TryParse(host, out var ipv4) ? ipv4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork : DnsName.TryNormalize(host, out _, out _) || host == "localhost";
        if (!hostIsValid || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            throw new KithException($"{what}: upstream server '{server}' is not host:port (127.0.0.1:4533, [fd00::10]:443, backend.home.arpa:8443)");
        }
    }

    private static void Port(int port, string what, string machine)
    {
        if (port is < 1 or > 65535)
        {
            throw new KithException($"proxy config of {machine}: {what} {port} is not a port number (1-65535)");
        }
    }
}
