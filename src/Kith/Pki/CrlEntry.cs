namespace Kith.Pki;

/// <summary>One revoked certificate in a CRL.</summary>
/// <param name="SerialHex">The serial as lower-case hex of its DER INTEGER content octets.</param>
/// <param name="RevokedAt">The revocationDate (whole seconds are kept).</param>
/// <param name="ReasonCode">The RFC 5280 §5.3.1 CRLReason; 0 (unspecified) is written as no reason extension, as the RFC asks.</param>
public sealed record CrlEntry(string SerialHex, DateTimeOffset RevokedAt, int ReasonCode);
