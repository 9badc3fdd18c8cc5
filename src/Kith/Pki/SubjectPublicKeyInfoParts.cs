using System.Formats.Asn1;

namespace Kith.Pki;

/// <summary>
/// A DER SubjectPublicKeyInfo taken apart (RFC 5280 §4.1.2.7): the algorithm OID, the reader positioned at the
/// algorithm's parameters, and the key bits. Shared by the key checks and the canonical key form.
/// </summary>
internal readonly record struct SubjectPublicKeyInfoParts(string AlgorithmOid, AsnReader Parameters, byte[] Key, int UnusedBits)
{
    /// <summary>Throws <see cref="AsnContentException"/> when the bytes are not one SubjectPublicKeyInfo.</summary>
    public static SubjectPublicKeyInfoParts Read(ReadOnlyMemory<byte> subjectPublicKeyInfo)
    {
        var outer = new AsnReader(subjectPublicKeyInfo, AsnEncodingRules.DER);
        var spki = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var algorithm = spki.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        var key = spki.ReadBitString(out var unusedBits);
        spki.ThrowIfNotEmpty();
        return new SubjectPublicKeyInfoParts(oid, algorithm, key, unusedBits);
    }
}
