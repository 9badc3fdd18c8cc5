using System.Net.Sockets;

namespace Kith.Doctor;

/// <summary>Asks this machine's own resolver (getaddrinfo: /etc/hosts, systemd-resolved, …), as a browser on it would.</summary>
public static class SystemResolverCheck
{
    public static async Task<DnsLookup> LookUpAsync(string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(name, deadline.Token).ConfigureAwait(false);
            return addresses.Length == 0
                ? new DnsLookup(DnsOutcome.NoAddress, [], $"this machine's resolver has no address for {name}")
                : new DnsLookup(DnsOutcome.Found, addresses, string.Join(", ", addresses.Select(a => a.ToString())));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.HostNotFound)
        {
            return new DnsLookup(DnsOutcome.NoSuchName, [], $"this machine's resolver does not know {name}");
        }
        catch (SocketException e)
        {
            return new DnsLookup(DnsOutcome.ServerFailed, [], $"this machine's resolver failed: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DnsLookup(DnsOutcome.ServerFailed, [], $"this machine's resolver did not answer within {timeout.TotalSeconds:0.#} s");
        }
    }
}
