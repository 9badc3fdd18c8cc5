using System.Globalization;
using System.Text;
using Kith.Inventory;

namespace Kith.Proxy;

/// <summary>
/// Renders a whole Caddyfile (for /etc/caddy/Caddyfile) from a <see cref="ProxyConfig"/> (docs/proxy-caddy.md).
/// Checked against Debian 12's Caddy 2.6.2. Caddy gets no automatic HTTPS: it serves only kith's files, so a name
/// it has no site for gets no certificate (the handshake fails) and plain HTTP to such a name is aborted.
/// </summary>
public static class CaddyConfig
{
    /// <summary>The Caddyfile; throws a <see cref="KithException"/> when a value of <paramref name="config"/> could inject syntax.</summary>
    public static string Render(ProxyConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var root = ProxyText.RequirePath(config.RootCertificate, "proxy root certificate");
        var bind = BindLine(config.ListenAddresses);
        var settings = config.Settings;
        var text = new StringBuilder();
        text.Append("# Written by kith for machine ").Append(ProxyText.Require(config.Machine, "proxy machine")).Append(": do not edit, kith rewrites it.\n");
        Global(text, settings);
        foreach (var site in config.Sites)
        {
            Site(text, site, settings, root, bind);
        }

        Sinkhole(text, settings, bind);
        return text.ToString();
    }

    private static void Global(StringBuilder text, ProxySettings settings)
    {
        text.Append("{\n");
        text.Append("\tauto_https off\n");
        text.Append(CultureInfo.InvariantCulture, $"\thttp_port {settings.HttpPort}\n");
        text.Append(CultureInfo.InvariantCulture, $"\thttps_port {settings.HttpsPort}\n");
        text.Append("\tservers {\n");

        // Caddy always has HTTP/3; "auto" therefore means on. 0-RTT is not offered by Caddy at all.
        text.Append(settings.Http3 == Http3Mode.Off ? "\t\tprotocols h1 h2\n" : "\t\tprotocols h1 h2 h3\n");
        text.Append("\t}\n");
        text.Append("}\n");
    }

    private static void Site(StringBuilder text, ProxySite site, ProxySettings settings, string root, string? bind)
    {
        var service = ProxyText.Require(site.Service, "proxy site service");
        if (site.Names.Count == 0)
        {
            throw new KithException($"proxy site {service}: it has no names");
        }

        var names = site.Names.Select(name => ProxyText.Require(name, $"proxy site {service} name")).ToList();
        var fullchain = ProxyText.RequirePath(site.Fullchain, $"proxy site {service} fullchain");
        var key = ProxyText.RequirePath(site.Key, $"proxy site {service} key");

        text.Append("\n# ").Append(service).Append(site.Backend is null ? string.Empty : $" (forwarded to {ProxyText.Require(site.Backend, $"proxy site {service} backend")})").Append('\n');
        text.Append(string.Join(", ", names.Select(name => $"https://{name}:{settings.HttpsPort.ToString(CultureInfo.InvariantCulture)}"))).Append(" {\n");
        if (bind is not null)
        {
            text.Append('\t').Append(bind).Append('\n');
        }

        text.Append("\ttls ").Append(fullchain).Append(' ').Append(key).Append(" {\n");
        text.Append("\t\tprotocols tls1.2 tls1.3\n");
        if (site.RequireClientCertificate)
        {
            text.Append("\t\tclient_auth {\n");
            text.Append("\t\t\tmode require_and_verify\n");
            text.Append("\t\t\ttrusted_ca_cert_file ").Append(root).Append('\n');
            text.Append("\t\t}\n");
        }

        text.Append("\t}\n");
        Upstream(text, site.Upstream, settings, service, root, site.Backend is not null && site.RequireClientCertificate ? (fullchain, key) : null);
        text.Append("}\n");

        text.Append(string.Join(", ", names.Select(name => $"http://{name}:{settings.HttpPort.ToString(CultureInfo.InvariantCulture)}"))).Append(" {\n");
        if (bind is not null)
        {
            text.Append('\t').Append(bind).Append('\n');
        }

        var port = settings.HttpsPort == 443 ? string.Empty : $":{settings.HttpsPort.ToString(CultureInfo.InvariantCulture)}";
        text.Append("\tredir https://{host}").Append(port).Append("{uri} 301\n");
        text.Append("}\n");
    }

    private static void Upstream(StringBuilder text, ProxyUpstream upstream, ProxySettings settings, string service, string root, (string Fullchain, string Key)? clientCertificate)
    {
        if (upstream.Servers.Count == 0)
        {
            throw new KithException($"proxy site {service}: its upstream has no servers");
        }

        var servers = upstream.Servers.Select(server => ProxyText.Require(server, $"proxy site {service} upstream server")).ToList();
        var path = ProxyText.Require(upstream.Path, $"proxy site {service} upstream path");
        if (!path.StartsWith('/'))
        {
            throw new KithException($"proxy site {service}: upstream path '{path}' does not start with '/'");
        }

        // nginx's proxy_pass with a URI puts the request's path after the upstream's; Caddy's upstreams take no path, so rewrite.
        var prefix = path.TrimEnd('/');
        if (prefix.Length > 0)
        {
            text.Append("\trewrite * ").Append(prefix).Append("{uri}\n");
        }

        text.Append("\treverse_proxy ").Append(string.Join(' ', servers)).Append(" {\n");

        // Caddy passes Host and sets X-Forwarded-For/-Proto/-Host itself (trusting incoming ones only from trusted_proxies) and upgrades websockets.
        text.Append("\t\theader_up X-Real-IP {remote_host}\n");

        // Caddy 2.6 has no server-wide trusted_proxies yet: the reverse proxy's own keeps X-Forwarded-For from the VPN's networks.
        if (settings.RealIpFrom.Count > 0)
        {
            text.Append("\t\ttrusted_proxies");
            foreach (var network in settings.RealIpFrom)
            {
                text.Append(' ').Append(ProxyText.Require(network.ToString(), "proxy real_ip_from"));
            }

            text.Append('\n');
        }

        if (upstream.Tls)
        {
            var serverName = upstream.TlsName is null ? "{host}" : ProxyText.Require(upstream.TlsName, $"proxy site {service} upstream TLS name");
            text.Append("\t\ttransport http {\n");
            text.Append("\t\t\ttls\n");
            text.Append("\t\t\ttls_trusted_ca_certs ").Append(root).Append('\n');
            text.Append("\t\t\ttls_server_name ").Append(serverName).Append('\n');
            if (clientCertificate is { } client)
            {
                // An edge in front of an mTLS backend: the backend's proxy asks the edge for a certificate too.
                text.Append("\t\t\ttls_client_auth ").Append(client.Fullchain).Append(' ').Append(client.Key).Append('\n');
            }
            text.Append("\t\t}\n");
        }

        text.Append("\t}\n");
    }

    private static void Sinkhole(StringBuilder text, ProxySettings settings, string? bind)
    {
        text.Append("\n# Every other name and raw IPs: plain HTTP is dropped; HTTPS gets no certificate, since no site matches.\n");
        text.Append(CultureInfo.InvariantCulture, $"http://:{settings.HttpPort} {{\n");
        if (bind is not null)
        {
            text.Append('\t').Append(bind).Append('\n');
        }

        text.Append("\tabort\n");
        text.Append("}\n");
    }

    private static string? BindLine(IReadOnlyList<string> addresses) =>
        addresses.Count == 0 ? null : "bind " + string.Join(' ', addresses.Select(address => ProxyText.Require(address, "proxy listen address")));
}
