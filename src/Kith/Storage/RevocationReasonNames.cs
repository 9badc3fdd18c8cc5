namespace Kith.Storage;

/// <summary>
/// The reason names of the command line and the fleet state (RFC 5280 §5.3.1 spelling, matched
/// case-insensitively): <c>unspecified keyCompromise affiliationChanged superseded cessationOfOperation
/// privilegeWithdrawn</c>, and <c>caCompromise</c> for a Host CA only.
/// </summary>
public static class RevocationReasonNames
{
    private static readonly (string Name, RevocationReason Reason)[] LeafReasons =
    [
        ("unspecified", RevocationReason.Unspecified),
        ("keyCompromise", RevocationReason.KeyCompromise),
        ("affiliationChanged", RevocationReason.AffiliationChanged),
        ("superseded", RevocationReason.Superseded),
        ("cessationOfOperation", RevocationReason.CessationOfOperation),
        ("privilegeWithdrawn", RevocationReason.PrivilegeWithdrawn),
    ];

    private const string CaCompromise = "caCompromise";

    /// <summary>The accepted names, space-separated, for messages.</summary>
    public static string Accepted(bool hostCa) =>
        string.Join(' ', LeafReasons.Select(r => r.Name).Concat(hostCa ? [CaCompromise] : []));

    /// <summary>The reason a name stands for, or null when it is not one (caCompromise only when <paramref name="hostCa"/>).</summary>
    public static RevocationReason? TryParse(string? name, bool hostCa)
    {
        if (name is null)
        {
            return null;
        }

        if (hostCa && string.Equals(name, CaCompromise, StringComparison.OrdinalIgnoreCase))
        {
            return RevocationReason.CaCompromise;
        }

        foreach (var (known, reason) in LeafReasons)
        {
            if (string.Equals(name, known, StringComparison.OrdinalIgnoreCase))
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>The reason a name stands for.</summary>
    /// <exception cref="KithException">Not a reason name; the message lists the accepted ones.</exception>
    public static RevocationReason Parse(string name, bool hostCa) =>
        TryParse(name, hostCa)
            ?? throw new KithException($"--reason '{name}': not a revocation reason{(hostCa ? string.Empty : " for this certificate")} (use one of: {Accepted(hostCa)})");

    /// <summary>The name of a reason (camelCase, as RFC 5280 spells it).</summary>
    public static string NameOf(RevocationReason reason) => reason switch
    {
        RevocationReason.CaCompromise => CaCompromise,
        RevocationReason.CertificateHold => "certificateHold",
        _ => LeafReasons.FirstOrDefault(r => r.Reason == reason).Name ?? "unspecified",
    };
}
