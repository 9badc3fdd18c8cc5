using System.Formats.Asn1;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kith.IntegrationTests.Acme;

/// <summary>
/// A raw SslStream server on 127.0.0.1 presenting a tls-alpn-01 certificate built by the test,
/// offering the given ALPN protocols (none: the server ignores the client's ALPN).
/// </summary>
internal sealed class AlpnTestServer : LoopbackTcpServer
{
    private readonly X509Certificate2? certificate;
    private readonly List<SslApplicationProtocol>? protocols;

    /// <param name="certificate">null: accept TCP and never answer.</param>
    public AlpnTestServer(X509Certificate2? certificate, List<SslApplicationProtocol>? protocols)
        : base(IPAddress.Loopback, 0)
    {
        this.certificate = certificate;
        this.protocols = protocols;
        Start();
    }

    /// <summary>The SNI host name of the last handshake.</summary>
    public string? ServerNameSeen { get; private set; }

    /// <summary>
    /// A self-signed certificate with the given dNSName SANs and, unless <paramref name="digest"/> is
    /// null, an acmeIdentifier extension holding it as a DER OCTET STRING.
    /// </summary>
    public static X509Certificate2 Certificate(string[] dnsNames, byte[]? digest, bool critical = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=acme tls-alpn-01 test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            names.AddDnsName(name);
        }

        request.CertificateExtensions.Add(names.Build());
        if (digest is not null)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            writer.WriteOctetString(digest);
            request.CertificateExtensions.Add(new X509Extension(new Oid("1.3.6.1.5.5.7.1.31"), writer.Encode(), critical));
        }

        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    protected override async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                if (certificate is null)
                {
                    await Task.Delay(Timeout.Infinite, Stopping);
                    return;
                }

                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificateSelectionCallback = (_, hostName) =>
                        {
                            ServerNameSeen = hostName;
                            return certificate;
                        },
                        ApplicationProtocols = protocols,
                    },
                    Stopping);
                // The validator closes after the handshake; wait for that.
                _ = await tls.ReadAsync(new byte[1], Stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
            {
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        certificate?.Dispose();
    }
}
