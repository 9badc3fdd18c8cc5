using System.Net;
using Kith.Fleet;

namespace Kith.Dns.Resolver;

/// <summary>
/// What every resolver snippet says: these zones are answered by these servers. Built from a fleet state: the
/// zones are the fleet's domain and its extra zones, the servers every address of every machine with role
/// <c>dns</c> (machines by name, addresses in the state's order), all on one port.
/// </summary>
/// <param name="Zones">Apexes, lower-case, no trailing dot; the fleet's domain first.</param>
/// <param name="Servers">The dns machines' addresses with the port they answer on.</param>
public sealed record ResolverTargets(IReadOnlyList<string> Zones, IReadOnlyList<IPEndPoint> Servers)
{
    public const int DefaultPort = 53;

    /// <summary>Why there is no snippet, said by the CLI as an error and by the agent as a warning.</summary>
    /// <param name="source">Where the machines were read: "fleet state" or "inventory".</param>
    public static string NoDnsMachine(string source) =>
        $"no machine has role dns in the {source}, so there is no server to send the fleet's zones to; give a machine `roles: [dns]` in the inventory (then apply and publish)";

    /// <summary>The targets of <paramref name="state"/>, or null when no machine with role dns has an address.</summary>
    /// <param name="port">The port the dns machines answer on (53 unless they were told otherwise).</param>
    public static ResolverTargets? FromState(FleetState state, int port = DefaultPort)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var servers = new List<IPEndPoint>();
        foreach (var machine in state.Machines.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (!machine.Roles.Contains(FleetZones.DnsRole, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var text in machine.Addresses)
            {
                if (IPAddress.TryParse(text, out var address) && !servers.Any(s => s.Address.Equals(address)))
                {
                    servers.Add(new IPEndPoint(address, port));
                }
            }
        }

        return servers.Count == 0 ? null : new ResolverTargets(ZonesOf(state), servers);
    }

    /// <summary>The fleet's domain, then the extra zones the state names, each once (the apexes of <see cref="FleetZones.Build"/>).</summary>
    public static IReadOnlyList<string> ZonesOf(FleetState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var zones = new List<string> { Normalise(state.Domain) };
        foreach (var zone in state.Zones ?? [])
        {
            var name = Normalise(zone);
            if (!zones.Contains(name, StringComparer.Ordinal))
            {
                zones.Add(name);
            }
        }

        return zones;
    }

    private static string Normalise(string name) => name.TrimEnd('.').ToLowerInvariant();
}
