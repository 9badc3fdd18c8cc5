using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kith.Bench.Acme;

/// <summary>
/// One client's ACME account key (P-256) and the flattened JWS (RFC 7515 §7.2.2, RFC 8555 §6.2) it signs
/// requests with: ES256, the signature as the fixed 64-byte r||s form, "jwk" in the protected header until
/// the account exists and "kid" after.
/// </summary>
internal sealed class AcmeAccountSigner : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string x;
    private readonly string y;

    public AcmeAccountSigner()
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        x = Base64Url.EncodeToString(parameters.Q.X);
        y = Base64Url.EncodeToString(parameters.Q.Y);
        // RFC 7638 §3: the required members in lexicographic order, no white space.
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""")));
    }

    /// <summary>The RFC 7638 thumbprint of the public key, for key authorizations (RFC 8555 §8.1).</summary>
    public string Thumbprint { get; }

    /// <summary>The account URL once newAccount has answered; until then requests carry the JWK.</summary>
    public string? AccountUrl { get; set; }

    /// <summary>
    /// The flattened JWS JSON of <paramref name="payload"/> (null: the empty payload of a POST-as-GET) for
    /// <paramref name="url"/> with <paramref name="nonce"/>.
    /// </summary>
    public byte[] Sign(string url, string nonce, ReadOnlySpan<byte> payload, bool postAsGet)
    {
        var header = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", "ES256");
            if (AccountUrl is { } kid)
            {
                writer.WriteString("kid", kid);
            }
            else
            {
                writer.WriteStartObject("jwk");
                writer.WriteString("crv", "P-256");
                writer.WriteString("kty", "EC");
                writer.WriteString("x", x);
                writer.WriteString("y", y);
                writer.WriteEndObject();
            }

            writer.WriteString("nonce", nonce);
            writer.WriteString("url", url);
            writer.WriteEndObject();
        }

        var protectedPart = Base64Url.EncodeToString(header.WrittenSpan);
        var payloadPart = postAsGet ? string.Empty : Base64Url.EncodeToString(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var body = new ArrayBufferWriter<byte>(protectedPart.Length + payloadPart.Length + 160);
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("protected", protectedPart);
            writer.WriteString("payload", payloadPart);
            writer.WriteString("signature", Base64Url.EncodeToString(signature));
            writer.WriteEndObject();
        }

        return body.WrittenSpan.ToArray();
    }

    public void Dispose() => key.Dispose();
}
