namespace Kith.Inventory;

/// <summary>The <c>dns:</c> block of kith.yaml (docs/dns.md), with defaults applied.</summary>
/// <param name="Ttl">The default TTL of every record in the fleet's zones (whole seconds, 1 s to 1 day).</param>
/// <param name="Records">Extra records, in inventory order.</param>
public sealed record DnsSettings(TimeSpan Ttl, IReadOnlyList<DnsRecordSpec> Records)
{
    /// <summary>The TTL when dns.ttl is absent: five minutes, short enough that a moved endpoint is soon found.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(5);

    /// <summary>No extra records, a five-minute TTL.</summary>
    public static DnsSettings Default { get; } = new(DefaultTtl, []);
}

/// <summary>
/// One extra record of dns.records: a normalized name (lower-case, no trailing dot), the type in upper case
/// (A, AAAA, TXT, SRV, CNAME) and the value in presentation form without quotes (see FleetDnsRecord).
/// </summary>
/// <param name="Ttl">The record's own TTL, or null for dns.ttl.</param>
public sealed record DnsRecordSpec(string Name, string Type, string Value, TimeSpan? Ttl);
