using System.Globalization;

namespace Kith.Inventory;

/// <summary>
/// DNS host names as kith accepts them (RFC 1123 §2.1 letters-digits-hyphen labels, RFC 1035 §2.3.4
/// lengths), normalized to the one spelling that goes into certificates, DNS zones and name
/// constraints: lower-case ASCII, internationalized labels in punycode (RFC 5891), no trailing dot.
/// </summary>
public static class DnsName
{
    /// <summary>RFC 1035 §2.3.4: a label is at most 63 octets.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>RFC 1035 §2.3.4 allows 255 octets on the wire: 253 characters in text form.</summary>
    public const int MaxNameLength = 253;

    // UseStd3AsciiRules refuses '_', spaces and the other characters RFC 1123 does not allow in host names.
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    /// <summary>
    /// Checks a fully qualified host name and returns its normal form: trailing dot stripped,
    /// lower-cased, Unicode labels converted to punycode. At least two labels are required and the
    /// last one may not be all digits (so an IP address is never taken for a name, RFC 3696 §2).
    /// </summary>
    /// <param name="input">The name as written, e.g. <c>Bücher.Home.Arpa.</c>.</param>
    /// <param name="normalized">The normal form (e.g. <c>xn--bcher-kva.home.arpa</c>), or empty when refused.</param>
    /// <param name="error">Why the name is refused, or empty when accepted.</param>
    /// <param name="allowWildcard">When true, <c>*</c> is accepted as the whole leftmost label
    /// (<c>*.apps.home.arpa</c>); it is refused everywhere else. Defaults to false.</param>
    public static bool TryNormalize(string input, out string normalized, out string error, bool allowWildcard = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        normalized = string.Empty;
        error = Check(input, allowWildcard, out var result);
        if (error.Length > 0)
        {
            return false;
        }

        normalized = result;
        return true;
    }

    /// <summary>
    /// True when <paramref name="name"/> equals <paramref name="zone"/> or is below it, compared label
    /// by label without regard to ASCII case: <c>a.home.arpa</c> is within <c>home.arpa</c>,
    /// <c>evilhome.arpa</c> is not. Trailing dots are ignored. Names should be normalized first.
    /// </summary>
    public static bool IsWithin(string name, string zone)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(zone);
        zone = zone.TrimEnd('.');
        return zone.Length > 0 && Pki.NameConstraints.IsWithinSubtree(name.TrimEnd('.'), zone);
    }

    /// <summary>
    /// True when <paramref name="label"/> is one RFC 1123 label: 1 to 63 ASCII letters, digits and
    /// hyphens, not starting or ending with a hyphen. Either case is accepted.
    /// </summary>
    public static bool IsLabel(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return CheckLabel(label).Length == 0;
    }

    private static string Check(string input, bool allowWildcard, out string result)
    {
        result = string.Empty;
        var name = input.EndsWith('.') ? input[..^1] : input;
        if (name.Length == 0)
        {
            return "the name is empty";
        }

        var wildcard = allowWildcard && name.StartsWith("*.", StringComparison.Ordinal);
        if (wildcard)
        {
            name = name[2..];
        }

        if (name.Contains('*', StringComparison.Ordinal))
        {
            return allowWildcard
                ? "'*' is allowed only as the whole leftmost label, as in *.apps.home.arpa"
                : "wildcards ('*') are not allowed here";
        }

        if (!name.All(char.IsAscii))
        {
            try
            {
                name = Idn.GetAscii(name);
            }
            catch (ArgumentException e)
            {
                return $"not a valid internationalized name ({e.Message.TrimEnd('.')})";
            }
        }

        name = name.ToLowerInvariant();
        var labels = name.Split('.');
        foreach (var label in labels)
        {
            var problem = CheckLabel(label);
            if (problem.Length > 0)
            {
                return problem;
            }

            if (label.StartsWith("xn--", StringComparison.Ordinal) && !IsPunycode(label))
            {
                return $"label '{label}' starts with 'xn--' but is not valid punycode";
            }
        }

        if (labels.Length < 2)
        {
            return $"'{name}' is a single label; write a fully qualified name such as {name}.home.arpa";
        }

        if (labels[^1].All(char.IsAsciiDigit))
        {
            return "the last label is all digits; an IP address is not a DNS name";
        }

        result = wildcard ? "*." + name : name;
        return result.Length > MaxNameLength
            ? $"the name is {result.Length} characters long; at most {MaxNameLength} are allowed"
            : string.Empty;
    }

    private static string CheckLabel(string label)
    {
        if (label.Length == 0)
        {
            return "the name has an empty label (two dots in a row, or a leading dot)";
        }

        if (label.Length > MaxLabelLength)
        {
            return $"label '{label[..10]}…' is {label.Length} characters long; at most {MaxLabelLength} are allowed";
        }

        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                var shown = char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}'";
                return $"label '{label.Trim()}' contains {shown}; only letters, digits and '-' are allowed";
            }
        }

        if (label[0] == '-' || label[^1] == '-')
        {
            return $"label '{label}' starts or ends with '-'";
        }

        return string.Empty;
    }

    private static bool IsPunycode(string label)
    {
        try
        {
            return Idn.GetUnicode(label).Length > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
