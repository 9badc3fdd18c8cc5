using System.Globalization;
using System.Text;

namespace Kith.Dns.Resolver;

/// <summary>
/// An unbound.conf fragment (unbound.conf(5)) for conf.d: a <c>stub-zone:</c> per zone naming every dns machine,
/// and in <c>server:</c> what makes unbound use them: <c>domain-insecure</c> (the zones are not signed),
/// <c>private-domain</c> (their answers are private addresses, which <c>private-address</c> would strip), and a
/// <c>local-zone</c> where unbound would otherwise answer the zone itself.
/// </summary>
public static class UnboundFragment
{
    /// <summary>
    /// The forward zones unbound answers itself by default (unbound.conf(5), the <c>local-zone</c> defaults; newer
    /// releases have more of them). Its reverse ones are not listed: a fleet's zones are forward zones.
    /// </summary>
    private static readonly string[] DefaultLocalZones = ["localhost", "home.arpa", "resolver.arpa", "service.arpa", "onion", "test", "invalid"];

    public static string Render(ResolverTargets targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var text = new StringBuilder(SnippetHeader.For("#"));
        text.Append("server:\n");
        foreach (var zone in targets.Zones)
        {
            text.Append(CultureInfo.InvariantCulture, $"    domain-insecure: \"{zone}\"\n");
            text.Append(CultureInfo.InvariantCulture, $"    private-domain: \"{zone}\"\n");
            if (LocalZone(zone) is { } type)
            {
                text.Append(CultureInfo.InvariantCulture, $"    local-zone: \"{zone}.\" {type}\n");
            }
        }

        foreach (var zone in targets.Zones)
        {
            text.Append("\nstub-zone:\n");
            text.Append(CultureInfo.InvariantCulture, $"    name: \"{zone}\"\n");
            foreach (var server in targets.Servers)
            {
                text.Append(CultureInfo.InvariantCulture, $"    stub-addr: {server.Address}@{server.Port}\n");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// <c>nodefault</c> lifts unbound's own answers for a default zone; under one (lab.home.arpa) it would not, as the
    /// enclosing default zone still answers, so a <c>transparent</c> zone sends those names to resolution (and so to
    /// the stub). Null: unbound has nothing of its own there.
    /// </summary>
    private static string? LocalZone(string zone)
    {
        if (DefaultLocalZones.Contains(zone, StringComparer.Ordinal))
        {
            return "nodefault";
        }

        return DefaultLocalZones.Any(d => zone.EndsWith("." + d, StringComparison.Ordinal)) ? "transparent" : null;
    }
}
