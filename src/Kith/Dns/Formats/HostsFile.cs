using System.Text;

namespace Kith.Dns.Formats;

/// <summary>
/// The zones as <c>/etc/hosts</c> lines (<c>address name</c>): every A/AAAA record, and every CNAME name with
/// the addresses its target has in the fleet (followed through up to 8 CNAMEs). A hosts file has no wildcards
/// and no other record types, so those are left out (wildcards with a comment).
/// </summary>
public static class HostsFile
{
    private const int MaxChain = 8;

    public static string Render(IReadOnlyList<FleetZone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        var apexes = zones.Select(z => z.Apex).ToHashSet(StringComparer.Ordinal);
        var records = zones.SelectMany(z => ZoneText.OwnRecords(z, apexes)).ToList();
        var addresses = records.Where(r => r.Type is "A" or "AAAA").ToLookup(r => r.Name, r => r.Value, StringComparer.Ordinal);
        var cnames = records.Where(r => r.Type == "CNAME").GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        var text = new StringBuilder("# Fleet names for /etc/hosts: written by `kith dns zone --format hosts`; edit kith.yaml, not this file.\n");
        var names = addresses.Select(g => g.Key).Concat(cnames.Keys).Distinct().Order(CanonicalOrder.Instance);
        foreach (var name in names)
        {
            if (name.StartsWith("*.", StringComparison.Ordinal))
            {
                text.Append("# ").Append(name).Append(": a hosts file cannot hold a wildcard name\n");
                continue;
            }

            foreach (var address in Resolve(name, addresses, cnames))
            {
                text.Append(address).Append(' ').Append(name).Append('\n');
            }
        }

        return text.ToString();
    }

    private static IEnumerable<string> Resolve(string name, ILookup<string, string> addresses, Dictionary<string, string> cnames)
    {
        var current = name;
        for (var hop = 0; hop <= MaxChain; hop++)
        {
            if (addresses.Contains(current))
            {
                return addresses[current];
            }

            if (!cnames.TryGetValue(current, out var target))
            {
                break;
            }

            current = target;
        }

        return [];
    }
}
