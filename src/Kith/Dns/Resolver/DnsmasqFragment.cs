using System.Globalization;
using System.Net;
using System.Text;

namespace Kith.Dns.Resolver;

/// <summary>
/// A dnsmasq conf-dir fragment (dnsmasq(8)): <c>server=/zone/address</c> per zone and dns machine, and
/// <c>rebind-domain-ok=/zone/</c>, since the fleet's answers are private addresses that
/// <c>stop-dns-rebind</c> would otherwise throw away.
/// </summary>
public static class DnsmasqFragment
{
    public static string Render(ResolverTargets targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var text = new StringBuilder(SnippetHeader.For("#"));
        foreach (var zone in targets.Zones)
        {
            foreach (var server in targets.Servers)
            {
                text.Append(CultureInfo.InvariantCulture, $"server=/{zone}/{Server(server)}\n");
            }
        }

        foreach (var zone in targets.Zones)
        {
            text.Append(CultureInfo.InvariantCulture, $"rebind-domain-ok=/{zone}/\n");
        }

        return text.ToString();
    }

    /// <summary>dnsmasq writes a port after '#', IPv6 addresses without brackets.</summary>
    private static string Server(IPEndPoint server) =>
        server.Port == ResolverTargets.DefaultPort
            ? server.Address.ToString()
            : string.Create(CultureInfo.InvariantCulture, $"{server.Address}#{server.Port}");
}
