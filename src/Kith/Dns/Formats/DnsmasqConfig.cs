using System.Text;

namespace Kith.Dns.Formats;

/// <summary>
/// The zones as dnsmasq local data (a file for <c>/etc/dnsmasq.d/</c>): <c>local=/apex/</c> so names of the
/// zone are never forwarded, <c>host-record=</c>, <c>cname=</c>, <c>txt-record=</c>, <c>srv-host=</c>. dnsmasq
/// has no wildcard CNAME, so <c>*.apps.home.arpa</c> becomes <c>address=/apps.home.arpa/…</c> with its target's
/// addresses (which also answers for apps.home.arpa itself).
/// </summary>
public static class DnsmasqConfig
{
    public static string Render(IReadOnlyList<FleetZone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        var apexes = zones.Select(z => z.Apex).ToHashSet(StringComparer.Ordinal);
        var records = zones.SelectMany(z => ZoneText.OwnRecords(z, apexes)).ToList();
        var addresses = records.Where(r => r.Type is "A" or "AAAA").ToLookup(r => r.Name, r => r.Value, StringComparer.Ordinal);
        var text = new StringBuilder("# Fleet zones for dnsmasq: written by `kith dns zone --format dnsmasq`; edit kith.yaml, not this file.\n");
        foreach (var zone in zones)
        {
            text.Append("local=/").Append(zone.Apex).Append("/\n");
        }

        foreach (var record in records)
        {
            var line = record.Type switch
            {
                "A" or "AAAA" when record.Name.StartsWith("*.", StringComparison.Ordinal) => $"address=/{record.Name[2..]}/{record.Value}",
                "A" or "AAAA" => $"host-record={record.Name},{record.Value},{record.Ttl}",
                "CNAME" when record.Name.StartsWith("*.", StringComparison.Ordinal) => Wildcard(record, addresses),
                "CNAME" => $"cname={record.Name},{record.Value},{record.Ttl}",
                "TXT" => $"txt-record={record.Name},{Quoted(record.Value)}",
                "SRV" => Srv(record),
                _ => null,
            };
            if (line is not null)
            {
                text.Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Wildcard(ZoneRecord record, ILookup<string, string> addresses)
    {
        var parent = record.Name[2..];
        var targets = addresses[record.Value].ToList();
        return targets.Count == 0
            ? $"# {record.Name}: its target {record.Value} has no address in the fleet"
            : string.Join('\n', targets.Select(a => $"address=/{parent}/{a}"));
    }

    // --srv-host=<_service>.<_prot>.<domain>,<target>,<port>,<priority>,<weight>; without a target: no such service.
    private static string Srv(ZoneRecord record)
    {
        var parts = record.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length != 4 || parts[3] == "."
            ? $"srv-host={record.Name}"
            : $"srv-host={record.Name},{parts[3]},{parts[2]},{parts[0]},{parts[1]}";
    }

    // dnsmasq reads a quoted value with C-style escapes; long text becomes several strings of at most 255 bytes.
    private static string Quoted(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length == 0)
        {
            return "\"\"";
        }

        var parts = new List<string>();
        var start = 0;
        while (start < bytes.Length)
        {
            var end = Math.Min(start + ZoneText.MaxStringBytes, bytes.Length);

            // Never split inside a UTF-8 sequence: dnsmasq reads the file as text.
            while (end < bytes.Length && (bytes[end] & 0xC0) == 0x80)
            {
                end--;
            }

            var chunk = Encoding.UTF8.GetString(bytes, start, end - start);
            parts.Add("\"" + chunk.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
            start = end;
        }

        return string.Join(',', parts);
    }
}
