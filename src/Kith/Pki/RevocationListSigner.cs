using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Pki;

/// <summary>
/// Signs RFC 5280 CRLs: version 2, the issuer's subject as issuer name, the CRL number and authority key
/// identifier extensions, a reason code on every entry that has one other than unspecified.
/// </summary>
public static class RevocationListSigner
{
    /// <summary>A DER CRL over <paramref name="entries"/>, signed by <paramref name="issuer"/>'s key.</summary>
    /// <param name="crlNumber">The CRL number (positive; callers take it from the store so it only ever rises).</param>
    /// <param name="thisUpdate">When the CRL was made; sub-second parts are dropped.</param>
    /// <param name="nextUpdate">When a newer CRL will be out at the latest; after <paramref name="thisUpdate"/>.</param>
    public static byte[] Sign(CertificateAuthority issuer, IEnumerable<CrlEntry> entries, long crlNumber, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(crlNumber);
        thisUpdate = WholeSeconds(thisUpdate);
        nextUpdate = WholeSeconds(nextUpdate);
        if (nextUpdate <= thisUpdate)
        {
            throw new ArgumentOutOfRangeException(nameof(nextUpdate), nextUpdate, "nextUpdate must be after thisUpdate");
        }

        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in entries)
        {
            X509RevocationReason? reason = entry.ReasonCode == 0 ? null : (X509RevocationReason)entry.ReasonCode;
            builder.AddEntry(Convert.FromHexString(entry.SerialHex), WholeSeconds(entry.RevokedAt), reason);
        }

        using var key = issuer.CloneKey();
        var generator = key switch
        {
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
            _ => throw new NotSupportedException($"CA '{issuer.Name}': a {key.GetType().Name} key cannot sign CRLs"),
        };
        var authorityKey = X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuer.SubjectKeyIdentifier);
        return builder.Build(issuer.Certificate.SubjectName, generator, new BigInteger(crlNumber), nextUpdate, issuer.Hash, authorityKey, thisUpdate);
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}
