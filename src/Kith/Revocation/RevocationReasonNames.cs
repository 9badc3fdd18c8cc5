using Kith.Storage;

namespace Kith.Revocation;

/// <summary>The reason names <c>kith revoke --reason</c> takes (RFC 5280 §5.3.1 spelling, any case).</summary>
public static class RevocationReasonNames
{
    /// <summary>The reasons a leaf certificate may be revoked with.</summary>
    public static IReadOnlyList<RevocationReason> ForLeaves { get; } =
    [
        RevocationReason.Unspecified,
        RevocationReason.KeyCompromise,
        RevocationReason.AffiliationChanged,
        RevocationReason.Superseded,
        RevocationReason.CessationOfOperation,
        RevocationReason.PrivilegeWithdrawn,
    ];

    /// <summary>The name of a reason as RFC 5280 writes it ("keyCompromise").</summary>
    public static string NameOf(RevocationReason reason)
    {
        var name = reason.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    /// <summary>
    /// The reason named <paramref name="text"/> among <paramref name="accepted"/>; a <see cref="KithException"/>
    /// listing the accepted names otherwise.
    /// </summary>
    public static RevocationReason Parse(string? text, IReadOnlyList<RevocationReason> accepted)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        if (text is null)
        {
            return RevocationReason.Unspecified;
        }

        foreach (var reason in accepted)
        {
            if (string.Equals(NameOf(reason), text, StringComparison.OrdinalIgnoreCase))
            {
                return reason;
            }
        }

        throw new KithException($"--reason '{text}' is not one of: {string.Join(", ", accepted.Select(NameOf))}");
    }
}
