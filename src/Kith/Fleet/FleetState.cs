namespace Kith.Fleet;

/// <summary>
/// The fleet state (docs/fleet-state.md): what every agent needs to know about the fleet, published by
/// the operator, signed by the publisher key. <see cref="Version"/> only ever grows.
/// </summary>
public sealed record FleetState(
    long Version,
    string Domain,
    DateTimeOffset IssuedAt,
    IReadOnlyList<FleetMachine> Machines,
    IReadOnlyList<FleetDnsRecord> DnsRecords,
    IReadOnlyList<FleetHostCa> HostCas,
    string? RootCrl,
    string TrustBundle);

/// <summary>One machine: its addresses, roles, tags and the endpoints its services export.</summary>
public sealed record FleetMachine(
    string Name,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Tags,
    IReadOnlyList<FleetEndpoint> Endpoints);

/// <summary>One service on a machine: the names its certificate carries, and its kind (server, client, both).</summary>
public sealed record FleetEndpoint(string Service, IReadOnlyList<string> Names, string Kind);

/// <summary>One DNS record: A or AAAA for a machine's addresses, CNAME from an endpoint to its machine.</summary>
public sealed record FleetDnsRecord(string Name, string Type, string Value);

/// <summary>A machine's Host CA certificate, PEM.</summary>
public sealed record FleetHostCa(string Machine, string Certificate);
