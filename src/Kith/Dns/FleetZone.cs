namespace Kith.Dns;

/// <summary>
/// One zone the fleet's DNS machines serve: its apex (lower case, no trailing dot), the SOA serial (the fleet
/// state version) and its records: the SOA first, then the apex NS records, then the rest in DNSSEC
/// canonical order (RFC 4034 §6.1, see <see cref="CanonicalOrder"/>) by name, then type, then value.
/// </summary>
public sealed record FleetZone(string Apex, long Serial, IReadOnlyList<ZoneRecord> Records);
