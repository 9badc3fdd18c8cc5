namespace Kith.Dns;

/// <summary>One record of a served zone (contract stand-in until the zone model lands).</summary>
public sealed record ZoneRecord(string Name, string Type, int Ttl, string Value);
