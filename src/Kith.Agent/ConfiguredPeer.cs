using System.Net;

namespace Kith.Agent;

/// <summary>
/// A peer named in agent.yaml's <c>peers:</c>, so that an agent with no fleet state yet (which therefore
/// knows no machines) has someone to pull from. Two forms:
/// <c>https://HOST:PORT</c> with a host name, verified by that name; and <c>MACHINE=https://IP:PORT</c>, which
/// connects to the address and verifies the certificate name <c>MACHINE.&lt;domain&gt;</c> (an IP address
/// alone does not say which machine's certificate to expect).
/// </summary>
/// <param name="Text">As written in the config, for logs.</param>
/// <param name="Machine">The machine of the <c>MACHINE=</c> form, else null.</param>
/// <param name="Host">The host name of the URL form, or the address of the <c>MACHINE=</c> form.</param>
/// <param name="Address">The address to connect to in the <c>MACHINE=</c> form, else null (DNS).</param>
public sealed record ConfiguredPeer(string Text, string? Machine, string Host, int Port, IPAddress? Address)
{
    /// <summary>The name the peer's certificate must carry.</summary>
    public string CertificateName(string domain) => Machine is null ? Host : $"{Machine}.{domain}";

    /// <exception cref="KithException">Not one of the two forms.</exception>
    public static ConfiguredPeer Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var machine = equals > 0 ? text[..equals].Trim().ToLowerInvariant() : null;
        var url = equals > 0 ? text[(equals + 1)..].Trim() : text.Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new KithException($"{source}: peer '{text}' is not https://HOST:PORT or MACHINE=https://IP:PORT");
        }

        var isAddress = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6;
        var address = isAddress ? IPAddress.Parse(uri.DnsSafeHost) : null;
        if (machine is null)
        {
            return isAddress
                ? throw new KithException($"{source}: peer '{text}' is an IP address: write it as MACHINE=https://{uri.Authority} so the agent knows which certificate name to expect")
                : new ConfiguredPeer(text, null, uri.IdnHost.ToLowerInvariant(), uri.Port, null);
        }

        if (machine.Length == 0 || machine.Length > 63 || !machine.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') || machine[0] == '-')
        {
            throw new KithException($"{source}: peer '{text}': '{machine}' is not a machine name (letters, digits and '-')");
        }

        return isAddress
            ? new ConfiguredPeer(text, machine, uri.DnsSafeHost, uri.Port, address)
            : throw new KithException($"{source}: peer '{text}': the MACHINE= form takes an IP address; write a host name as https://HOST:PORT");
    }
}
