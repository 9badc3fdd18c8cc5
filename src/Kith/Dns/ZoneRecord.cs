namespace Kith.Dns;

/// <summary>
/// One resource record of a fleet zone. <see cref="Name"/> is a lower-case FQDN without the trailing dot
/// (a wildcard owner starts with <c>*.</c>); <see cref="Type"/> is upper case (SOA, NS, A, AAAA, CNAME, TXT,
/// SRV); <see cref="Value"/> is the presentation form without quotes: an address, a target name, the raw
/// text of a TXT record, <c>priority weight port target</c> for SRV, <c>mname rname serial refresh retry
/// expire minimum</c> for SOA.
/// </summary>
/// <param name="Ttl">Seconds.</param>
public sealed record ZoneRecord(string Name, string Type, int Ttl, string Value);
