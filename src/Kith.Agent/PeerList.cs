using System.Globalization;
using System.Net;
using Kith.Fleet;

namespace Kith.Agent;

/// <summary>One agent to pull from: reached at <see cref="Addresses"/> (else DNS), verified as <see cref="CertificateName"/>.</summary>
/// <param name="Name">For logs: the machine, or the peer as written in agent.yaml.</param>
/// <param name="First">Asked before the others in every round (role bootstrap, or named in agent.yaml).</param>
internal sealed record Peer(string Name, string CertificateName, int Port, IReadOnlyList<IPAddress> Addresses, bool First)
{
    /// <summary>Identifies the peer across rounds (for the once-per-failure-streak log).</summary>
    public string Key => $"{CertificateName}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>For logs: the URL and, when known, the addresses it is reached at.</summary>
    public string Where => Addresses.Count == 0
        ? $"https://{Key}"
        : $"https://{Key} via {string.Join(", ", Addresses)}";

    /// <summary>https://name:port/state, with ?after=N when a version is held (the peer answers 204 unless it has newer).</summary>
    public Uri StateUri(long? after) => new(string.Create(
        CultureInfo.InvariantCulture, $"https://{CertificateName}:{Port}/state{(after is { } version ? $"?after={version}" : string.Empty)}"));
}

/// <summary>Who to ask for a newer fleet state (docs/agent.md, "Peer sync"), and in which order.</summary>
internal static class PeerList
{
    /// <summary>The bootstrap role: such machines are asked first in every round.</summary>
    public const string BootstrapRole = "bootstrap";

    /// <summary>How many peers that are not asked first are asked per round.</summary>
    public const int OthersPerRound = 3;

    /// <summary>Every machine of the state but <paramref name="self"/>, then the configured peers not already among them.</summary>
    public static IReadOnlyList<Peer> From(FleetState? state, string self, string domain, int port, IReadOnlyList<ConfiguredPeer> configured)
    {
        var peers = new List<Peer>();
        foreach (var machine in state?.Machines ?? [])
        {
            if (string.Equals(machine.Name, self, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var addresses = machine.Addresses.Select(a => IPAddress.TryParse(a, out var address) ? address : null).OfType<IPAddress>().ToList();
            peers.Add(new Peer(machine.Name, $"{machine.Name}.{domain}".ToLowerInvariant(), port, addresses, machine.Roles.Contains(BootstrapRole, StringComparer.Ordinal)));
        }

        foreach (var entry in configured)
        {
            if (entry.Machine is not null && string.Equals(entry.Machine, self, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var peer = new Peer(entry.Text, entry.CertificateName(domain).ToLowerInvariant(), entry.Port, entry.Address is { } address ? [address] : [], First: true);
            if (!peers.Any(p => p.Key == peer.Key))
            {
                peers.Add(peer);
            }
        }

        return peers;
    }

    /// <summary>The peers asked first in random order, then up to <see cref="OthersPerRound"/> random others.</summary>
    public static IReadOnlyList<Peer> RoundOrder(IReadOnlyList<Peer> peers, Random random)
    {
        var first = peers.Where(p => p.First).ToArray();
        var others = peers.Where(p => !p.First).ToArray();
        random.Shuffle(first);
        random.Shuffle(others);
        return [.. first, .. others.Take(OthersPerRound)];
    }

    /// <summary>Certificate name → addresses, for <see cref="FleetHttpClient.Create"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> AddressMap(IReadOnlyList<Peer> peers) =>
        peers.Where(p => p.Addresses.Count > 0)
            .GroupBy(p => p.CertificateName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<IPAddress>)[.. g.SelectMany(p => p.Addresses).Distinct()], StringComparer.Ordinal);
}
