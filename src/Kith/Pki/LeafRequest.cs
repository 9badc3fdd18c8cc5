using System.Net;

namespace Kith.Pki;

/// <summary>
/// What a leaf certificate should say. Only these fields reach the certificate: whatever else a CSR asked
/// for (CA flag, key usages, constraints, AIA, unknown critical extensions) is never copied.
/// </summary>
/// <param name="DnsNames">SAN dNSNames, lower-case ASCII; the first is also the subject CN.</param>
/// <param name="IpAddresses">SAN iPAddresses.</param>
/// <param name="SubjectPublicKeyInfo">The DER public key to certify.</param>
/// <param name="AllowWildcard">Whether "*.x" names are acceptable for this request.</param>
/// <param name="CommonName">The subject CN; null means the first DNS name. It must be one of the DNS names.</param>
public sealed record LeafRequest(
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<IPAddress> IpAddresses,
    CertificateUsage Usage,
    ReadOnlyMemory<byte> SubjectPublicKeyInfo,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    bool AllowWildcard = false,
    string? CommonName = null);
