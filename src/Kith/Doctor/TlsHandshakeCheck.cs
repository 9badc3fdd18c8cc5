using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

using Kith.Tls;

namespace Kith.Doctor;

/// <summary>How a TLS handshake ended.</summary>
public enum TlsOutcome
{
    Completed,

    /// <summary>The server answered the ClientHello with a TLS alert (<see cref="TlsHandshake.Alert"/>).</summary>
    Alert,

    /// <summary>The connection closed, or the handshake failed without an alert (not a TLS port?).</summary>
    Failed,

    /// <summary>No handshake within the timeout.</summary>
    TimedOut,

    /// <summary>No connection to try it on.</summary>
    NotTried,
}

/// <summary>What the handshake showed: the server's chain as sent (leaf first), TLS version, ALPN.</summary>
/// <param name="Alert">The alert's name as OpenSSL words it ("internal error", "unrecognized name", "handshake failure").</param>
public sealed record TlsHandshake(TlsOutcome Outcome, IReadOnlyList<X509Certificate2> Chain, string? Protocol, string? Alpn, string? Alert, string Detail)
{
    public X509Certificate2? Leaf => Chain.Count > 0 ? Chain[0] : null;
}

/// <summary>
/// A TLS handshake with SNI = the endpoint's name, offering ALPN h2 and http/1.1, accepting any certificate:
/// it only looks; the chain, name and expiry checks judge what it saw.
/// </summary>
public static partial class TlsHandshakeCheck
{
    public static async Task<TlsHandshake> HandshakeAsync(IPEndPoint endpoint, string serverName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new TcpClient(endpoint.AddressFamily);
        try
        {
            await client.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new TlsHandshake(TlsOutcome.NotTried, [], null, null, null, $"{endpoint}: no connection");
        }

        var presented = new PresentedChain();
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, presented.Capture);
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = serverName,
                    ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                },
                deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new TlsHandshake(TlsOutcome.TimedOut, presented.Certificates, null, null, null, $"no TLS handshake within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            var reasons = Reasons(e);
            return AlertOf(reasons) is { } alert
                ? new TlsHandshake(TlsOutcome.Alert, presented.Certificates, null, null, alert, $"the server answered with the TLS alert \"{alert}\"")
                : new TlsHandshake(TlsOutcome.Failed, presented.Certificates, null, null, null, $"handshake failed: {reasons}");
        }

        var alpn = tls.NegotiatedApplicationProtocol.Protocol.IsEmpty ? null : tls.NegotiatedApplicationProtocol.ToString();
        var protocol = tls.SslProtocol switch
        {
            SslProtocols.Tls13 => "TLS 1.3",
            SslProtocols.Tls12 => "TLS 1.2",
            var other => other.ToString(),
        };
        return new TlsHandshake(TlsOutcome.Completed, presented.Certificates, protocol, alpn, null, $"{protocol}, SNI {serverName}, {presented.Certificates.Count} certificate(s) sent");
    }

    /// <summary>
    /// The alert's name in OpenSSL's reason string, e.g. "tlsv1 alert internal error" → "internal error",
    /// "tlsv1 unrecognized name" → "unrecognized name", "sslv3 alert handshake failure" → "handshake failure".
    /// </summary>
    public static string? AlertOf(string reasons)
    {
        var match = AlertPattern().Match(reasons ?? string.Empty);
        return match.Success ? match.Groups["name"].Value.Trim() : null;
    }

    /// <summary>Every message in the exception chain: .NET wraps OpenSSL's reason two levels down.</summary>
    private static string Reasons(Exception e)
    {
        var messages = new List<string>();
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message);
        }

        return string.Join(": ", messages.Distinct());
    }

    [GeneratedRegex(@"(?:tlsv1|tlsv13|sslv3)(?: alert)? (?<name>[a-z][a-z ]*[a-z])", RegexOptions.CultureInvariant)]
    private static partial Regex AlertPattern();
}
