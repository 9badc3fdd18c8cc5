namespace Kith.Acme.Issuance;

/// <summary>The pieces of a PKCS#10 CertificationRequest (RFC 2986 §4) that finalize looks at.</summary>
/// <param name="SignedBytes">The DER CertificationRequestInfo, exactly as signed.</param>
/// <param name="KeyAlgorithmOid">The SubjectPublicKeyInfo's algorithm OID.</param>
/// <param name="CommonNames">Every subject CN, as text.</param>
/// <param name="SubjectAltNames">The SAN entries of the extensionRequest; null when it has none.</param>
/// <param name="SignatureParameters">The DER parameters of the signature AlgorithmIdentifier; null when absent.</param>
internal sealed record CsrParts(
    int Version,
    ReadOnlyMemory<byte> SignedBytes,
    ReadOnlyMemory<byte> SubjectPublicKeyInfo,
    string KeyAlgorithmOid,
    IReadOnlyList<string> CommonNames,
    IReadOnlyList<CsrSubjectAltName>? SubjectAltNames,
    string SignatureAlgorithmOid,
    ReadOnlyMemory<byte>? SignatureParameters,
    ReadOnlyMemory<byte> Signature);

/// <summary>One subjectAltName entry: a dNSName (<see cref="Dns"/>) or an iPAddress (<see cref="Ip"/>).</summary>
internal sealed record CsrSubjectAltName(string? Dns, byte[]? Ip);
