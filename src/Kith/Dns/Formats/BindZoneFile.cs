using System.Globalization;
using System.Text;

namespace Kith.Dns.Formats;

/// <summary>
/// One zone as an RFC 1035 master file that BIND, Knot and NSD load: <c>$ORIGIN</c> and <c>$TTL</c>, owner
/// names relative to the origin (<c>@</c> for the apex), targets absolute with the trailing dot.
/// </summary>
public static class BindZoneFile
{
    public static string Render(FleetZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var defaultTtl = zone.Records.Count > 0 ? zone.Records[0].Ttl : FleetZones.DefaultTtl;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"; Zone {zone.Apex}, serial {zone.Serial}: written by `kith dns zone` from the fleet inventory; edit kith.yaml, not this file.\n");
        text.Append(CultureInfo.InvariantCulture, $"$ORIGIN {ZoneText.Absolute(zone.Apex)}\n");
        text.Append(CultureInfo.InvariantCulture, $"$TTL {defaultTtl}\n");
        foreach (var record in zone.Records)
        {
            var owner = Owner(record.Name, zone.Apex);
            var ttl = record.Ttl == defaultTtl ? string.Empty : record.Ttl.ToString(CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{owner,-24} {ttl,-6} IN {record.Type,-5} {ZoneText.RData(record)}\n");
        }

        return text.ToString();
    }

    /// <summary>The owner relative to the apex (<c>@</c>, <c>www</c>), or absolute when outside it.</summary>
    private static string Owner(string name, string apex)
    {
        if (name == apex)
        {
            return "@";
        }

        return name.EndsWith("." + apex, StringComparison.Ordinal) ? name[..^(apex.Length + 1)] : ZoneText.Absolute(name);
    }
}
