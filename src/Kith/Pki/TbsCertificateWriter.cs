using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;

namespace Kith.Pki;

/// <summary>
/// Encodes a leaf's TBSCertificate (RFC 5280 §4.1) directly. The issuer's constant parts come
/// pre-encoded from <see cref="CertificateAuthority"/>; only serial, validity, subject, key, key
/// identifier, usages and names are written per certificate. Not thread-safe: one per thread.
/// </summary>
internal sealed class TbsCertificateWriter
{
    private const int MaxCommonNameLength = 64; // ub-common-name, RFC 5280 Appendix A.1

    // Fixed DER of the leaf extensions that never vary (RFC 5280 §4.2.1.9, §4.2.1.3).
    private static readonly byte[] BasicConstraintsNotCa = Convert.FromHexString("300C0603551D130101FF04023000");
    private static readonly byte[] KeyUsageSignature = Convert.FromHexString("300E0603551D0F0101FF040403020780");
    private static readonly byte[] KeyUsageSignatureAndEncipherment = Convert.FromHexString("300E0603551D0F0101FF0404030205A0");

    // [0] { INTEGER 2 }: version v3 (RFC 5280 §4.1.2.1).
    private static readonly byte[] VersionV3 = Convert.FromHexString("A003020102");

    // The extensions and OIDs below are constant too; they are encoded once, by the same writer code that
    // would otherwise run for every certificate, so the DER is the same byte for byte.
    private static readonly byte[] CommonNameOid = EncodeObjectIdentifier("2.5.4.3"); // id-at-commonName
    private static readonly byte[] SubjectAltNameOid = EncodeObjectIdentifier("2.5.29.17");
    private static readonly byte[] ExtendedKeyUsageServer = EncodeExtendedKeyUsage(CertificateUsage.Server);
    private static readonly byte[] ExtendedKeyUsageClient = EncodeExtendedKeyUsage(CertificateUsage.Client);
    private static readonly byte[] ExtendedKeyUsageBoth = EncodeExtendedKeyUsage(CertificateUsage.Both);

    // Extension { id-ce-subjectKeyIdentifier, OCTET STRING { OCTET STRING (20 octets) } } up to the key id.
    private static readonly byte[] SubjectKeyIdentifierPrefix = Convert.FromHexString("301D0603551D0E04160414");

    // 06 09 2A 86 48 86 F7 0D 01 01 01: rsaEncryption, found near the start of an RSA SubjectPublicKeyInfo.
    private static readonly byte[] RsaEncryptionOid = Convert.FromHexString("06092A864886F70D010101");

    private static readonly Asn1Tag Explicit3 = new(TagClass.ContextSpecific, 3, isConstructed: true);
    private static readonly Asn1Tag DnsNameTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag IpAddressTag = new(TagClass.ContextSpecific, 7);

    private readonly AsnWriter writer = new(AsnEncodingRules.DER, initialCapacity: 1024);
    private readonly AsnWriter scratch = new(AsnEncodingRules.DER, initialCapacity: 512);

    public byte[] Encode(CertificateAuthority issuer, LeafRequest request, ReadOnlySpan<byte> serial, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        writer.Reset();
        var spki = request.SubjectPublicKeyInfo.Span;
        var wanted = request.CommonName ?? request.DnsNames[0];
        var commonName = wanted.Length <= MaxCommonNameLength ? wanted : null;
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(VersionV3);

            writer.WriteIntegerUnsigned(serial);
            writer.WriteEncodedValue(issuer.SignatureAlgorithm);
            writer.WriteEncodedValue(issuer.SubjectName);
            using (writer.PushSequence())
            {
                WriteTime(notBefore);
                WriteTime(notAfter);
            }

            WriteSubject(commonName);
            writer.WriteEncodedValue(spki);
            using (writer.PushSequence(Explicit3))
            using (writer.PushSequence())
            {
                writer.WriteEncodedValue(BasicConstraintsNotCa);
                writer.WriteEncodedValue(IsRsa(spki) ? KeyUsageSignatureAndEncipherment : KeyUsageSignature);
                writer.WriteEncodedValue(request.Usage switch
                {
                    CertificateUsage.Server => ExtendedKeyUsageServer,
                    CertificateUsage.Client => ExtendedKeyUsageClient,
                    _ => ExtendedKeyUsageBoth,
                });
                WriteSubjectKeyIdentifier(spki);
                foreach (var extension in issuer.LeafConstantExtensions)
                {
                    writer.WriteEncodedValue(extension);
                }

                // RFC 5280 §4.2.1.6: with an empty subject the SAN must be critical.
                WriteSubjectAlternativeName(request.DnsNames, request.IpAddresses, critical: commonName is null);
            }
        }

