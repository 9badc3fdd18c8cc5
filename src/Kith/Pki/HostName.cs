namespace Kith.Pki;

/// <summary>
/// The issuance policy's gate on a DNS name, which must already be in its normal form (user input is
/// normalized and explained by <c>Kith.Inventory.DnsName</c>): the strict form as it goes into a certificate: lower-case ASCII (IDNs already in
/// punycode), labels of 1–63 letters, digits and inner hyphens (RFC 1123 §2.1), at most 253 characters,
/// at least two labels, no trailing dot; optionally "*" as the whole leftmost label.
/// </summary>
public static class HostName
{
    public const int MaxLength = 253;
    public const int MaxLabelLength = 63;

    /// <summary>Returns null when <paramref name="name"/> is acceptable, else why not.</summary>
    public static string? Problem(string name, bool allowWildcard)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "empty name";
        }

        if (name.Length > MaxLength)
        {
            return $"longer than {MaxLength} characters";
        }

        var labels = name.Split('.');
        if (labels.Length < 2)
        {
            return "needs at least two labels (a fully qualified name)";
        }

        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label == "*" && i == 0)
            {
                if (!allowWildcard)
                {
                    return "wildcard names are not allowed here";
                }

                continue;
            }

            var problem = LabelProblem(label);
            if (problem is not null)
            {
                return $"label '{label}' {problem}";
            }
        }

        return null;
    }

    public static string? LabelProblem(string label)
    {
        if (label.Length == 0)
        {
            return "is empty";
        }

        if (label.Length > MaxLabelLength)
        {
            return $"is longer than {MaxLabelLength} characters";
        }

        if (label[0] == '-' || label[^1] == '-')
        {
            return "starts or ends with a hyphen";
        }

        foreach (var c in label)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return c is '*'
                    ? "holds a '*' (a wildcard may only be the whole leftmost label)"
                    : $"holds '{c}' (only lower-case a-z, 0-9 and '-' are allowed)";
            }
        }

        return null;
    }
}
