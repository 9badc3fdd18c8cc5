using System.Security.Cryptography;

namespace Kith.Pki;

/// <summary>The key types kith makes for its CAs and leaves.</summary>
public enum KeyAlgorithm
{
    EcdsaP256,
    EcdsaP384,
    Rsa3072,
}

/// <summary>Makes keys and names the signature hash that goes with each key type.</summary>
public static class Keys
{
    public static AsymmetricAlgorithm Create(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        KeyAlgorithm.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        KeyAlgorithm.Rsa3072 => RSA.Create(3072),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown key algorithm"),
    };

    /// <summary>SHA-384 for P-384 (matching strength, as RFC 5480 §4 advises), SHA-256 otherwise.</summary>
    public static HashAlgorithmName SignatureHash(AsymmetricAlgorithm key) =>
        key is ECDsa { KeySize: > 256 } ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    public static KeyAlgorithm AlgorithmOf(AsymmetricAlgorithm key) => key switch
    {
        ECDsa { KeySize: 256 } => KeyAlgorithm.EcdsaP256,
        ECDsa { KeySize: 384 } => KeyAlgorithm.EcdsaP384,
        RSA => KeyAlgorithm.Rsa3072,
        _ => throw new ArgumentException($"unsupported key type {key.GetType().Name} ({key.KeySize} bits)", nameof(key)),
    };

    public static byte[] ExportSubjectPublicKeyInfo(AsymmetricAlgorithm key) => key.ExportSubjectPublicKeyInfo();

    /// <summary>The name kith.yaml uses for a key type.</summary>
    public static string ToInventoryName(this KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcdsaP256 => "ecdsa-p256",
        KeyAlgorithm.EcdsaP384 => "ecdsa-p384",
        KeyAlgorithm.Rsa3072 => "rsa-3072",
        _ => algorithm.ToString(),
    };
}