        return writer.Encode();
    }

    private void WriteTime(DateTimeOffset time)
    {
        // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
        if (time.Year < 2050)
        {
            writer.WriteUtcTime(time);
        }
        else
        {
            writer.WriteGeneralizedTime(time, omitFractionalSeconds: true);
        }
    }

    private void WriteSubject(string? commonName)
    {
        using (writer.PushSequence())
        {
            if (commonName is null)
            {
                return;
            }

            using (writer.PushSetOf())
            using (writer.PushSequence())
            {
                writer.WriteEncodedValue(CommonNameOid);
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, commonName);
            }
        }
    }

    private static byte[] EncodeExtendedKeyUsage(CertificateUsage usage)
    {
        var value = new AsnWriter(AsnEncodingRules.DER);
        using (value.PushSequence())
        {
            if (usage is CertificateUsage.Server or CertificateUsage.Both)
            {
                value.WriteObjectIdentifier("1.3.6.1.5.5.7.3.1"); // id-kp-serverAuth
            }

            if (usage is CertificateUsage.Client or CertificateUsage.Both)
            {
                value.WriteObjectIdentifier("1.3.6.1.5.5.7.3.2"); // id-kp-clientAuth
            }
        }

        var extension = new AsnWriter(AsnEncodingRules.DER);
        CertificateExtensions.Write(extension, "2.5.29.37", critical: false, value.Encode());
        return extension.Encode();
    }

    private static byte[] EncodeObjectIdentifier(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }

    private void WriteSubjectKeyIdentifier(ReadOnlySpan<byte> spki)
    {
        Span<byte> extension = stackalloc byte[SubjectKeyIdentifierPrefix.Length + 20];
        SubjectKeyIdentifierPrefix.CopyTo(extension);
#pragma warning disable CA5350 // SHA-1 as a key identifier, RFC 5280 §4.2.1.2 method 1.
        SHA1.HashData(SubjectPublicKeyBits(spki), extension[SubjectKeyIdentifierPrefix.Length..]);
#pragma warning restore CA5350
        writer.WriteEncodedValue(extension);
    }

    private void WriteSubjectAlternativeName(IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> addresses, bool critical)
    {
        scratch.Reset();
        using (scratch.PushSequence())
        {
            foreach (var name in dnsNames)
            {
                scratch.WriteCharacterString(UniversalTagNumber.IA5String, name, DnsNameTag);
            }

            Span<byte> bytes = stackalloc byte[16];
            foreach (var address in addresses)
            {
                address.TryWriteBytes(bytes, out var written);
                scratch.WriteOctetString(bytes[..written], IpAddressTag);
            }
        }

        WriteExtension(SubjectAltNameOid, critical);
    }

    /// <summary>Writes the scratch writer's content as the value of one extension.</summary>
    private void WriteExtension(ReadOnlySpan<byte> encodedOid, bool critical)
    {
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(encodedOid);
            if (critical)
            {
                writer.WriteBoolean(true);
            }

            Span<byte> value = stackalloc byte[scratch.GetEncodedLength()];
            scratch.Encode(value);
            writer.WriteOctetString(value);
        }
    }

    private static bool IsRsa(ReadOnlySpan<byte> spki) =>
        spki[..Math.Min(spki.Length, 32)].IndexOf(RsaEncryptionOid) >= 0;

    /// <summary>The subjectPublicKey BIT STRING's value, without its unused-bits octet.</summary>
    private static ReadOnlySpan<byte> SubjectPublicKeyBits(ReadOnlySpan<byte> spki)
    {
        AsnDecoder.ReadSequence(spki, AsnEncodingRules.DER, out var contentOffset, out var contentLength, out _);
        var content = spki.Slice(contentOffset, contentLength);
        AsnDecoder.ReadEncodedValue(content, AsnEncodingRules.DER, out _, out _, out var algorithmLength);
        content = content[algorithmLength..];
        AsnDecoder.ReadEncodedValue(content, AsnEncodingRules.DER, out var bitsOffset, out var bitsLength, out _);
        return content.Slice(bitsOffset + 1, bitsLength - 1);
    }
}
