using System.Net;
using Kith.Fleet;

namespace Kith.Agent;

/// <summary>
/// Resolves names for ACME validation the way the fleet sees them: the fleet state's A/AAAA records (following its
/// CNAMEs) first, then the system resolver. The addresses validation may connect to are loopback and this machine's
/// own inventory addresses: an agent validates software on its own machine, never anything else on the network.
/// </summary>
internal sealed class FleetNameResolver(Func<FleetState?> state, string machine)
{
    private const int MaxCnameSteps = 8;

    public async Task<IPAddress[]> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        if (state() is { } current && FromFleet(current, name) is { Length: > 0 } addresses)
        {
            return addresses;
        }

        return await System.Net.Dns.GetHostAddressesAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public bool IsAllowed(IPAddress address)
    {
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        var own = state()?.Machines.FirstOrDefault(m => m.Name == machine)?.Addresses ?? [];
        return own.Any(text => IPAddress.TryParse(text, out var mine) && mine.Equals(address));
    }

    private static IPAddress[] FromFleet(FleetState current, string name)
    {
        var wanted = name.TrimEnd('.').ToLowerInvariant();
        for (var step = 0; step < MaxCnameSteps; step++)
        {
            var records = current.DnsRecords.Where(r => string.Equals(r.Name.TrimEnd('.'), wanted, StringComparison.OrdinalIgnoreCase)).ToList();
            var addresses = records
                .Where(r => r.Type is "A" or "AAAA")
                .Select(r => IPAddress.TryParse(r.Value, out var a) ? a : null)
                .OfType<IPAddress>()
                .ToArray();
            if (addresses.Length > 0)
            {
                return addresses;
            }

            var alias = records.FirstOrDefault(r => r.Type == "CNAME");
            if (alias is null)
            {
                return [];
            }

            wanted = alias.Value.TrimEnd('.').ToLowerInvariant();
        }

        return [];
    }
}
