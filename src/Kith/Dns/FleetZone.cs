namespace Kith.Dns;

/// <summary>One served zone (contract stand-in until the zone model lands).</summary>
public sealed record FleetZone(string Apex, long Serial, IReadOnlyList<ZoneRecord> Records);
