namespace Kith.Storage;

/// <summary>What a logged certificate is.</summary>
public enum CertificateKind
{
    RootCa,
    HostCa,
    Server,
    Client,
    Both,

    /// <summary>A Host CA's delegated OCSP signing certificate (id-kp-OCSPSigning), logged with service "ocsp".</summary>
    OcspSigning,
}

/// <summary>RFC 5280 §5.3.1 CRLReason codes kith accepts (7 is unused in the RFC).</summary>
public enum RevocationReason
{
    Unspecified = 0,
    KeyCompromise = 1,
    CaCompromise = 2,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
    CertificateHold = 6,
    PrivilegeWithdrawn = 9,
}

/// <summary>
/// One row of the issuance log. <see cref="Issuer"/> is <c>"root"</c> for certificates the Root CA
/// signed and the machine name for those a Host CA signed; (Issuer, SerialHex) is unique.
/// </summary>
/// <param name="SerialHex">The serial as lower-case hex of its DER INTEGER content octets.</param>
/// <param name="Names">SAN DNS names and IP addresses in certificate order; for a Host CA, its permitted names.</param>
/// <param name="Service">The inventory service, or null for CAs and one-off certificates.</param>
/// <param name="Der">The certificate; null when a listing did not ask for it.</param>
public sealed record CertificateRecord(
    string Issuer,
    string SerialHex,
    CertificateKind Kind,
    IReadOnlyList<string> Names,
    string? Machine,
    string? Service,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    DateTimeOffset? RevokedAt = null,
    RevocationReason? RevocationReason = null,
    byte[]? Der = null)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>Filters for <see cref="ICertificateStore.ListAsync"/>; null means "any".</summary>
/// <param name="ExpiringBefore">Only certificates whose NotAfter is before this time.</param>
/// <param name="UnexpiredAt">Only certificates whose NotAfter is after this time (still valid then).</param>
public sealed record CertificateQuery(
    string? Issuer = null,
    string? Machine = null,
    string? Service = null,
    CertificateKind? Kind = null,
    DateTimeOffset? ExpiringBefore = null,
    bool IncludeRevoked = true,
    bool IncludeDer = false,
    DateTimeOffset? UnexpiredAt = null);
