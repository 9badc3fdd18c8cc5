using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Kith.Inventory;

/// <summary>
/// Checks and normalizes the names and values of dns.records (docs/dns.md): each returns the normal form, or
/// null with the reason in <c>error</c>.
/// </summary>
internal static class DnsRecordValue
{
    /// <summary>The record types dns.records accepts, in upper case.</summary>
    public static readonly string[] Types = ["A", "AAAA", "TXT", "SRV", "CNAME"];

    /// <summary>
    /// The longest TXT text accepted, in UTF-8 bytes: it is split into 255-byte strings (RFC 1035 §3.3.14) and
    /// a response carrying it must still fit a 4096-byte EDNS buffer with room for the rest.
    /// </summary>
    public const int MaxTextBytes = 2048;

    /// <summary>
    /// A record owner or target: a host name as <see cref="DnsName"/> accepts, except that labels may also hold
    /// '_' (service labels such as <c>_ldap._tcp</c>, RFC 8552); <c>*</c> as the leftmost label when
    /// <paramref name="allowWildcard"/>.
    /// </summary>
    public static string? Name(string text, bool allowWildcard, out string error)
    {
        var trimmed = text.Trim();
        if (!trimmed.Contains('_', StringComparison.Ordinal))
        {
            return DnsName.TryNormalize(trimmed, out var normalized, out error, allowWildcard) ? normalized : null;
        }

        // Underscore labels are ASCII by nature: check the name with '_' read as a letter, keep the original.
        if (!trimmed.All(char.IsAscii))
        {
            error = "a name with '_' labels must be ASCII";
            return null;
        }

        if (!DnsName.TryNormalize(trimmed.Replace('_', 'u'), out _, out error, allowWildcard))
        {
            error = error.Replace("'-'", "'-', '_'", StringComparison.Ordinal);
            return null;
        }

        return trimmed.TrimEnd('.').ToLowerInvariant();
    }

    /// <summary>The value of a record of <paramref name="type"/> (upper case) in its normal form.</summary>
    public static string? Value(string type, string text, out string error) => type switch
    {
        "A" => Address(text, AddressFamily.InterNetwork, out error),
        "AAAA" => Address(text, AddressFamily.InterNetworkV6, out error),
        "TXT" => Text(text, out error),
        "SRV" => Service(text, out error),
        _ => Name(text, allowWildcard: false, out error),
    };

    private static string? Address(string text, AddressFamily family, out string error)
    {
        var address = MachineReader.ParseAddress(text.Trim(), out error);
        if (address is null)
        {
            return null;
        }

        if (address.AddressFamily != family)
        {
            error = family == AddressFamily.InterNetwork
                ? $"'{text}' is an IPv6 address; an A record holds IPv4 (use type AAAA)"
                : $"'{text}' is an IPv4 address; an AAAA record holds IPv6 (use type A)";
            return null;
        }

        return address.ToString();
    }

    private static string? Text(string text, out string error)
    {
        error = string.Empty;
        if (text.Any(char.IsControl))
        {
            error = "the text contains a control character (tab, newline, …); write it on one line without them";
            return null;
        }

        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxTextBytes)
        {
            error = $"the text is {bytes} bytes long; at most {MaxTextBytes} are allowed";
            return null;
        }

        return text;
    }

    // RFC 2782: priority weight port target, three numbers 0-65535 and a host name ("." = no such service).
    private static string? Service(string text, out string error)
    {
        error = string.Empty;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 4)
        {
            error = $"'{text}' is not an SRV value; write four fields: priority weight port target, e.g. \"0 5 389 storage.home.arpa\"";
            return null;
        }

        string[] fields = ["priority", "weight", "port"];
        for (var i = 0; i < 3; i++)
        {
            if (!ushort.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                error = $"SRV {fields[i]} '{parts[i]}' is not a number from 0 to 65535";
                return null;
            }
        }

        var target = parts[3] == "." ? "." : Name(parts[3], allowWildcard: false, out error);
        if (target is null)
        {
            error = $"SRV target '{parts[3]}': {error}";
            return null;
        }

        return string.Join(' ', parts[..3].Select(p => ushort.Parse(p, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)).Append(target));
    }
}
