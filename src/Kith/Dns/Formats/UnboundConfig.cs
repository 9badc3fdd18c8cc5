using System.Text;

namespace Kith.Dns.Formats;

/// <summary>
/// The zones as an unbound fragment for inside <c>server:</c>: one <c>local-zone: "apex." static</c> per zone
/// and its records as <c>local-data:</c>. unbound's local data has no wildcards, so <c>*.apps.home.arpa</c>
/// becomes a <c>redirect</c> zone for apps.home.arpa answering with its target's addresses.
/// </summary>
public static class UnboundConfig
{
    public static string Render(IReadOnlyList<FleetZone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        var apexes = zones.Select(z => z.Apex).ToHashSet(StringComparer.Ordinal);
        var records = zones.SelectMany(z => ZoneText.OwnRecords(z, apexes)).ToList();
        var addresses = records.Where(r => r.Type is "A" or "AAAA").ToLookup(r => r.Name, StringComparer.Ordinal);
        var text = new StringBuilder("# Fleet zones for unbound, inside server: -- written by `kith dns zone --format unbound`; edit kith.yaml, not this file.\n");
        foreach (var zone in zones)
        {
            text.Append("local-zone: \"").Append(ZoneText.Absolute(zone.Apex)).Append("\" static\n");
            var own = ZoneText.OwnRecords(zone, apexes).ToList();
            foreach (var record in own.Where(r => !IsWildcard(r)))
            {
                text.Append(Data(record)).Append('\n');
            }

            foreach (var wildcard in own.Where(IsWildcard).GroupBy(r => r.Name, StringComparer.Ordinal))
            {
                Wildcard(text, wildcard.Key, [.. wildcard], addresses);
            }
        }

        return text.ToString();
    }

    private static bool IsWildcard(ZoneRecord record) => record.Name.StartsWith("*.", StringComparison.Ordinal);

    private static void Wildcard(StringBuilder text, string name, List<ZoneRecord> records, ILookup<string, ZoneRecord> addresses)
    {
        var parent = name[2..];
        var data = records
            .SelectMany(r => r.Type == "CNAME" ? addresses[r.Value].Select(a => a with { Ttl = r.Ttl }) : [r])
            .Select(r => r with { Name = parent })
            .ToList();
        if (data.Count == 0)
        {
            text.Append("# ").Append(name).Append(": its target has no address in the fleet\n");
            return;
        }

        text.Append("local-zone: \"").Append(ZoneText.Absolute(parent)).Append("\" redirect\n");
        foreach (var record in data)
        {
            text.Append(Data(record)).Append('\n');
        }
    }

    // Single quotes around the record so a TXT's double quotes need no escaping; a ' inside becomes \039.
    private static string Data(ZoneRecord record) =>
        $"local-data: '{ZoneText.Absolute(record.Name)} {record.Ttl} IN {record.Type} {ZoneText.RData(record, escapeApostrophe: true)}'";
}
