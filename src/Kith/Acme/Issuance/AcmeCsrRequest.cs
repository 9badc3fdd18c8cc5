using System.Net;

namespace Kith.Acme.Issuance;

/// <summary>
/// What a finalize CSR asks for once <see cref="AcmeCsr.TryRead"/> accepted it: exactly the order's
/// identifiers, and the key to certify. Everything else the CSR carried is dropped.
/// </summary>
/// <param name="DnsNames">The order's DNS identifiers in the order's spelling, the subject CN's name first when the CSR had one.</param>
/// <param name="IpAddresses">The order's IP identifiers.</param>
/// <param name="SubjectPublicKeyInfo">The CSR's public key as canonical DER (re-exported by the platform).</param>
public sealed record AcmeCsrRequest(
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<IPAddress> IpAddresses,
    ReadOnlyMemory<byte> SubjectPublicKeyInfo);
