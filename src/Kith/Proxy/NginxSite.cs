using System.Text;

namespace Kith.Proxy;

/// <summary>One proxied service: its upstream block, its HTTPS server, and its HTTP→HTTPS redirect.</summary>
internal static class NginxSite
{
    public static void Write(StringBuilder text, ProxySite site, NginxRenderOptions options)
    {
        var settings = options.Settings;
        var upstreamName = "kith_" + site.Service;
        var names = string.Join(' ', site.Names);
        text.AppendLine()
            .Append("# ").Append(site.Service).AppendLine(site.Backend is { } backend
                ? $": public service of {backend}, forwarded to it with TLS verified against the kith Root."
                : ".")
            .Append("upstream ").Append(upstreamName).AppendLine(" {");
        foreach (var server in site.Upstream.Servers)
        {
            text.Append("    server ").Append(server).AppendLine(";");
        }

        text.AppendLine("}")
            .AppendLine()
            .AppendLine("server {");
        foreach (var prefix in options.Listen)
        {
            text.Append("    listen ").Append(prefix).Append(settings.HttpsPort).Append(" ssl").AppendLine(options.Features.Http2Directive ? ";" : " http2;");
            if (options.Http3)
            {
                text.Append("    listen ").Append(prefix).Append(settings.HttpsPort).AppendLine(" quic;");
            }
        }

        text.Append("    server_name ").Append(names).AppendLine(";");
        if (options.Features.Http2Directive)
        {
            text.AppendLine("    http2 on;");
        }

        if (options.Http3)
        {
            text.AppendLine("    http3 on;")
                .Append("    add_header Alt-Svc 'h3=\":").Append(settings.HttpsPort).AppendLine("\"; ma=86400' always;");
        }

        text.Append("    ssl_certificate ").Append(site.Fullchain).AppendLine(";")
            .Append("    ssl_certificate_key ").Append(site.Key).AppendLine(";");
        NginxTls.WriteProtocols(text);
        NginxTls.WriteSessions(text);
        WriteStapling(text, options.Config);
        if (options.Ktls)
        {
            text.AppendLine("    ssl_conf_command Options KTLS;");
        }

        if (settings.EarlyData)
        {
            text.AppendLine("    ssl_early_data on;");
        }

        if (site.RequireClientCertificate)
        {
            // Client leaf → Host CA → Root: depth 2. The client sends its Host CA with its leaf.
            text.Append("    ssl_client_certificate ").Append(options.Config.RootCertificate).AppendLine(";")
                .AppendLine("    ssl_verify_client on;")
                .AppendLine("    ssl_verify_depth 2;");
        }

        WriteRealIp(text, options);
        text.AppendLine("    server_tokens off;")
            .AppendLine("    client_max_body_size 0;")
            .AppendLine()
            .AppendLine("    location / {");
        WriteProxy(text, site, upstreamName, options);
        text.AppendLine("    }")
            .AppendLine("}")
            .AppendLine()
            .AppendLine("server {");
        foreach (var prefix in options.Listen)
        {
            text.Append("    listen ").Append(prefix).Append(settings.HttpPort).AppendLine(";");
        }

        text.Append("    server_name ").Append(names).AppendLine(";")
            .AppendLine("    server_tokens off;")
            .Append("    return 301 https://$host").Append(settings.HttpsPort == 443 ? string.Empty : ":" + settings.HttpsPort).AppendLine("$request_uri;")
            .AppendLine("}");
    }

    private static void WriteStapling(StringBuilder text, ProxyConfig config)
    {
        if (config.OcspResponder is not { } responder)
        {
            return;
        }

        // The answer is signed by the Host CA, which nginx finds in the fullchain; the Root anchors it.
        text.AppendLine("    ssl_stapling on;")
            .AppendLine("    ssl_stapling_verify on;")
            .Append("    ssl_trusted_certificate ").Append(config.RootCertificate).AppendLine(";")
            .Append("    ssl_stapling_responder ").Append(responder).AppendLine(";");
    }

    private static void WriteRealIp(StringBuilder text, NginxRenderOptions options)
    {
        if (options.Settings.RealIpFrom.Count == 0)
        {
            return;
        }

        foreach (var network in options.Settings.RealIpFrom)
        {
            text.Append("    set_real_ip_from ").Append(network).AppendLine(";");
        }

        text.AppendLine("    real_ip_header X-Forwarded-For;")
            .AppendLine("    real_ip_recursive on;");
    }

    private static void WriteProxy(StringBuilder text, ProxySite site, string upstreamName, NginxRenderOptions options)
    {
        var upstream = site.Upstream;

        // Without a URI nginx passes the request URI unchanged (encoded slashes and all); with one it is normalized.
        var uri = upstream.Path == "/" ? string.Empty : upstream.Path;
        text.Append("        proxy_pass ").Append(upstream.Tls ? "https://" : "http://").Append(upstreamName).Append(uri).AppendLine(";")
            .AppendLine("        proxy_http_version 1.1;")
            .AppendLine("        proxy_set_header Host $host;")
            .AppendLine("        proxy_set_header X-Real-IP $remote_addr;")
            .AppendLine("        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;")
            .AppendLine("        proxy_set_header X-Forwarded-Proto $scheme;")
            .AppendLine("        proxy_set_header X-Forwarded-Host $host;")
            .AppendLine("        proxy_set_header Upgrade $http_upgrade;")
            .AppendLine("        proxy_set_header Connection $kith_connection_upgrade;");
        if (options.Settings.EarlyData)
        {
            text.AppendLine("        proxy_set_header Early-Data $ssl_early_data;");
        }

        if (upstream.Tls)
        {
            text.AppendLine("        proxy_ssl_verify on;")
                .Append("        proxy_ssl_trusted_certificate ").Append(options.Config.RootCertificate).AppendLine(";")
                .AppendLine("        proxy_ssl_verify_depth 2;")
                .AppendLine("        proxy_ssl_server_name on;")
                .Append("        proxy_ssl_name ").Append(upstream.TlsName ?? "$host").AppendLine(";")
                .AppendLine("        proxy_ssl_protocols TLSv1.2 TLSv1.3;");
            if (site.Backend is not null && site.RequireClientCertificate)
            {
                // The backend's proxy asks for a client certificate too: the edge, having checked the client, shows its own.
                text.Append("        proxy_ssl_certificate ").Append(site.Fullchain).AppendLine(";")
                    .Append("        proxy_ssl_certificate_key ").Append(site.Key).AppendLine(";");
            }
        }
    }
}
