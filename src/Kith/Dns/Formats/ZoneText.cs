using System.Globalization;
using System.Text;

namespace Kith.Dns.Formats;

/// <summary>Pieces of DNS presentation format (RFC 1035 §5.1) the zone formats share.</summary>
internal static class ZoneText
{
    /// <summary>RFC 1035 §3.3: a character-string is a length octet and at most 255 octets.</summary>
    public const int MaxStringBytes = 255;

    /// <summary>The name with its trailing dot (<c>.</c> stays <c>.</c>).</summary>
    public static string Absolute(string name) => name == "." ? "." : name + ".";

    /// <summary>
    /// A TXT value as quoted character-strings of at most 255 bytes each, split on UTF-8 bytes: <c>"</c> and
    /// <c>\</c> get a backslash, bytes outside printable ASCII (and <c>'</c> when <paramref name="escapeApostrophe"/>)
    /// become <c>\DDD</c>, so the text means the same bytes to every zone parser.
    /// </summary>
    public static string QuotedStrings(string text, bool escapeApostrophe = false)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length == 0)
        {
            return "\"\"";
        }

        var builder = new StringBuilder(bytes.Length + 8);
        for (var start = 0; start < bytes.Length; start += MaxStringBytes)
        {
            if (start > 0)
            {
                builder.Append(' ');
            }

            builder.Append('"');
            foreach (var b in bytes.AsSpan(start, Math.Min(MaxStringBytes, bytes.Length - start)))
            {
                if (b is (byte)'"' or (byte)'\\')
                {
                    builder.Append('\\').Append((char)b);
                }
                else if (b is < 0x20 or >= 0x7f || (escapeApostrophe && b == (byte)'\''))
                {
                    builder.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append((char)b);
                }
            }

            builder.Append('"');
        }

        return builder.ToString();
    }

    /// <summary>An SRV value (<c>priority weight port target</c>) with the target absolute.</summary>
    public static string SrvValue(string value)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 4 ? $"{parts[0]} {parts[1]} {parts[2]} {Absolute(parts[3])}" : value;
    }

    /// <summary>The value of <paramref name="record"/> as an RFC 1035 master file writes it.</summary>
    public static string RData(ZoneRecord record, bool escapeApostrophe = false) => record.Type switch
    {
        "TXT" => QuotedStrings(record.Value, escapeApostrophe),
        "SRV" => SrvValue(record.Value),
        "CNAME" or "NS" => Absolute(record.Value),
        "SOA" => Soa(record.Value),
        _ => record.Value,
    };

    /// <summary>
    /// The records of <paramref name="zone"/> that are its own data: without the NS records and glue at names
    /// inside another served zone (delegations only matter to a real authoritative server, and the formats that
    /// are local data serve every zone from its own block).
    /// </summary>
    public static IEnumerable<ZoneRecord> OwnRecords(FleetZone zone, IReadOnlySet<string> apexes) =>
        zone.Records.Where(r => FleetZones.ApexOf(r.Name, apexes) == zone.Apex);

    private static string Soa(string value)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 7 ? $"{Absolute(parts[0])} {Absolute(parts[1])} {string.Join(' ', parts[2..])}" : value;
    }
}
