namespace Kith.Pki;

/// <summary>The key types kith makes for its CAs and leaves.</summary>
public enum KeyAlgorithm
{
    EcdsaP256,
    EcdsaP384,
    Rsa3072,
}
