using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Tls;

/// <summary>What a TLS server presented: its certificate chain as sent, and the negotiated protocol.</summary>
public sealed record TlsPresentation(IReadOnlyList<X509Certificate2> Chain, string Protocol, string? Alpn);

/// <summary>Connects to a TLS server and reads what it presents, trusting nothing (it only looks).</summary>
public static class TlsProbe
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task<TlsPresentation> FetchAsync(string host, int port, string? serverName = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, deadline.Token);
        }
        catch (SocketException e)
        {
            throw new KithException($"{host}:{port}: cannot connect ({e.SocketErrorCode})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KithException($"{host}:{port}: cannot connect (no answer within {(timeout ?? DefaultTimeout).TotalSeconds:0} s)");
        }

        var presented = new PresentedChain();
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, presented.Capture);
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = serverName ?? host,
                    ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                },
                deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KithException($"{host}:{port}: no TLS handshake within {(timeout ?? DefaultTimeout).TotalSeconds:0} s (is it a TLS port?)");
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            throw new KithException($"{host}:{port}: TLS handshake failed ({e.InnerException?.Message ?? e.Message})");
        }

        var alpn = tls.NegotiatedApplicationProtocol.Protocol.IsEmpty ? null : tls.NegotiatedApplicationProtocol.ToString();
        return new TlsPresentation(presented.Certificates, tls.SslProtocol.ToString(), alpn);
    }
}
