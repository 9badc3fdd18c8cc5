using System.Net;

namespace Kith.Dns.Server;

/// <summary>Where and how <see cref="FleetDnsServer"/> listens.</summary>
public sealed class DnsServerOptions
{
    /// <summary>Each address is bound for UDP and TCP on the same port; port 0 takes a free port (the same one for both).</summary>
    public IReadOnlyList<IPEndPoint> Listen { get; init; } = [];

    /// <summary>The most TCP connections open at once; more are closed as soon as accepted.</summary>
    public int MaxTcpConnections { get; init; } = 64;

    /// <summary>A TCP connection with no complete query for this long is closed.</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Threads blocked in receive on each UDP socket (each answers what it receives).</summary>
    public int UdpThreadsPerSocket { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>Handles RFC 2136 updates (opcode 5); null answers them NOTIMP.</summary>
    public Kith.Dns.Update.DnsUpdateHandler? Updates { get; init; }

    /// <summary>TXT records added by updates, served over the zones and re-read whenever they change; null for none.</summary>
    public Kith.Dns.Update.DynamicTxtRecords? DynamicTxt { get; init; }
}
