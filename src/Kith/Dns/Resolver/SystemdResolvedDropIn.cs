using System.Net;
using System.Text;

namespace Kith.Dns.Resolver;

/// <summary>
/// A resolved.conf drop-in (resolved.conf(5)): the dns machines as global <c>DNS=</c> servers and each zone as a
/// routing-only domain (<c>~zone</c>), so names in the zones go to them and are not used as search suffixes.
/// Global servers also get queries that match no routing domain; docs/dns.md says what that means and when a
/// per-link setting is better.
/// </summary>
public static class SystemdResolvedDropIn
{
    public static string Render(ResolverTargets targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var text = new StringBuilder(SnippetHeader.For("#"));
        text.Append("[Resolve]\n");
        text.Append("DNS=").AppendJoin(' ', targets.Servers.Select(Server)).Append('\n');
        text.Append("Domains=").AppendJoin(' ', targets.Zones.Select(zone => "~" + zone)).Append('\n');
        return text.ToString();
    }

    /// <summary>ADDRESS, or ADDRESS:PORT / [ADDRESS]:PORT when the port is not 53 (systemd 246 and later read the port).</summary>
    private static string Server(IPEndPoint server) =>
        server.Port == ResolverTargets.DefaultPort ? server.Address.ToString() : server.ToString();
}
