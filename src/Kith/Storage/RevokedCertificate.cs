namespace Kith.Storage;

/// <summary>One revoked certificate as a CRL or OCSP response needs it.</summary>
/// <param name="SerialHex">The serial as lower-case hex of its DER INTEGER content octets.</param>
/// <param name="RevokedAt">When it was revoked (whole seconds).</param>
/// <param name="Reason">The RFC 5280 reason recorded with the revocation.</param>
/// <param name="NotAfter">Its expiry: once past, the entry may leave the CRL (RFC 5280 §3.3).</param>
public sealed record RevokedCertificate(string SerialHex, DateTimeOffset RevokedAt, RevocationReason Reason, DateTimeOffset NotAfter);
