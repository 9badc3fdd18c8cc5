using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Pki;

/// <summary>
/// A CA that can sign: its certificate, its private key, and everything about it that every certificate
/// it issues repeats (issuer name, signature algorithm, authority key identifier, CRL and OCSP URLs),
/// encoded once here so that issuing a leaf only writes what changes.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly AsymmetricAlgorithm key;
    private readonly HashSet<string> forbiddenKeys;

    /// <param name="name">"root" for the Root CA, else the machine name of a Host CA.</param>
    /// <param name="parentKeys">Subject public keys of the CAs above this one; no leaf may reuse them.</param>
    /// <param name="crlUrl">The CRL distribution point leaves carry, or null for none.</param>
    /// <param name="ocspUrl">The OCSP responder leaves carry, or null for none.</param>
    public CertificateAuthority(
        string name,
        X509Certificate2 certificate,
        AsymmetricAlgorithm key,
        IEnumerable<byte[]>? parentKeys = null,
        string? crlUrl = null,
        string? ocspUrl = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(key);
        SubjectPublicKeyInfo = certificate.PublicKey.ExportSubjectPublicKeyInfo();
        if (!SubjectPublicKeyInfo.AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new KithException($"CA '{name}': the private key does not belong to the certificate");
        }

        Name = name;
        Certificate = certificate;
        this.key = key;
        Algorithm = Keys.AlgorithmOf(key);
        Hash = Keys.SignatureHash(key);
        CrlUrl = crlUrl;
        OcspUrl = ocspUrl;
        Constraints = NameConstraints.FromCertificate(certificate);
        NotBefore = certificate.NotBefore.ToUniversalTime();
        NotAfter = certificate.NotAfter.ToUniversalTime();
        SubjectKeyIdentifier = SubjectKeyIdentifierOf(SubjectPublicKeyInfo);
        SignatureAlgorithm = EncodeSignatureAlgorithm(key, Hash);
        forbiddenKeys = [KeyFingerprint(SubjectPublicKeyInfo), .. (parentKeys ?? []).Select(KeyFingerprint)];
        LeafConstantExtensions = EncodeLeafConstantExtensions();
    }

    public string Name { get; }

    public X509Certificate2 Certificate { get; }

    public KeyAlgorithm Algorithm { get; }

    public HashAlgorithmName Hash { get; }

    public NameConstraints? Constraints { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    public byte[] SubjectPublicKeyInfo { get; }

    public byte[] SubjectKeyIdentifier { get; }

    public string? CrlUrl { get; }

    public string? OcspUrl { get; }

    /// <summary>The DER AlgorithmIdentifier of this CA's signatures.</summary>
    internal byte[] SignatureAlgorithm { get; }

    /// <summary>AKI, CRL distribution point and AIA extensions, DER, in that order.</summary>
    internal IReadOnlyList<byte[]> LeafConstantExtensions { get; }

    internal ReadOnlySpan<byte> SubjectName => Certificate.SubjectName.RawData;

    /// <summary>True when the key is this CA's or one of its parents'.</summary>
    public bool IsCaKey(ReadOnlySpan<byte> subjectPublicKeyInfo) => forbiddenKeys.Contains(KeyFingerprint(subjectPublicKeyInfo));

    /// <summary>A private copy of the signing key, so each thread can sign without sharing one handle.</summary>
    internal AsymmetricAlgorithm CloneKey()
    {
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            AsymmetricAlgorithm clone = key is RSA ? RSA.Create() : ECDsa.Create();
            clone.ImportPkcs8PrivateKey(pkcs8, out _);
            return clone;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    internal AsymmetricAlgorithm Key => key;

    /// <summary>RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value.</summary>
    public static byte[] SubjectKeyIdentifierOf(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var reader = new AsnReader(subjectPublicKeyInfo.ToArray(), AsnEncodingRules.DER).ReadSequence();
        reader.ReadSequence();
        var publicKey = reader.ReadBitString(out _);
#pragma warning disable CA5350 // SHA-1 here is an identifier, not a security function (RFC 5280 §4.2.1.2).
        return SHA1.HashData(publicKey);
#pragma warning restore CA5350
    }

    public void Dispose()
    {
        key.Dispose();
        Certificate.Dispose();
    }

    private static string KeyFingerprint(byte[] spki) => KeyFingerprint(spki.AsSpan());

    private static string KeyFingerprint(ReadOnlySpan<byte> spki) => Convert.ToHexString(SHA256.HashData(spki));

    /// <summary>The DER AlgorithmIdentifier of signatures by <paramref name="key"/> with <paramref name="hash"/>.</summary>
    internal static byte[] EncodeSignatureAlgorithm(AsymmetricAlgorithm key, HashAlgorithmName hash)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (key is RSA)
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.1.11"); // sha256WithRSAEncryption
                writer.WriteNull(); // RFC 4055 §5: the parameters are NULL for PKCS #1 v1.5.
            }
            else
            {
                // ecdsa-with-SHA256 / -SHA384, parameters absent (RFC 5758 §3.2).
                writer.WriteObjectIdentifier(hash == HashAlgorithmName.SHA384 ? "1.2.840.10045.4.3.3" : "1.2.840.10045.4.3.2");
            }
        }

        return writer.Encode();
    }

    private List<byte[]> EncodeLeafConstantExtensions()
    {
        List<X509Extension> extensions = [X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(SubjectKeyIdentifier)];
        if (CrlUrl is not null)
        {
            extensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([CrlUrl]));
        }

        if (OcspUrl is not null)
        {
            extensions.Add(new X509AuthorityInformationAccessExtension([OcspUrl], null));
        }

        return extensions.ConvertAll(extension =>
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            CertificateExtensions.Write(writer, extension);
            return writer.Encode();
        });
    }
}
