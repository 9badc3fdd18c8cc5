using Kith.Storage;

namespace Kith.Acme.Issuance;

/// <summary>A revokeCert request (RFC 8555 §7.6) as <see cref="AcmeRevocation.TryRead"/> accepted it.</summary>
/// <param name="CertificateDer">The certificate to revoke, as DER.</param>
/// <param name="SerialHex">Its serial number, lower-case hex of the DER INTEGER content (as the issuance log keeps it).</param>
/// <param name="Reason">The CRL reason; <see cref="RevocationReason.Unspecified"/> when the client gave none.</param>
public sealed record AcmeRevocationRequest(ReadOnlyMemory<byte> CertificateDer, string SerialHex, RevocationReason Reason);
