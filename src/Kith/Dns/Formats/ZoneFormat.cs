namespace Kith.Dns.Formats;

/// <summary>The forms <c>kith dns zone</c> writes the fleet's zones in.</summary>
public enum ZoneFormat
{
    /// <summary>An RFC 1035 master file per zone (BIND, Knot, NSD).</summary>
    Bind,

    /// <summary><c>/etc/hosts</c> lines.</summary>
    Hosts,

    /// <summary>A dnsmasq configuration file of local data.</summary>
    Dnsmasq,

    /// <summary>An unbound fragment for inside <c>server:</c>.</summary>
    Unbound,
}

/// <summary>Renders zones in a <see cref="ZoneFormat"/>.</summary>
public static class ZoneFormats
{
    /// <summary>
    /// All <paramref name="zones"/> in one text; for <see cref="ZoneFormat.Bind"/> exactly one zone is allowed,
    /// a master file holding one zone.
    /// </summary>
    public static string Render(ZoneFormat format, IReadOnlyList<FleetZone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        return format switch
        {
            ZoneFormat.Bind when zones.Count == 1 => BindZoneFile.Render(zones[0]),
            ZoneFormat.Bind => throw new ArgumentException("a BIND zone file holds exactly one zone", nameof(zones)),
            ZoneFormat.Hosts => HostsFile.Render(zones),
            ZoneFormat.Dnsmasq => DnsmasqConfig.Render(zones),
            _ => UnboundConfig.Render(zones),
        };
    }
}
