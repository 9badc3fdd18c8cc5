using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>What a TLS client sees: the certificate a server on 127.0.0.1 presents for a server name (SNI).</summary>
internal static class TlsProbe
{
    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> with SNI <paramref name="serverName"/> and returns the leaf it was given (not judged here).</summary>
    public static async Task<X509Certificate2> CertificateAsync(int port, string serverName, TimeSpan? within = null)
    {
        using var limit = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, limit.Token);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = serverName }, limit.Token);
        return new X509Certificate2(tls.RemoteCertificate ?? throw new InvalidOperationException($"no certificate from 127.0.0.1:{port} for {serverName}"));
    }
}
