using System.Formats.Asn1;

namespace Kith.Revocation.Ocsp;

/// <summary>One SingleResponse to write: the CertID as the client sent it, the status, and its validity.</summary>
/// <param name="NextUpdate">Null for "newer information is always available" (RFC 6960 §4.2.2.1), used for unknown.</param>
public sealed record OcspSingleAnswer(byte[] CertificateIdDer, OcspCertificateStatus Status, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate);

/// <summary>
/// Writes OCSPResponse DER (RFC 6960 §4.2.1) with <see cref="AsnWriter"/>: the unsigned error answers, and
/// successful answers holding a BasicOCSPResponse signed by an <see cref="OcspSigner"/>.
/// </summary>
public static class OcspResponseWriter
{
    private const string BasicResponseType = "1.3.6.1.5.5.7.48.1.1"; // id-pkix-ocsp-basic
    private const string NonceExtension = "1.3.6.1.5.5.7.48.1.2"; // id-pkix-ocsp-nonce

    /// <summary>An answer without responseBytes: every status but successful (§4.2.1: these are not signed).</summary>
    public static byte[] Unsuccessful(OcspResponseStatus status)
    {
        if (status == OcspResponseStatus.Successful)
        {
            throw new ArgumentException("a successful answer carries a signed response", nameof(status));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEnumeratedValue(status); // responseStatus
        }

        return writer.Encode();
    }

    /// <summary>A successful OCSPResponse with one BasicOCSPResponse over <paramref name="answers"/>, echoing the nonce when given.</summary>
    /// <param name="nonceExtensionValue">The nonce extension's extnValue from the request, or null.</param>
    public static byte[] Successful(OcspSigner signer, IReadOnlyList<OcspSingleAnswer> answers, DateTimeOffset producedAt, byte[]? nonceExtensionValue)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(answers);
        var tbs = ResponseData(signer, answers, producedAt, nonceExtensionValue);
        var signature = signer.Sign(tbs);

        var basic = new AsnWriter(AsnEncodingRules.DER);
        using (basic.PushSequence())
        {
            basic.WriteEncodedValue(tbs); // tbsResponseData
            basic.WriteEncodedValue(signer.SignatureAlgorithm); // signatureAlgorithm
            basic.WriteBitString(signature); // signature
            using (basic.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))) // certs [0] EXPLICIT
            using (basic.PushSequence())
            {
                foreach (var certificate in signer.Certificates)
                {
                    basic.WriteEncodedValue(certificate);
                }
            }
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEnumeratedValue(OcspResponseStatus.Successful); // responseStatus
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))) // responseBytes [0] EXPLICIT
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(BasicResponseType); // responseType
                writer.WriteOctetString(basic.Encode()); // response: the BasicOCSPResponse DER
            }
        }

        return writer.Encode();
    }

    private static byte[] ResponseData(OcspSigner signer, IReadOnlyList<OcspSingleAnswer> answers, DateTimeOffset producedAt, byte[]? nonceExtensionValue)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            // version [0] is v1, the DEFAULT, so it is left out (DER).
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true))) // responderID byKey [2] EXPLICIT
            {
                writer.WriteOctetString(signer.KeyHash);
            }

            WriteTime(writer, producedAt); // producedAt
            using (writer.PushSequence()) // responses
            {
                foreach (var answer in answers)
                {
                    WriteSingle(writer, answer);
                }
            }

            if (nonceExtensionValue is not null)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true))) // responseExtensions [1] EXPLICIT
                using (writer.PushSequence()) // Extensions
                using (writer.PushSequence()) // Extension
                {
                    writer.WriteObjectIdentifier(NonceExtension); // extnID; critical FALSE is the DEFAULT
                    writer.WriteOctetString(nonceExtensionValue); // extnValue, as the client sent it (RFC 8954 §2.1)
                }
            }
        }

        return writer.Encode();
    }

    private static void WriteSingle(AsnWriter writer, OcspSingleAnswer answer)
    {
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(answer.CertificateIdDer); // certID
            switch (answer.Status.Kind) // certStatus CHOICE
            {
                case OcspStatusKind.Good:
                    writer.WriteNull(new Asn1Tag(TagClass.ContextSpecific, 0)); // good [0] IMPLICIT NULL
                    break;
                case OcspStatusKind.Revoked:
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true))) // revoked [1] IMPLICIT RevokedInfo
                    {
                        WriteTime(writer, answer.Status.RevokedAt ?? answer.ThisUpdate); // revocationTime
                        if (answer.Status.Reason is { } reason)
                        {
                            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))) // revocationReason [0] EXPLICIT CRLReason
                            {
                                writer.WriteEnumeratedValue(reason);
                            }
                        }
                    }

                    break;
                default:
                    writer.WriteNull(new Asn1Tag(TagClass.ContextSpecific, 2)); // unknown [2] IMPLICIT NULL
                    break;
            }

            WriteTime(writer, answer.ThisUpdate); // thisUpdate
            if (answer.NextUpdate is { } next)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))) // nextUpdate [0] EXPLICIT
                {
                    WriteTime(writer, next);
                }
            }
        }
    }

    /// <summary>GeneralizedTime in whole seconds, UTC (RFC 5280 §4.1.2.5.2 forbids fractions in DER).</summary>
    private static void WriteTime(AsnWriter writer, DateTimeOffset time) =>
        writer.WriteGeneralizedTime(DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds()), omitFractionalSeconds: true);
}
