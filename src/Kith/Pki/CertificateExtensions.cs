using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Pki;

/// <summary>Writes X.509 Extension structures (RFC 5280 §4.1).</summary>
internal static class CertificateExtensions
{
    /// <summary>Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.</summary>
    public static void Write(AsnWriter writer, string oid, bool critical, ReadOnlySpan<byte> value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (critical)
            {
                writer.WriteBoolean(true); // DER omits the DEFAULT FALSE.
            }

            writer.WriteOctetString(value);
        }
    }

    public static void Write(AsnWriter writer, X509Extension extension) =>
        Write(writer, extension.Oid!.Value!, extension.Critical, extension.RawData);
}
