using System.Formats.Asn1;

namespace Kith.Acme.Issuance;

/// <summary>
/// Reads the DER of a PKCS#10 CertificationRequest (RFC 2986 §4) into <see cref="CsrParts"/>, strictly:
/// DER only, nothing after the request, at most one extensionRequest attribute and one subjectAltName,
/// and only dNSName and iPAddress entries in it. Every refusal is a one-line reason; nothing here throws
/// for bad input.
/// </summary>
internal static class CsrReader
{
    private const string CommonNameOid = "2.5.4.3";
    private const string ExtensionRequestOid = "1.2.840.113549.1.9.14";
    private const string SubjectAltNameOid = "2.5.29.17";

    private static readonly Asn1Tag AttributesTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag DnsNameTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag IpAddressTag = new(TagClass.ContextSpecific, 7);

    // RFC 5280 §4.2.1.6 GeneralName choices, named for the refusal of the ones kith does not certify.
    private static readonly string[] GeneralNameKinds =
        ["otherName", "rfc822Name (e-mail)", "dNSName", "x400Address", "directoryName", "ediPartyName", "URI", "iPAddress", "registeredID"];

    /// <summary>Null and the parts, or the reason the bytes are not an acceptable CSR.</summary>
    public static string? TryRead(ReadOnlyMemory<byte> der, out CsrParts? parts)
    {
        parts = null;
        if (der.Span.StartsWith("-----BEGIN"u8))
        {
            return "the CSR is PEM text; send its DER bytes (base64url of the DER, without the PEM armour)";
        }

        var step = "its outer SEQUENCE";
        try
        {
            AsnDecoder.ReadEncodedValue(der.Span, AsnEncodingRules.DER, out _, out _, out int length);
            if (length != der.Length)
            {
                return $"the CSR has {der.Length - length} bytes after its end; send exactly one DER CertificationRequest";
            }

            var request = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            step = "certificationRequestInfo";
            var signedBytes = request.PeekEncodedValue();
            var info = request.ReadSequence();
            step = "signatureAlgorithm";
            var signatureAlgorithm = request.ReadSequence();
            var signatureOid = signatureAlgorithm.ReadObjectIdentifier();
            ReadOnlyMemory<byte>? signatureParameters = signatureAlgorithm.HasData ? signatureAlgorithm.ReadEncodedValue() : (ReadOnlyMemory<byte>?)null;
            signatureAlgorithm.ThrowIfNotEmpty();
            step = "signature";
            var signature = request.ReadBitString(out int unusedBits);
            request.ThrowIfNotEmpty();
            if (unusedBits != 0)
            {
                return "the CSR's signature BIT STRING has unused bits";
            }

            step = "version";
            if (!info.TryReadInt32(out int version))
            {
                return "the CSR's version is not a small integer; it must be 0 (v1)";
            }

            step = "subject";
            var commonNames = new List<string>();
            if (ReadSubject(info.ReadSequence(), commonNames) is { } subjectProblem)
            {
                return subjectProblem;
            }

            step = "subjectPublicKeyInfo";
            var spki = info.PeekEncodedValue();
            var keyAlgorithm = info.ReadSequence().ReadSequence().ReadObjectIdentifier();

            step = "attributes";
            IReadOnlyList<CsrSubjectAltName>? altNames = null;
            if (info.HasData)
            {
                if (ReadAttributes(info.ReadSetOf(skipSortOrderValidation: true, AttributesTag), out altNames) is { } attributeProblem)
                {
                    return attributeProblem;
                }
            }

            info.ThrowIfNotEmpty();
            parts = new CsrParts(version, signedBytes, spki, keyAlgorithm, commonNames, altNames, signatureOid, signatureParameters, signature);
            return null;
        }
        catch (AsnContentException)
        {
            return $"the CSR is not a valid DER PKCS#10 request (at {step})";
        }
    }

