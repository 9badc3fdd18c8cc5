namespace Kith.Revocation.Ocsp;

/// <summary>The two hash algorithms a CertID may use here (RFC 5019 §2.1.1 asks for SHA-1; SHA-256 is common too).</summary>
public enum OcspHash
{
    Sha1,
    Sha256,
}

/// <summary>
/// One CertID of a request (RFC 6960 §4.1.1): which issuer (the hashes of its name and key) and which serial.
/// <see cref="Der"/> is the CertID exactly as the client encoded it, echoed in the response so clients that
/// compare encodings find their answer.
/// </summary>
/// <param name="SerialHex">The serial as lower-case hex of its INTEGER content octets (the issuance log's form).</param>
public sealed record OcspCertificateId(OcspHash Hash, byte[] IssuerNameHash, byte[] IssuerKeyHash, string SerialHex, byte[] Der);
