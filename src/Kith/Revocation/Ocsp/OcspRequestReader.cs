using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;

namespace Kith.Revocation.Ocsp;

/// <summary>
/// Reads an OCSPRequest (RFC 6960 §4.1.1) with BouncyCastle. Everything that is not a complete, well-formed
/// request this responder can answer is null (the caller answers malformedRequest): not ASN.1, truncated,
/// bytes after the request, over <see cref="MaxBytes"/>, no CertID or more than <see cref="MaxCertificates"/>,
/// a CertID hashed with anything but SHA-1 or SHA-256 or with hashes of the wrong length, a nonce that is not
/// an OCTET STRING of 1 to 32 octets (RFC 8954 §2.1). A request signature, if any, is not checked (§4.1.2:
/// kith answers anyone). Never throws for any input.
/// </summary>
public static class OcspRequestReader
{
    /// <summary>A request is a few hundred bytes; 64 KiB is far beyond any real one.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>CertIDs in one request; clients ask for one (RFC 5019 §2.1.1), a few at most.</summary>
    public const int MaxCertificates = 64;

    /// <summary>RFC 8954 §2.1: a nonce is 1 to 32 octets.</summary>
    public const int MaxNonceOctets = 32;

    private static readonly DerObjectIdentifier Sha1 = new("1.3.14.3.2.26");
    private static readonly DerObjectIdentifier Sha256 = new("2.16.840.1.101.3.4.2.1");

    public static OcspRequest? Read(byte[] der)
    {
        ArgumentNullException.ThrowIfNull(der);
        if (der.Length is 0 or > MaxBytes)
        {
            return null;
        }

        try
        {
            return Parse(der);
        }
#pragma warning disable CA1031 // Hostile bytes: BouncyCastle throws many types (IO, cast, argument, ASN.1); each one means malformed.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static OcspRequest? Parse(byte[] der)
    {
        // FromByteArray refuses bytes after the object ("extra data found after object").
        if (Asn1Object.FromByteArray(der) is not Asn1Sequence sequence)
        {
            return null;
        }

        var request = Org.BouncyCastle.Asn1.Ocsp.OcspRequest.GetInstance(sequence);
        var tbs = request.TbsRequest;
        // v1 (0) is the only version there is.
        if (!tbs.Version.HasValue(0))
        {
            return null;
        }

        var list = tbs.RequestList;
        if (list.Count is 0 or > MaxCertificates)
        {
            return null;
        }

        var certificates = new List<OcspCertificateId>(list.Count);
        foreach (var element in list)
        {
            var id = ReadCertificateId(Request.GetInstance(element).ReqCert);
            if (id is null)
            {
                return null;
            }

            certificates.Add(id);
        }

        byte[]? nonce = null;
        if (tbs.RequestExtensions?.GetExtension(OcspObjectIdentifiers.PkixOcspNonce) is { } extension)
        {
            nonce = extension.Value.GetOctets();
            if (!IsNonce(nonce))
            {
                return null;
            }
        }

        return new OcspRequest(certificates, nonce);
    }

    private static OcspCertificateId? ReadCertificateId(CertID id)
    {
        var (hash, length) = HashOf(id.HashAlgorithm);
        var nameHash = id.IssuerNameHash.GetOctets();
        var keyHash = id.IssuerKeyHash.GetOctets();
        if (length == 0 || nameHash.Length != length || keyHash.Length != length)
        {
            return null;
        }

        // The INTEGER's content octets, as the issuance log keeps them: a negative or zero serial is never in
        // the log and answers unknown.
        var serial = id.SerialNumber.Value.ToByteArray();
        return new OcspCertificateId(hash, nameHash, keyHash, Convert.ToHexStringLower(serial), id.GetEncoded(Asn1Encodable.Der));
    }

    private static (OcspHash Hash, int Length) HashOf(AlgorithmIdentifier algorithm)
    {
        // Parameters are NULL or absent for both (RFC 3370 §2.1, RFC 5754 §2); anything else is not a hash we know.
        if (algorithm.Parameters is not (null or DerNull))
        {
            return (default, 0);
        }

        if (algorithm.Algorithm.Equals(Sha1))
        {
            return (OcspHash.Sha1, 20);
        }

        return algorithm.Algorithm.Equals(Sha256) ? (OcspHash.Sha256, 32) : (default, 0);
    }

    /// <summary>RFC 8954: the extnValue holds <c>Nonce ::= OCTET STRING (SIZE(1..32))</c>, DER, and nothing after it.</summary>
    private static bool IsNonce(byte[] extensionValue) =>
        Asn1Object.FromByteArray(extensionValue) is Asn1OctetString octets && octets.GetOctets().Length is >= 1 and <= MaxNonceOctets;
}