    private static string? ReadSubject(AsnReader name, List<string> commonNames)
    {
        while (name.HasData)
        {
            // DER wants SET OF sorted; some encoders do not sort multi-valued RDNs, and the order is harmless here.
            var rdn = name.ReadSetOf(skipSortOrderValidation: true);
            while (rdn.HasData)
            {
                var attribute = rdn.ReadSequence();
                var type = attribute.ReadObjectIdentifier();
                if (type != CommonNameOid)
                {
                    attribute.ReadEncodedValue();
                }
                else
                {
                    var tag = attribute.PeekTag();
                    if (tag.TagClass != TagClass.Universal || !IsDirectoryString((UniversalTagNumber)tag.TagValue))
                    {
                        return "the CSR's subject CN is not a text string";
                    }

                    commonNames.Add(attribute.ReadCharacterString((UniversalTagNumber)tag.TagValue));
                }

                attribute.ThrowIfNotEmpty();
            }
        }

        return null;
    }

    private static bool IsDirectoryString(UniversalTagNumber tag) => tag is UniversalTagNumber.UTF8String
        or UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String or UniversalTagNumber.T61String
        or UniversalTagNumber.BMPString;

    private static string? ReadAttributes(AsnReader attributes, out IReadOnlyList<CsrSubjectAltName>? altNames)
    {
        altNames = null;
        var sawExtensionRequest = false;
        while (attributes.HasData)
        {
            var attribute = attributes.ReadSequence();
            var type = attribute.ReadObjectIdentifier();
            var values = attribute.ReadSetOf(skipSortOrderValidation: true);
            attribute.ThrowIfNotEmpty();
            if (type != ExtensionRequestOid)
            {
                // challengePassword and the like: never copied into a certificate, so not looked at.
                continue;
            }

            if (sawExtensionRequest)
            {
                return "the CSR has two extensionRequest attributes; send one";
            }

            sawExtensionRequest = true;
            var extensions = values.ReadSequence();
            if (values.HasData)
            {
                return "the CSR's extensionRequest attribute has more than one value; send one";
            }

            if (ReadExtensions(extensions, out altNames) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? ReadExtensions(AsnReader extensions, out IReadOnlyList<CsrSubjectAltName>? altNames)
    {
        altNames = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
            {
                extension.ReadBoolean();
            }

            var value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            if (!seen.Add(oid))
            {
                return $"the CSR requests extension {oid} twice; each extension may appear once";
            }

            // Other extensions (key usages, basicConstraints, even critical unknown ones) are never copied
            // into the certificate: kith sets those itself, so they are not refused either.
            if (oid == SubjectAltNameOid && ReadSubjectAltNames(value, out altNames) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? ReadSubjectAltNames(byte[] value, out IReadOnlyList<CsrSubjectAltName>? altNames)
    {
        altNames = null;
        var outer = new AsnReader(value, AsnEncodingRules.DER);
        var names = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var list = new List<CsrSubjectAltName>();
        while (names.HasData)
        {
            var tag = names.PeekTag();
            if (tag.HasSameClassAndValue(DnsNameTag))
            {
                list.Add(new CsrSubjectAltName(names.ReadCharacterString(UniversalTagNumber.IA5String, DnsNameTag), null));
            }
            else if (tag.HasSameClassAndValue(IpAddressTag))
            {
                var address = names.ReadOctetString(IpAddressTag);
                if (address.Length is not (4 or 16))
                {
                    return $"the CSR's subjectAltName holds an iPAddress of {address.Length} bytes; an address is 4 (IPv4) or 16 (IPv6) bytes";
                }

                list.Add(new CsrSubjectAltName(null, address));
            }
            else
            {
                var kind = tag.TagClass == TagClass.ContextSpecific && tag.TagValue < GeneralNameKinds.Length
                    ? GeneralNameKinds[tag.TagValue]
                    : $"an entry with tag {tag}";
                return $"the CSR's subjectAltName holds {kind}; only dNSName and iPAddress entries are accepted";
            }
        }

        if (list.Count == 0)
        {
            return "the CSR's subjectAltName extension is empty; list the order's identifiers in it";
        }

        altNames = list;
        return null;
    }
}
