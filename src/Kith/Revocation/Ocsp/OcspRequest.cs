namespace Kith.Revocation.Ocsp;

/// <summary>
/// A request that parsed: its CertIDs (at least one) and, when the client asked for one, the nonce
/// extension's extnValue exactly as sent (RFC 8954), to be echoed.
/// </summary>
public sealed record OcspRequest(IReadOnlyList<OcspCertificateId> Certificates, byte[]? NonceExtensionValue);
