using Kith.Dns.Server;
namespace Kith.Dns.Update;

/// <summary>
/// Checks an update's prerequisite section (RFC 2136 section 3.2) against the served zone and the dynamic
/// TXT records. Value-dependent prerequisites are checked for TXT only; any other type is refused rather
/// than guessed at.
/// </summary>
internal static class UpdatePrerequisites
{
    /// <summary>NOERROR when every prerequisite holds, else the RCODE RFC 2136 names for the first that fails.</summary>
    public static UpdateRcode Check(IReadOnlyList<UpdateEntry> prerequisites, FleetZone zone, DynamicTxtRecords dynamic)
    {
        foreach (var entry in prerequisites)
        {
            if (!Kith.Inventory.DnsName.IsWithin(entry.Name, zone.Apex))
            {
                return UpdateRcode.NotZone;
            }

            if (entry.Ttl != 0)
            {
                return UpdateRcode.FormErr;
            }

            var rcode = (entry.Class, entry.Type, entry.Data.Length) switch
            {
                (DnsType.ClassAny, DnsType.Any, 0) => NameInUse(entry.Name, zone, dynamic) ? UpdateRcode.NoError : UpdateRcode.NxDomain,
                (DnsType.ClassAny, _, 0) => Types(entry.Name, zone, dynamic).Contains(entry.Type) ? UpdateRcode.NoError : UpdateRcode.NxRrset,
                (DnsType.ClassNone, DnsType.Any, 0) => NameInUse(entry.Name, zone, dynamic) ? UpdateRcode.YxDomain : UpdateRcode.NoError,
                (DnsType.ClassNone, _, 0) => Types(entry.Name, zone, dynamic).Contains(entry.Type) ? UpdateRcode.YxRrset : UpdateRcode.NoError,
                (DnsType.ClassIn, DnsType.Txt, _) => UpdateRcode.NoError, // checked below, as whole RRsets
                (DnsType.ClassIn, _, _) => UpdateRcode.Refused,
                _ => UpdateRcode.FormErr,
            };
            if (rcode != UpdateRcode.NoError)
            {
                return rcode;
            }
        }

        // RFC 2136 section 3.2.5: the value-dependent entries for one name form an RRset that must equal the one held.
        foreach (var group in prerequisites.Where(p => p.Class == DnsType.ClassIn).GroupBy(p => p.Name))
        {
            var wanted = group.Select(p => p.Text()).ToHashSet(StringComparer.Ordinal);
            var held = Texts(group.Key, zone, dynamic).ToHashSet(StringComparer.Ordinal);
            if (!wanted.SetEquals(held))
            {
                return UpdateRcode.NxRrset;
            }
        }

        return UpdateRcode.NoError;
    }

    private static bool NameInUse(string name, FleetZone zone, DynamicTxtRecords dynamic) =>
        zone.Records.Any(r => r.Name == name) || dynamic.TextsAt(name).Count > 0;

    private static HashSet<ushort> Types(string name, FleetZone zone, DynamicTxtRecords dynamic)
    {
        var types = zone.Records.Where(r => r.Name == name).Select(r => TypeCode(r.Type)).ToHashSet();
        if (dynamic.TextsAt(name).Count > 0)
        {
            types.Add(DnsType.Txt);
        }

        return types;
    }

    private static IEnumerable<string> Texts(string name, FleetZone zone, DynamicTxtRecords dynamic) =>
        zone.Records.Where(r => r.Name == name && r.Type == "TXT").Select(r => r.Value).Concat(dynamic.TextsAt(name));

    private static ushort TypeCode(string type) => type switch
    {
        "A" => 1,
        "NS" => 2,
        "CNAME" => 5,
        "SOA" => 6,
        "TXT" => 16,
        "AAAA" => 28,
        "SRV" => 33,
        _ => 0,
    };
}
