using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Tests.Revocation.Ocsp;

/// <summary>OCSPRequest DER written independently of the responder's code (the hashes computed here, the structure by hand).</summary>
internal static class TestOcspRequests
{
    public const string Sha1 = "1.3.14.3.2.26";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";

    /// <summary>One request for the given serials of <paramref name="issuer"/>, with a nonce of <paramref name="nonce"/> when given.</summary>
    public static byte[] For(X509Certificate2 issuer, IEnumerable<byte[]> serials, string hashOid = Sha1, byte[]? nonce = null)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence()) // OCSPRequest
        using (writer.PushSequence()) // tbsRequest
        {
            using (writer.PushSequence()) // requestList
            {
                foreach (var serial in serials)
                {
                    using (writer.PushSequence()) // Request
                    {
                        writer.WriteEncodedValue(CertificateId(issuer, serial, hashOid));
                    }
                }
            }

            if (nonce is not null)
            {
                var inner = new AsnWriter(AsnEncodingRules.DER);
                inner.WriteOctetString(nonce);
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true)))
                using (writer.PushSequence())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.3.6.1.5.5.7.48.1.2");
                    writer.WriteOctetString(inner.Encode());
                }
            }
        }

        return writer.Encode();
    }

    public static byte[] For(X509Certificate2 issuer, byte[] serial, string hashOid = Sha1, byte[]? nonce = null) => For(issuer, [serial], hashOid, nonce);

    public static byte[] CertificateId(X509Certificate2 issuer, byte[] serial, string hashOid)
    {
        var spki = new AsnReader(issuer.PublicKey.ExportSubjectPublicKeyInfo(), AsnEncodingRules.DER).ReadSequence();
        spki.ReadSequence();
        var key = spki.ReadBitString(out _);
        Func<byte[], byte[]> hash = hashOid switch
        {
#pragma warning disable CA5350 // what clients send
            Sha1 => SHA1.HashData,
#pragma warning restore CA5350
            Sha256 => SHA256.HashData,
            _ => SHA384.HashData,
        };
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(hashOid);
                writer.WriteNull();
            }

            writer.WriteOctetString(hash(issuer.SubjectName.RawData));
            writer.WriteOctetString(hash(key));
            writer.WriteInteger(serial);
        }

        return writer.Encode();
    }
}
