using System.Text;

namespace Kith.Proxy;

/// <summary>
/// The default servers: a name kith does not serve gets nothing. HTTPS without a known SNI fails the handshake
/// (<c>ssl_reject_handshake</c>: no certificate, so no name of the fleet leaks); plain HTTP, a raw IP, or a known SNI
/// with an unknown Host header get the connection closed without an answer (444).
/// </summary>
internal static class NginxSinkhole
{
    public static void Write(StringBuilder text, NginxRenderOptions options)
    {
        var https = options.Settings.HttpsPort;
        text.AppendLine()
            .AppendLine("# Sinkhole: unknown names and raw IPs get nothing.")
            .AppendLine("server {");
        foreach (var prefix in options.Listen)
        {
            text.Append("    listen ").Append(prefix).Append(options.Settings.HttpPort).AppendLine(" default_server;");
            text.Append("    listen ").Append(prefix).Append(https).Append(" ssl").Append(options.Features.Http2Directive ? string.Empty : " http2").AppendLine(" default_server;");
            if (options.Http3)
            {
                text.Append("    listen ").Append(prefix).Append(https).AppendLine(" quic reuseport default_server;");
            }
        }

        text.AppendLine("    server_name _;");
        if (options.Features.Http2Directive)
        {
            text.AppendLine("    http2 on;");
        }

        text.AppendLine("    ssl_reject_handshake on;");

        // The default server's protocols are the ones OpenSSL negotiates before SNI picks a site: keep them as strict.
        NginxTls.WriteProtocols(text);
        NginxTls.WriteSessions(text);
        text.AppendLine("    server_tokens off;")
            .AppendLine("    access_log off;")
            .AppendLine("    return 444;")
            .AppendLine("}");
    }
}
