using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Pki;

namespace Kith.Revocation.Ocsp;

/// <summary>
/// The delegated OCSP signing certificate (RFC 6960 §4.2.2.2) and its key, which exists only in this process's
/// memory: issued by the Host CA with id-kp-OCSPSigning, id-pkix-ocsp-nocheck (§4.2.2.2.1: clients need not check
/// its revocation, so it lives only <see cref="Lifetime"/>), KeyUsage digitalSignature, the same key type as the
/// Host CA. Responses name it by key (ResponderID byKey) and carry it with the Host CA in <c>certs</c>.
/// Signing is serialised: one key handle is not promised to be safe for concurrent use.
/// </summary>
public sealed class OcspSigner : IDisposable
{
    /// <summary>Short, because nocheck means it cannot be revoked; renewed at two thirds (<see cref="RenewAt"/>).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public const string OcspSigningUsage = "1.3.6.1.5.5.7.3.9";
    public const string NoCheckExtension = "1.3.6.1.5.5.7.48.1.5";

    private readonly AsymmetricAlgorithm key;
    private readonly Lock signing = new();

    private OcspSigner(X509Certificate2 certificate, AsymmetricAlgorithm key, HashAlgorithmName hash, byte[] issuerDer)
    {
        Certificate = certificate;
        this.key = key;
        Hash = hash;
        var lifetime = certificate.NotAfter.ToUniversalTime() - certificate.NotBefore.ToUniversalTime();
        RenewAt = new DateTimeOffset(certificate.NotBefore.ToUniversalTime()) + (lifetime * 2 / 3);
        KeyHash = CertificateAuthority.SubjectKeyIdentifierOf(certificate.PublicKey.ExportSubjectPublicKeyInfo());
        SignatureAlgorithm = CertificateAuthority.EncodeSignatureAlgorithm(key, hash);
        Certificates = [certificate.RawData, issuerDer];
    }

    public X509Certificate2 Certificate { get; }

    public HashAlgorithmName Hash { get; }

    /// <summary>When a new signer should take over.</summary>
    public DateTimeOffset RenewAt { get; }

    public DateTimeOffset NotAfter => Certificate.NotAfter.ToUniversalTime();

    /// <summary>SHA-1 of the signer's subjectPublicKey: the ResponderID byKey (RFC 6960 §4.2.1).</summary>
    public byte[] KeyHash { get; }

    /// <summary>The DER AlgorithmIdentifier of the response signatures.</summary>
    public byte[] SignatureAlgorithm { get; }

    /// <summary>The signer's certificate and the Host CA's, DER, for the response's <c>certs</c> (a client needs both to reach the Root).</summary>
    public IReadOnlyList<byte[]> Certificates { get; }

    /// <summary>Makes a key of the Host CA's type and has the Host CA sign its certificate for <see cref="Lifetime"/> (never past the Host CA).</summary>
    public static OcspSigner Issue(CertificateAuthority hostCa, string domain, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(hostCa);
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        var key = Keys.Create(hostCa.Algorithm);
        try
        {
            var subject = new X500DistinguishedNameBuilder();
            subject.AddOrganizationName($"kith {domain}");
            subject.AddCommonName($"kith OCSP {hostCa.Name}");
            var request = Requests.Create(subject.Build(), key);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(OcspSigningUsage)], critical: false));
            request.CertificateExtensions.Add(new X509Extension(NoCheckExtension, [0x05, 0x00], critical: false)); // value: NULL
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(CertificateAuthority.SubjectKeyIdentifierOf(key.ExportSubjectPublicKeyInfo()), critical: false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(hostCa.SubjectKeyIdentifier));
            var (notBefore, notAfter) = CertificateValidity.LeafWindow(now, Lifetime, hostCa);
            using var signed = request.Create(hostCa.Certificate.SubjectName, Requests.SignatureGenerator(hostCa.Key), notBefore, notAfter, SerialNumber.New());
            var certificate = X509CertificateLoader.LoadCertificate(signed.RawData);
            return new OcspSigner(certificate, key, Keys.SignatureHash(key), hostCa.Certificate.RawData);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The signature over <paramref name="data"/> in the form X.509 uses (DER ECDSA-Sig-Value, or PKCS #1 v1.5).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        lock (signing)
        {
            return key switch
            {
                ECDsa ecdsa => ecdsa.SignData(data, Hash, DSASignatureFormat.Rfc3279DerSequence),
                RSA rsa => rsa.SignData(data, Hash, RSASignaturePadding.Pkcs1),
                _ => throw new InvalidOperationException("unsupported key"),
            };
        }
    }

    public void Dispose()
    {
        key.Dispose();
        Certificate.Dispose();
    }
}
