using System.Text;

namespace Kith.Proxy;

/// <summary>The TLS settings every kith server shares: TLS 1.2 and 1.3 only, forward-secret AEAD ciphers, no session tickets.</summary>
internal static class NginxTls
{
    /// <summary>
    /// TLS 1.2 ciphers: ECDHE with AES-GCM or ChaCha20-Poly1305 only (Mozilla's "intermediate" list without the DHE
    /// suites, which would need a dhparam file). TLS 1.3 suites are OpenSSL's defaults, all of them AEAD.
    /// </summary>
    public const string Ciphers =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

    /// <summary>
    /// The server's cipher order is used: every suite in the list is strong, so the order only decides which strong
    /// one, and testssl.sh 3.0 (Debian 12) rates a server without an order HIGH.
    /// </summary>
    public static void WriteProtocols(StringBuilder text) => text
        .AppendLine("    ssl_protocols TLSv1.2 TLSv1.3;")
        .Append("    ssl_ciphers ").Append(Ciphers).AppendLine(";")
        .AppendLine("    ssl_prefer_server_ciphers on;");

    /// <summary>
    /// Session tickets off: their key lives for the life of the nginx process and would undo forward secrecy; the
    /// shared cache resumes sessions instead.
    /// </summary>
    public static void WriteSessions(StringBuilder text) => text
        .AppendLine("    ssl_session_cache shared:kith_tls:10m;")
        .AppendLine("    ssl_session_timeout 1d;")
        .AppendLine("    ssl_session_tickets off;");
}
