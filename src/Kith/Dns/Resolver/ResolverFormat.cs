namespace Kith.Dns.Resolver;

/// <summary>The local resolvers kith writes a snippet for (docs/dns.md, "Resolver snippets").</summary>
public enum ResolverFormat
{
    /// <summary>A <c>[Resolve]</c> drop-in for systemd-resolved.</summary>
    SystemdResolved,

    /// <summary>A fragment for dnsmasq's conf-dir.</summary>
    Dnsmasq,

    /// <summary>A fragment for unbound's conf.d (included at top level).</summary>
    Unbound,
}

/// <summary>The names of <see cref="ResolverFormat"/> as written in agent.yaml and on the command line, and their default paths.</summary>
public static class ResolverFormats
{
    /// <summary>The names accepted, in the order they are listed in messages.</summary>
    public const string Names = "systemd-resolved, dnsmasq, unbound";

    /// <summary>The format named <paramref name="name"/>, or null when the name is not one of <see cref="Names"/>.</summary>
    public static ResolverFormat? Parse(string name) => name switch
    {
        "systemd-resolved" => ResolverFormat.SystemdResolved,
        "dnsmasq" => ResolverFormat.Dnsmasq,
        "unbound" => ResolverFormat.Unbound,
        _ => null,
    };

    public static string Name(ResolverFormat format) => format switch
    {
        ResolverFormat.SystemdResolved => "systemd-resolved",
        ResolverFormat.Dnsmasq => "dnsmasq",
        ResolverFormat.Unbound => "unbound",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown resolver format"),
    };

    /// <summary>Where each resolver's packaging reads drop-ins from (Debian's layout).</summary>
    public static string DefaultPath(ResolverFormat format) => format switch
    {
        ResolverFormat.SystemdResolved => "/etc/systemd/resolved.conf.d/kith.conf",
        ResolverFormat.Dnsmasq => "/etc/dnsmasq.d/kith.conf",
        ResolverFormat.Unbound => "/etc/unbound/unbound.conf.d/kith.conf",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown resolver format"),
    };

    /// <summary>The snippet in <paramref name="format"/> for <paramref name="targets"/>.</summary>
    public static string Render(ResolverFormat format, ResolverTargets targets) => format switch
    {
        ResolverFormat.SystemdResolved => SystemdResolvedDropIn.Render(targets),
        ResolverFormat.Dnsmasq => DnsmasqFragment.Render(targets),
        ResolverFormat.Unbound => UnboundFragment.Render(targets),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown resolver format"),
    };
}
