using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Pki;

/// <summary>Makes the fleet's self-signed Root CA.</summary>
public static class RootCa
{
    /// <summary>The Root signs Host CAs and nothing below them: pathLen 1 (RFC 5280 §4.2.1.9).</summary>
    public const int PathLength = 1;

    /// <summary>
    /// A new Root CA for <paramref name="domain"/>. The subject carries the first bytes of the key
    /// identifier, so two fleets that share a domain name never share a root name in a trust store.
    /// </summary>
    public static (X509Certificate2 Certificate, AsymmetricAlgorithm Key) Create(string domain, KeyAlgorithm algorithm, TimeSpan validity, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        var key = Keys.Create(algorithm);
        var spki = key.ExportSubjectPublicKeyInfo();
        var keyId = CertificateAuthority.SubjectKeyIdentifierOf(spki);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName($"kith {domain}");
        subject.AddCommonName($"kith Root CA {Convert.ToHexStringLower(keyId.AsSpan(0, 4))}");
        var request = Requests.Create(subject.Build(), key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, PathLength, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(keyId, critical: false));
        var notBefore = now - CertificateValidity.Backdate;
        using var generated = request.Create(
            request.SubjectName,
            Requests.SignatureGenerator(key),
            notBefore,
            now + validity,
            SerialNumber.New());
        return (X509CertificateLoader.LoadCertificate(generated.RawData), key);
    }
}

/// <summary>Validity conventions shared by every certificate kith makes.</summary>
public static class CertificateValidity
{
    /// <summary>Not-before is set this far in the past so a peer whose clock lags a little still accepts it.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A leaf's validity under <paramref name="issuer"/>: from <see cref="Backdate"/> ago (never before the issuer, so a
    /// just re-signed CA's leaves start with it) for <paramref name="lifetime"/>, never past the issuer.
    /// </summary>
    public static (DateTimeOffset NotBefore, DateTimeOffset NotAfter) LeafWindow(DateTimeOffset now, TimeSpan lifetime, CertificateAuthority issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var notBefore = now - Backdate > issuer.NotBefore ? now - Backdate : issuer.NotBefore;
        var notAfter = now + lifetime < issuer.NotAfter ? now + lifetime : issuer.NotAfter;
        return (notBefore, notAfter);
    }
}

/// <summary>CertificateRequest plumbing for the CA certificates (speed does not matter there).</summary>
internal static class Requests
{
    public static CertificateRequest Create(X500DistinguishedName subject, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ecdsa => new CertificateRequest(subject, ecdsa, Keys.SignatureHash(key)),
        RSA rsa => new CertificateRequest(subject, rsa, Keys.SignatureHash(key), RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentException("unsupported key", nameof(key)),
    };

    public static X509SignatureGenerator SignatureGenerator(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentException("unsupported key", nameof(key)),
    };
}
