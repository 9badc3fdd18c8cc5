using System.Net;
using System.Net.Sockets;

namespace Kith.Acme.Validation;

/// <summary>
/// Limits and network hooks shared by the challenge validators. The defaults are the production
/// values except <see cref="IsAllowedAddress"/>, which allows loopback only so that a validator
/// the agent forgot to configure fails closed.
/// </summary>
public sealed class ChallengeValidationOptions
{
    /// <summary>Port of http-01 requests (80 in production).</summary>
    public int HttpPort { get; init; } = 80;

    /// <summary>Port http-01 redirects may use for https (443 in production).</summary>
    public int HttpsPort { get; init; } = 443;

    /// <summary>Port of tls-alpn-01 handshakes (443 in production).</summary>
    public int TlsAlpnPort { get; init; } = 443;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound for one whole validation, redirects and handshakes included.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An http-01 body longer than this is wrong and is not read further.</summary>
    public int MaxHttpBodyBytes { get; init; } = 8 * 1024;

    public int MaxRedirects { get; init; } = 10;

    /// <summary>
    /// Checked on every address right before connecting (after name resolution), so a name that
    /// resolves, or is rebound, to a forbidden address never gets a connection.
    /// </summary>
    public Func<IPAddress, bool> IsAllowedAddress { get; init; } = IPAddress.IsLoopback;

    /// <summary>Resolves a name to addresses; the system resolver by default. Tests map names to loopback.</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> ResolveAddresses { get; init; } = System.Net.Dns.GetHostAddressesAsync;

    /// <summary>DNS servers asked for dns-01 TXT records.</summary>
    public IReadOnlyList<IPEndPoint> DnsResolvers { get; init; } = [];

    /// <summary>
    /// Resolves <paramref name="host"/> (or parses it when it is an address literal) and connects to
    /// the first allowed address. Throws <see cref="ChallengeNetworkException"/> with a user-readable message.
    /// </summary>
    internal async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await ResolveAddresses(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new ChallengeNetworkException(AcmeErrorType.Dns, $"{host} could not be resolved ({e.SocketErrorCode})");
            }
        }

        var allowed = addresses.Where(IsAllowedAddress).ToArray();
        if (allowed.Length == 0)
        {
            var seen = addresses.Length == 0 ? "no address" : string.Join(", ", addresses.Select(a => a.ToString()));
            throw new ChallengeNetworkException(AcmeErrorType.Connection, $"{host} resolves to {seen}, which is not an allowed address; not connecting");
        }

        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(ConnectTimeout);
        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), connectTimeout.Token).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new ChallengeNetworkException(AcmeErrorType.Connection, $"connecting to {host} port {port} timed out after {ConnectTimeout.TotalSeconds:0.#} s");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new ChallengeNetworkException(AcmeErrorType.Connection, $"connecting to {host} port {port} failed ({last?.SocketErrorCode})");
    }
}
