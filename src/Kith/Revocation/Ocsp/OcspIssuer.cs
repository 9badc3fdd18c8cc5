using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Revocation.Ocsp;

/// <summary>
/// The CA this responder answers for, as a CertID names it (RFC 6960 §4.1.1): the hash of its subject name's DER
/// and the hash of its subjectPublicKey BIT STRING's value, computed once for each hash a request may use.
/// </summary>
public sealed class OcspIssuer
{
    private readonly byte[] sha1NameHash;
    private readonly byte[] sha1KeyHash;
    private readonly byte[] sha256NameHash;
    private readonly byte[] sha256KeyHash;

    public OcspIssuer(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var name = certificate.SubjectName.RawData;
        var key = SubjectPublicKey(certificate.PublicKey.ExportSubjectPublicKeyInfo());
#pragma warning disable CA5350 // SHA-1 here names an issuer in a CertID (RFC 5019 §2.1.1), it protects nothing.
        sha1NameHash = SHA1.HashData(name);
        sha1KeyHash = SHA1.HashData(key);
#pragma warning restore CA5350
        sha256NameHash = SHA256.HashData(name);
        sha256KeyHash = SHA256.HashData(key);
    }

    /// <summary>True when the CertID names this CA.</summary>
    public bool Matches(OcspCertificateId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var (name, key) = id.Hash == OcspHash.Sha1 ? (sha1NameHash, sha1KeyHash) : (sha256NameHash, sha256KeyHash);
        return id.IssuerNameHash.AsSpan().SequenceEqual(name) && id.IssuerKeyHash.AsSpan().SequenceEqual(key);
    }

    /// <summary>The DER CertID for a serial of this CA, as a client hashing with <paramref name="hash"/> sends it (parameters NULL, as openssl writes them).</summary>
    public byte[] CertificateIdDer(OcspHash hash, ReadOnlySpan<byte> serial)
    {
        var (name, key, oid) = hash == OcspHash.Sha1
            ? (sha1NameHash, sha1KeyHash, "1.3.14.3.2.26")
            : (sha256NameHash, sha256KeyHash, "2.16.840.1.101.3.4.2.1");
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            // hashAlgorithm AlgorithmIdentifier
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(oid);
                writer.WriteNull();
            }

            writer.WriteOctetString(name); // issuerNameHash
            writer.WriteOctetString(key); // issuerKeyHash
            writer.WriteInteger(serial); // serialNumber: the INTEGER's content octets as logged
        }

        return writer.Encode();
    }

    private static byte[] SubjectPublicKey(byte[] subjectPublicKeyInfo)
    {
        var reader = new AsnReader(subjectPublicKeyInfo, AsnEncodingRules.DER).ReadSequence();
        reader.ReadSequence(); // algorithm
        return reader.ReadBitString(out _);
    }
}
