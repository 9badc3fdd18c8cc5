using System.Globalization;
using Kith.Fleet;

namespace Kith.Dns;

/// <summary>
/// Builds the fleet's DNS zones from a fleet state (docs/dns.md, "Zones"): one zone per apex (the domain and
/// the inventory's extra zones), each record in the zone of the longest apex containing its name.
/// </summary>
public static class FleetZones
{
    /// <summary>The default TTL in seconds when the state carries none (states written before dns.ttl existed).</summary>
    public const int DefaultTtl = 300;

    /// <summary>The machine role whose agents serve the zones; their machines are the zones' name servers.</summary>
    public const string DnsRole = "dns";

    // SOA timers in seconds. Secondaries are not part of the design (every dns machine builds the zone from the
    // same signed state), so refresh/retry/expire only matter to an outside secondary; the minimum is the
    // negative-caching TTL (RFC 2308), kept short so a name added to the fleet is found within a minute.
    private const int RefreshSeconds = 3600;
    private const int RetrySeconds = 600;
    private const int ExpireSeconds = 604800;
    private const int NegativeTtlSeconds = 60;

    /// <summary>The zones of <paramref name="state"/>: the domain's first, then the extra zones in state order.</summary>
    public static IReadOnlyList<FleetZone> Build(FleetState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var ttl = state.DnsTtl is > 0 and var stateTtl ? stateTtl : DefaultTtl;
        var domain = Normalize(state.Domain);
        var apexes = new List<string> { domain };
        foreach (var zone in state.Zones ?? [])
        {
            var apex = Normalize(zone);
            if (!apexes.Contains(apex))
            {
                apexes.Add(apex);
            }
        }

        var apexSet = apexes.ToHashSet(StringComparer.Ordinal);
        var servers = NameServers(state, domain);
        var addresses = new Dictionary<string, List<ZoneRecord>>(StringComparer.Ordinal);
        var contents = apexes.ToDictionary(a => a, _ => new List<ZoneRecord>(), StringComparer.Ordinal);
        foreach (var source in state.DnsRecords)
        {
            var record = ToZoneRecord(source, ttl);
            if (record.Type is "A" or "AAAA")
            {
                AddTo(addresses, record.Name, record);
            }

            if (ApexOf(record.Name, apexSet) is { } apex)
            {
                contents[apex].Add(record);
            }
        }

        var serial = state.Version;
        var soa = string.Create(CultureInfo.InvariantCulture, $"{servers[0]} hostmaster.{domain} {serial} {RefreshSeconds} {RetrySeconds} {ExpireSeconds} {NegativeTtlSeconds}");
        var zones = new List<FleetZone>(apexes.Count);
        foreach (var apex in apexes)
        {
            var records = Clean(apex, contents[apex], addresses);
            foreach (var child in apexes.Where(c => c != apex && Parent(c, apexSet) == apex))
            {
                records.AddRange(servers.Select(s => new ZoneRecord(child, "NS", ttl, s)));
            }

            // Glue: a name server below a zone cut inside this zone needs its addresses here too (RFC 1034 §4.2.1).
            foreach (var server in servers.Where(s => ApexOf(s, apexSet) is { } owner && owner != apex && Kith.Inventory.DnsName.IsWithin(s, apex)))
            {
                records.AddRange(addresses.GetValueOrDefault(server) ?? []);
            }

            var sorted = records.Distinct().Order(CanonicalOrder.Instance);
            List<ZoneRecord> all = [new ZoneRecord(apex, "SOA", ttl, soa), .. servers.Select(s => new ZoneRecord(apex, "NS", ttl, s)), .. sorted];
            zones.Add(new FleetZone(apex, serial, all));
        }

        return zones;
    }

    /// <summary>The longest of <paramref name="apexes"/> equal to or above <paramref name="name"/>, or null.</summary>
    internal static string? ApexOf(string name, IReadOnlySet<string> apexes)
    {
        var candidate = name;
        while (true)
        {
            if (apexes.Contains(candidate))
            {
                return candidate;
            }

            var dot = candidate.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                return null;
            }

            candidate = candidate[(dot + 1)..];
        }
    }

    // The zone that delegates `apex`: the longest other apex strictly above it.
    private static string? Parent(string apex, IReadOnlySet<string> apexes)
    {
        var dot = apex.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? null : ApexOf(apex[(dot + 1)..], apexes);
    }

    /// <summary>
    /// The FQDNs of the machines with role dns, machines in name order; with none, the first machine's (the
    /// zone still loads; the caller may warn); with no machines at all, the domain itself.
    /// </summary>
    internal static IReadOnlyList<string> NameServers(FleetState state, string domain)
    {
        var machines = state.Machines.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        var servers = machines.Where(m => m.Roles.Contains(DnsRole, StringComparer.Ordinal)).Select(m => $"{m.Name}.{domain}").ToList();
        if (servers.Count == 0)
        {
            servers.Add(machines.Count > 0 ? $"{machines[0].Name}.{domain}" : domain);
        }

        return servers;
    }

    // Makes one zone's records valid together:
    // - a CNAME at the apex would sit beside the SOA (RFC 1034 §3.6.2 allows no other data with a CNAME), so
    //   it is replaced by its target's addresses when the fleet has them, else dropped;
    // - a CNAME beside other data at its name is dropped (the other data wins), and of several CNAMEs at one
    //   name only the first in value order stays;
    // - every record of an RRset gets the set's smallest TTL (RFC 2181 §5.2).
    private static List<ZoneRecord> Clean(string apex, List<ZoneRecord> records, Dictionary<string, List<ZoneRecord>> addresses)
    {
        var kept = new List<ZoneRecord>(records.Count);
        foreach (var group in records.GroupBy(r => r.Name, StringComparer.Ordinal))
        {
            var cnames = group.Where(r => r.Type == "CNAME").OrderBy(r => r.Value, StringComparer.Ordinal).ToList();
            if (cnames.Count == 0)
            {
                kept.AddRange(group);
            }
            else if (group.Key == apex)
            {
                kept.AddRange(group.Where(r => r.Type != "CNAME"));
                if (kept.All(r => r.Name != apex || r.Type is not ("A" or "AAAA")))
                {
                    kept.AddRange((addresses.GetValueOrDefault(cnames[0].Value) ?? []).Select(a => a with { Name = apex, Ttl = cnames[0].Ttl }));
                }
            }
            else if (group.Count() > cnames.Count)
            {
                kept.AddRange(group.Where(r => r.Type != "CNAME"));
            }
            else
            {
                kept.Add(cnames[0]);
            }
        }

        var ttls = kept.GroupBy(r => (r.Name, r.Type)).ToDictionary(g => g.Key, g => g.Min(r => r.Ttl));
        return [.. kept.Select(r => r.Ttl == ttls[(r.Name, r.Type)] ? r : r with { Ttl = ttls[(r.Name, r.Type)] })];
    }

    private static ZoneRecord ToZoneRecord(FleetDnsRecord record, int defaultTtl)
    {
        var type = record.Type.ToUpperInvariant();
        var value = type == "CNAME" ? Normalize(record.Value) : record.Value;
        return new ZoneRecord(Normalize(record.Name), type, record.Ttl is > 0 and var own ? own : defaultTtl, value);
    }

    private static string Normalize(string name) => name.TrimEnd('.').ToLowerInvariant();

    private static void AddTo(Dictionary<string, List<ZoneRecord>> index, string key, ZoneRecord record)
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        list.Add(record);
    }
}
