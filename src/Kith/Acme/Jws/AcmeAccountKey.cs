using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Kith.Acme.Jws;

/// <summary>
/// An ACME account public key taken from a JWK: EC P-256 or P-384, RSA of at least 2048 bits, or
/// Ed25519. Holds only public values. The platform key a verification needs is imported once and kept in a
/// small pool (importing checks the point, which costs as much as a verification), so an account the server
/// keeps in memory verifies each request at the price of the signature check alone.
/// </summary>
public sealed class AcmeAccountKey
{
    private const int PoolSize = 4;

    private readonly System.Collections.Concurrent.ConcurrentQueue<AsymmetricAlgorithm> pool = new();
    private readonly ECParameters? ec;
    private readonly RSAParameters? rsa;
    private readonly byte[]? ed25519;
    private byte[]? spki;

    private AcmeAccountKey(string keyType, string canonicalJwk, ECParameters? ec, RSAParameters? rsa, byte[]? ed25519)
    {
        KeyType = keyType;
        CanonicalJwk = canonicalJwk;
        Thumbprint = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJwk)));
        this.ec = ec;
        this.rsa = rsa;
        this.ed25519 = ed25519;
    }

    /// <summary>"P-256", "P-384", "RSA" or "Ed25519".</summary>
    public string KeyType { get; }

    /// <summary>The required JWK members in lexicographic order with no white space (RFC 7638 §3).</summary>
    public string CanonicalJwk { get; }

    /// <summary>The RFC 7638 JWK thumbprint: base64url of SHA-256 over <see cref="CanonicalJwk"/>.</summary>
    public string Thumbprint { get; }

    /// <summary>The one alg this key signs with: ES256, ES384, RS256 or EdDSA.</summary>
    public string Algorithm => KeyType switch
    {
        "P-256" => JwsAlgorithms.ES256,
        "P-384" => JwsAlgorithms.ES384,
        "RSA" => JwsAlgorithms.RS256,
        _ => JwsAlgorithms.EdDSA,
    };

    internal static AcmeAccountKey ForEc(string curve, ECParameters parameters, string x, string y) =>
        new(curve, $$"""{"crv":"{{curve}}","kty":"EC","x":"{{x}}","y":"{{y}}"}""", parameters, null, null);

    internal static AcmeAccountKey ForRsa(RSAParameters parameters, string n, string e) =>
        new("RSA", $$"""{"e":"{{e}}","kty":"RSA","n":"{{n}}"}""", null, parameters, null);

    internal static AcmeAccountKey ForEd25519(byte[] publicKey, string x) =>
        new("Ed25519", $$"""{"crv":"Ed25519","kty":"OKP","x":"{{x}}"}""", null, null, publicKey);

    /// <summary>
    /// Checks a JWS signature made with this key. False for a wrong alg, a signature of the wrong
    /// length (ECDSA must be the fixed r||s form, not DER) or one that does not verify.
    /// </summary>
    public bool Verify(string alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (!string.Equals(alg, Algorithm, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            if (ec is { } ecParameters)
            {
                var ecdsa = (ECDsa)Rent();
                try
                {
                    var hash = KeyType == "P-256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384;
                    return signature.Length == ecdsa.GetMaxSignatureSize(DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
                        && ecdsa.VerifyData(signingInput, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                }
                finally
                {
                    Return(ecdsa);
                }
            }

            if (rsa is { } rsaParameters)
            {
                var key = (RSA)Rent();
                try
                {
                    return signature.Length == rsaParameters.Modulus!.Length
                        && key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                }
                finally
                {
                    Return(key);
                }
            }

            if (signature.Length != 64)
            {
                return false;
            }

            var signer = new Ed25519Signer();
            signer.Init(false, new Ed25519PublicKeyParameters(ed25519!));
            signer.BlockUpdate(signingInput);
            return signer.VerifySignature(signature.ToArray());
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>A platform key for this account key, from the pool or newly imported; one thread uses it at a time.</summary>
    private AsymmetricAlgorithm Rent() =>
        pool.TryDequeue(out var key) ? key : ec is { } ecParameters ? ECDsa.Create(ecParameters) : RSA.Create(rsa!.Value);

    private void Return(AsymmetricAlgorithm key)
    {
        if (pool.Count < PoolSize)
        {
            pool.Enqueue(key);
        }
        else
        {
            key.Dispose();
        }
    }

    /// <summary>
    /// The key as a DER SubjectPublicKeyInfo in its one canonical encoding (EC as a named curve with an
    /// uncompressed point, RSA with NULL parameters, Ed25519 per RFC 8410), to compare byte for byte with a
    /// key from a CSR or certificate brought to the same form. Written once, without a platform key.
    /// </summary>
    public byte[] ExportSubjectPublicKeyInfo() => (byte[])SubjectPublicKeyInfo.Clone();

    internal byte[] SubjectPublicKeyInfo => spki ??= WriteSubjectPublicKeyInfo();

    private byte[] WriteSubjectPublicKeyInfo()
    {
        if (ec is { } ecParameters)
        {
            return Issuance.CanonicalPublicKey.Ec(ecParameters.Curve.Oid.Value!, ecParameters.Q.X, ecParameters.Q.Y);
        }

        if (rsa is { } rsaParameters)
        {
            return Issuance.CanonicalPublicKey.Rsa(rsaParameters.Modulus, rsaParameters.Exponent);
        }

        // RFC 8410 §4: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32 bytes) }.
        return [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, .. ed25519!];
    }

    /// <summary>True when both keys are the same public key (same thumbprint).</summary>
    public bool SameKeyAs(AcmeAccountKey other) =>
        string.Equals(Thumbprint, other.Thumbprint, StringComparison.Ordinal);
}
