using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Kith.Tests.Acme;

/// <summary>A client-side account key: its public JWK as JSON text and a way to sign like an ACME client.</summary>
internal sealed class TestAcmeKey
{
    private readonly Func<byte[], byte[]> sign;

    private TestAcmeKey(string name, string alg, string jwk, Func<byte[], byte[]> sign)
    {
        Name = name;
        Alg = alg;
        Jwk = jwk;
        this.sign = sign;
    }

    public string Name { get; }

    public string Alg { get; }

    public string Jwk { get; }

    public byte[] Sign(byte[] signingInput) => sign(signingInput);

    public override string ToString() => Name;

    public static TestAcmeKey Create(string name) => name switch
    {
        "P-256" => Ec(ECCurve.NamedCurves.nistP256, "P-256", "ES256", HashAlgorithmName.SHA256),
        "P-384" => Ec(ECCurve.NamedCurves.nistP384, "P-384", "ES384", HashAlgorithmName.SHA384),
        "RSA" => Rsa(2048),
        "Ed25519" => Ed25519(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static TestAcmeKey Ec(ECCurve curve, string crv, string alg, HashAlgorithmName hash, bool der = false)
    {
        var ecdsa = ECDsa.Create(curve);
        var q = ecdsa.ExportParameters(false).Q;
        string jwk = $$"""{"kty":"EC","crv":"{{crv}}","x":"{{B64(q.X!)}}","y":"{{B64(q.Y!)}}"}""";
        var format = der ? DSASignatureFormat.Rfc3279DerSequence : DSASignatureFormat.IeeeP1363FixedFieldConcatenation;
        return new TestAcmeKey(crv, alg, jwk, data => ecdsa.SignData(data, hash, format));
    }

    public static TestAcmeKey Rsa(int bits)
    {
        var rsa = RSA.Create(bits);
        var p = rsa.ExportParameters(false);
        string jwk = $$"""{"kty":"RSA","n":"{{B64(p.Modulus!)}}","e":"{{B64(p.Exponent!)}}"}""";
        return new TestAcmeKey($"RSA {bits}", "RS256", jwk,
            data => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public static TestAcmeKey Ed25519()
    {
        var privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
        string jwk = $$"""{"kty":"OKP","crv":"Ed25519","x":"{{B64(privateKey.GeneratePublicKey().GetEncoded())}}"}""";
        return new TestAcmeKey("Ed25519", "EdDSA", jwk, data =>
        {
            var signer = new Ed25519Signer();
            signer.Init(true, privateKey);
            signer.BlockUpdate(data, 0, data.Length);
            return signer.GenerateSignature();
        });
    }

    /// <summary>The same key with its JWK text replaced (to send a doctored key with real signatures).</summary>
    public TestAcmeKey WithJwk(string jwk) => new(Name, Alg, jwk, sign);

    /// <summary>The same JWK text with another signing function (to sign with a key made elsewhere).</summary>
    public TestAcmeKey WithSigner(Func<byte[], byte[]> signer) => new(Name, Alg, Jwk, signer);

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));
}

/// <summary>Builds ACME request bodies the way a client does: flattened JWS over a protected header.</summary>
internal static class TestJws
{
    public const string Url = "https://ca.example/acme/new-order";
    public const string Kid = "https://ca.example/acme/acct/1";

    public static string Header(TestAcmeKey key, bool useKid = false, string? alg = null, string nonce = "n0nce", string url = Url, string extra = "")
    {
        string keyMember = useKid ? $"\"kid\":\"{Kid}\"" : $"\"jwk\":{key.Jwk}";
        return $$"""{"alg":"{{alg ?? key.Alg}}",{{keyMember}},"nonce":"{{nonce}}","url":"{{url}}"{{extra}}}""";
    }

    public static byte[] Body(TestAcmeKey key, string header, string payloadJson = """{"termsOfServiceAgreed":true}""")
    {
        string protectedB64 = TestAcmeKey.B64(header);
        string payloadB64 = payloadJson.Length == 0 ? "" : TestAcmeKey.B64(payloadJson);
        byte[] signature = key.Sign(Encoding.ASCII.GetBytes(protectedB64 + "." + payloadB64));
        return Flattened(protectedB64, payloadB64, TestAcmeKey.B64(signature));
    }

    public static byte[] Flattened(string protectedB64, string payloadB64, string signatureB64, string extra = "") =>
        Encoding.UTF8.GetBytes($$"""{"protected":"{{protectedB64}}","payload":"{{payloadB64}}","signature":"{{signatureB64}}"{{extra}}}""");

    public static byte[] Request(TestAcmeKey key, bool useKid = false, string payloadJson = """{"termsOfServiceAgreed":true}""") =>
        Body(key, Header(key, useKid), payloadJson);
}
