namespace Kith.Dns.Update;

/// <summary>What a TSIG key may be called: a DNS name (RFC 8945 section 4.2), compared lower-case without the root dot.</summary>
public static class TsigKeyNames
{
    public static string Normalize(string name) => DnsNames.Normalize(name);

    /// <summary>Letters, digits, '-' and '_' in labels of 1 to 63 characters, 253 characters in all.</summary>
    public static bool IsValid(string name)
    {
        var normalized = Normalize(name);
        return normalized.Length is > 0 and <= 253
            && normalized.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }
}
