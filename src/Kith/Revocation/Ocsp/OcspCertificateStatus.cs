using Kith.Storage;

namespace Kith.Revocation.Ocsp;

/// <summary>CertStatus (RFC 6960 §4.2.1).</summary>
public enum OcspStatusKind
{
    Good,
    Revoked,
    Unknown,
}

/// <summary>What the responder says about one certificate; revocation time and reason only for <see cref="OcspStatusKind.Revoked"/>.</summary>
public sealed record OcspCertificateStatus(OcspStatusKind Kind, DateTimeOffset? RevokedAt = null, RevocationReason? Reason = null)
{
    public static readonly OcspCertificateStatus Good = new(OcspStatusKind.Good);

    public static readonly OcspCertificateStatus Unknown = new(OcspStatusKind.Unknown);

    /// <summary>The status the issuance log gives: not there is unknown (never good), revoked stays revoked past NotAfter.</summary>
    public static OcspCertificateStatus Of(CertificateRecord? record) => record switch
    {
        null => Unknown,
        { RevokedAt: { } at } => new OcspCertificateStatus(OcspStatusKind.Revoked, at, record.RevocationReason),
        _ => Good,
    };
}
