using System.Formats.Asn1;

namespace Kith.Pki;

/// <summary>Reads which serials a CRL lists (RFC 5280 §5.1), without checking its signature: the caller trusts where it came from.</summary>
public static class CrlSerials
{
    /// <summary>The revoked serials, lower-case hex of the INTEGER's content octets (as <see cref="SerialNumber.ToHex"/>).</summary>
    /// <exception cref="AsnContentException">Not a DER CRL.</exception>
    public static IReadOnlySet<string> Read(byte[] der)
    {
        // TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name,
        //   thisUpdate Time, nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE {
        //   userCertificate INTEGER, revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
        //   crlExtensions [0] EXPLICIT Extensions OPTIONAL }
        var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            tbs.ReadInteger();
        }

        tbs.ReadSequence();
        tbs.ReadSequence();
        tbs.ReadEncodedValue();
        if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
        {
            tbs.ReadEncodedValue();
        }

        var serials = new HashSet<string>(StringComparer.Ordinal);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                serials.Add(SerialNumber.ToHex(entry.ReadIntegerBytes().Span));
            }
        }

        return serials;
    }
}
