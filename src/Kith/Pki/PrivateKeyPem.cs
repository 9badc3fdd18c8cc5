using System.Security.Cryptography;

namespace Kith.Pki;

/// <summary>PKCS#8 private keys in PEM, optionally encrypted (PBES2).</summary>
public static class PrivateKeyPem
{
    /// <summary>
    /// PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC. 600,000 iterations is OWASP's 2023 figure for
    /// PBKDF2-SHA256: about a third of a second here, paid only when the Root key must sign.
    /// </summary>
    public static readonly PbeParameters Encryption = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 600_000);

    public static string ExportEncrypted(AsymmetricAlgorithm key, ReadOnlySpan<char> passphrase) =>
        Pem.WithNewline(key.ExportEncryptedPkcs8PrivateKeyPem(passphrase, Encryption));

    public static string Export(AsymmetricAlgorithm key) => Pem.WithNewline(key.ExportPkcs8PrivateKeyPem());

    /// <summary>
    /// Imports a key of the type the matching certificate names. <paramref name="passphrase"/> is required
    /// for an ENCRYPTED PRIVATE KEY; a wrong one is a <see cref="KithException"/> naming <paramref name="source"/>.
    /// </summary>
    public static AsymmetricAlgorithm Import(string pem, string source, bool isRsa, ReadOnlySpan<char> passphrase = default)
    {
        var encrypted = pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal);
        if (!encrypted && !pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new KithException($"{source}: holds no PEM private key");
        }

        if (encrypted && passphrase.IsEmpty)
        {
            throw new KithException($"{source}: is encrypted and no passphrase was given");
        }

        AsymmetricAlgorithm key = isRsa ? RSA.Create() : ECDsa.Create();
        try
        {
            if (encrypted)
            {
                key.ImportFromEncryptedPem(pem, passphrase);
            }
            else
            {
                key.ImportFromPem(pem);
            }

            return key;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new KithException(encrypted
                ? $"{source}: wrong passphrase (or the key file is damaged)"
                : $"{source}: not a valid {(isRsa ? "RSA" : "ECDSA")} private key");
        }
    }
}
