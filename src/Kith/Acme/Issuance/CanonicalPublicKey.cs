using System.Formats.Asn1;

namespace Kith.Acme.Issuance;

/// <summary>
/// One DER spelling per EC or RSA public key (RFC 5480 §2: a named curve and the uncompressed point;
/// RFC 3279 §2.3.1: rsaEncryption with NULL parameters), written without a platform key, so that keys
/// from a JWK, a CSR and a certificate compare byte for byte, and cheaply (importing a platform key
/// costs about as much as verifying a signature).
/// </summary>
internal static class CanonicalPublicKey
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    public static byte[] Ec(string curveOid, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        Span<byte> point = stackalloc byte[1 + x.Length + y.Length];
        point[0] = 0x04;
        x.CopyTo(point[1..]);
        y.CopyTo(point[(1 + x.Length)..]);
        return Ec(curveOid, point);
    }

    public static byte[] Rsa(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent)
    {
        var key = new AsnWriter(AsnEncodingRules.DER);
        using (key.PushSequence())
        {
            key.WriteIntegerUnsigned(modulus.TrimStart((byte)0));
            key.WriteIntegerUnsigned(exponent.TrimStart((byte)0));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(RsaEncryptionOid);
                writer.WriteNull();
            }

            writer.WriteBitString(key.Encode());
        }

        return writer.Encode();
    }

    /// <summary>
    /// The canonical form of an EC (named curve) or RSA SubjectPublicKeyInfo; null for other keys or
    /// bytes that are not one. It does not judge the key: <c>PublicKeyCheck</c> does that.
    /// </summary>
    public static byte[]? Of(ReadOnlyMemory<byte> subjectPublicKeyInfo)
    {
        try
        {
            var (oid, algorithm, bits, unused) = Pki.SubjectPublicKeyInfoParts.Read(subjectPublicKeyInfo);
            if (unused != 0)
            {
                return null;
            }

            if (oid == EcPublicKeyOid)
            {
                return algorithm.HasData && algorithm.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier)
                    ? Ec(algorithm.ReadObjectIdentifier(), bits)
                    : null;
            }

            if (oid != RsaEncryptionOid)
            {
                return null;
            }

            var key = new AsnReader(bits, AsnEncodingRules.DER);
            var integers = key.ReadSequence();
            key.ThrowIfNotEmpty();
            var modulus = integers.ReadIntegerBytes();
            var exponent = integers.ReadIntegerBytes();
            integers.ThrowIfNotEmpty();
            return Rsa(modulus.Span, exponent.Span);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static byte[] Ec(string curveOid, ReadOnlySpan<byte> point)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(EcPublicKeyOid);
                writer.WriteObjectIdentifier(curveOid);
            }

            writer.WriteBitString(point);
        }

        return writer.Encode();
    }
}
