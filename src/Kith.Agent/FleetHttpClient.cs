using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Agent;

/// <summary>
/// HTTPS clients for talking to kith agents (publish, peer pull, status). They trust only the fleet's Root
/// (the system store plays no part), check the agent's name as usual, and connect a host name to the
/// addresses given in <c>addresses</c> (e.g. <c>beta.home.arpa</c> → 100.64.0.11) before asking DNS, so an
/// agent is reached by its inventory address and still verified by its machine name.
/// </summary>
public static class FleetHttpClient
{
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <param name="root">The fleet Root: the only trust anchor.</param>
    /// <param name="addresses">Host name (lower-case) → addresses to connect to, tried in order; null or a missing name means DNS.</param>
    /// <param name="timeout">The whole request's limit.</param>
    public static HttpClient Create(X509Certificate2 root, IReadOnlyDictionary<string, IReadOnlyList<IPAddress>>? addresses, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(root);
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(root);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy },
            ConnectTimeout = DefaultConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        if (addresses is { Count: > 0 })
        {
            handler.ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, addresses, cancellationToken);
        }

        return new HttpClient(handler) { Timeout = timeout };
    }

    /// <summary>The agent URL of a machine: https://&lt;machine&gt;.&lt;domain&gt;:&lt;port&gt;/ (the name its certificate carries).</summary>
    public static Uri AgentUri(string machine, string domain, int port, string path = "/") =>
        new($"https://{machine}.{domain}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}{path}");

    /// <summary>Every distinct message of an exception and its causes, outermost first ("…: Connection refused (host:port)").</summary>
    public static string ErrorChain(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var messages = new List<string>();
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message.TrimEnd('.'));
        }

        return string.Join(": ", messages.Distinct());
    }

    /// <summary>The deepest cause only ("Connection refused", "… errors in the certificate chain: UntrustedRoot"), for a table cell.</summary>
    public static string RootCause(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var current = e;
        while (current.InnerException is not null)
        {
            current = current.InnerException;
        }

        return current.Message.TrimEnd('.');
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint target, IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> addresses, CancellationToken cancellationToken)
    {
        if (!addresses.TryGetValue(target.Host.ToLowerInvariant(), out var known) || known.Count == 0)
        {
            return await ConnectToAsync(target, cancellationToken).ConfigureAwait(false);
        }

        SocketException? last = null;
        foreach (var address in known)
        {
            try
            {
                return await ConnectToAsync(new IPEndPoint(address, target.Port), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                last = e;
            }
        }

        throw last!;
    }

    private static async ValueTask<Stream> ConnectToAsync(EndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
